import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { oursFirst } from '../quality/judge-exchange.js';
import { createPrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startQualityGateway, type QualityGateway } from '../testing/start-quality-gateway.js';

let main: MockOpenAIServer;
let shadow: MockOpenAIServer;
let judge: MockOpenAIServer;
beforeAll(async () => {
  [main, shadow, judge] = await Promise.all([startMockOpenAIServer({ name: 'main' }), startMockOpenAIServer({ name: 'shadow' }), startMockOpenAIServer({ name: 'judge' })]);
});
afterAll(() => Promise.all([main?.close(), shadow?.close(), judge?.close()]));

let gateway: QualityGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

function config(experiment: Record<string, unknown>, quality: Record<string, unknown> = {}) {
  return {
    providers: {
      main: { kind: 'openai', base_url: main.baseUrl, api_key: 'sk-upstream-main-0123456789' },
      shadow: { kind: 'openai', base_url: shadow.baseUrl, api_key: 'sk-upstream-shadow-0123456789' },
      judge: { kind: 'openai', base_url: judge.baseUrl, api_key: 'sk-upstream-judge-0123456789' },
    },
    models: [
      { name: 'm-base', provider: 'main', price: { input: 2, output: 8 } },
      { name: 'm-a', provider: 'main', price: { input: 2, output: 8 } },
      { name: 'm-b', provider: 'main', price: { input: 0.2, output: 0.8 } },
      { name: 'm-shadow', provider: 'shadow', price: { input: 0.1, output: 0.4 } },
      { name: 'm-judge', provider: 'judge', price: { input: 5, output: 15 } },
    ],
    experiments: { ab: { route: 'm-base', arms: { a: { model: 'm-a', percent: 50 }, b: { model: 'm-b', percent: 50 } }, start: '2020-01-01T00:00:00Z', ...experiment } },
    quality,
  };
}

async function ask(user: string, content = 'hello', stream = false) {
  const client = new OpenAI({ apiKey: 'unused', baseURL: gateway!.baseUrl, maxRetries: 0 });
  if (stream) {
    const { data, response } = await client.chat.completions.create({ model: 'm-base', user, messages: [{ role: 'user', content }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? '';
    return { text, headers: response.headers };
  }
  const { data, response } = await client.chat.completions.create({ model: 'm-base', user, messages: [{ role: 'user', content }] }).withResponse();
  return { text: data.choices[0].message.content ?? '', headers: response.headers };
}

describe('experiments', () => {
  it('serves each user the same arm every time, says so in a header and keeps it in the ledger row', async () => {
    gateway = await startQualityGateway(config({}));
    const metrics = createPrometheusMetrics(gateway.gateway.config);
    const armOf = new Map<string, string>();
    for (let round = 0; round < 2; round += 1) {
      for (let index = 0; index < 12; index += 1) {
        const user = `user-${index}`;
        const { headers } = await ask(user);
        const [experiment, arm] = headers.get('x-frugal-experiment')!.split('=');
        expect(experiment).toBe('ab');
        if (round > 0) expect(arm).toBe(armOf.get(user));
        armOf.set(user, arm);
        expect(headers.get('x-frugal-model')).toBe(`m-${arm}`);
      }
    }
    expect(new Set(armOf.values())).toEqual(new Set(['a', 'b']));
    const rows = await gateway.eventually(() => (gateway!.rows.length === 24 ? gateway!.rows : undefined), '24 rows');
    for (const row of rows) {
      expect(row).toMatchObject({ requestedModel: 'm-base', experiment: 'ab', overhead: null });
      expect(row.arm).toBe(armOf.get(row.user!));
      expect(row.servedModel).toBe(`m-${row.arm}`);
      expect(row.routeTrace).toBe(`m-base>m-${row.arm}`);
    }
    const exposed = await metrics.registry.getSingleMetricAsString('frugal_experiment_requests_total');
    metrics.close();
    for (const arm of ['a', 'b']) {
      expect(exposed).toContain(`frugal_experiment_requests_total{experiment="ab",arm="${arm}"} ${rows.filter((row) => row.arm === arm).length}`);
    }
  });

  it('leaves requests alone outside the experiment window', async () => {
    gateway = await startQualityGateway(config({ start: '2099-01-01T00:00:00Z' }));
    const { headers } = await ask('user-1');
    expect(headers.get('x-frugal-experiment')).toBeNull();
    expect(headers.get('x-frugal-model')).toBe('m-base');
  });

  it('sends a copy to the shadow arm in the background, never serves its answer, and judges it against what was served', async () => {
    gateway = await startQualityGateway(config({ shadow: { model: 'm-shadow', sample: 1, judge_model: 'm-judge' } }, { budget_usd: 1 }));
    const directives = '[[mock(shadow):content=SHADOW ANSWER]] [[mock(main):content=served answer]] [[mock(judge):content={"winner": "B"}]]';
    const plain = await ask('user-7', `question ${directives}`);
    const streamed = await ask('user-8', `question ${directives}`, true);
    for (const reply of [plain, streamed]) {
      expect(reply.text).toBe('served answer');
      expect(reply.text).not.toContain('SHADOW');
    }
    const ids = [plain, streamed].map((reply) => reply.headers.get('x-frugal-request-id')!);
    const shadows = await gateway.eventually(() => {
      const rows = gateway!.rows.filter((row) => row.overhead === 'shadow');
      return rows.length === 2 ? rows : undefined;
    }, 'two shadow rows');
    for (const row of shadows) expect(row).toMatchObject({ servedModel: 'm-shadow', experiment: 'ab', arm: 'shadow', status: 'ok' });
    expect(shadow.requests.filter((request) => request.path === '/v1/chat/completions').length).toBeGreaterThanOrEqual(2);
    const scores = await gateway.eventually(async () => {
      const found = await Promise.all(shadows.map(async (row) => (await gateway!.feedback.history({ id: row.id, ts: row.ts }))[0]));
      return found.every(Boolean) ? found : undefined;
    }, 'the shadow grades');
    // Ours (the shadow) is A when oursFirst(served id); the judge always says B.
    const byServed = new Map(scores.map((entry) => [entry!.metadata!.against as string, entry!.score]));
    for (const id of ids) expect(byServed.get(id)).toBe(oursFirst(id) ? 0 : 1);
  });
});
