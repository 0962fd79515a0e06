import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startQualityGateway, type QualityGateway } from '../testing/start-quality-gateway.js';
import { createPrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { decide } from './hash-unit.js';
import { oursFirst } from './judge-exchange.js';

let main: MockOpenAIServer;
let judge: MockOpenAIServer;
let reference: MockOpenAIServer;
beforeAll(async () => {
  [main, judge, reference] = await Promise.all([startMockOpenAIServer({ name: 'main' }), startMockOpenAIServer({ name: 'judge' }), startMockOpenAIServer({ name: 'ref' })]);
});
afterAll(() => Promise.all([main?.close(), judge?.close(), reference?.close()]));

let gateway: QualityGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** $1 and $2 per 1M tokens on the main model; the judge at $5 / $15 (5 000 and 15 000 nano-dollars a token). */
function config(quality: Record<string, unknown>) {
  return {
    providers: {
      main: { kind: 'openai', base_url: main.baseUrl, api_key: 'sk-upstream-main-0123456789' },
      judge: { kind: 'openai', base_url: judge.baseUrl, api_key: 'sk-upstream-judge-0123456789' },
      ref: { kind: 'openai', base_url: reference.baseUrl, api_key: 'sk-upstream-ref-0123456789' },
    },
    models: [
      { name: 'm-main', provider: 'main', price: { input: 1, output: 2 } },
      { name: 'm-judge', provider: 'judge', price: { input: 5, output: 15 } },
      { name: 'm-ref', provider: 'ref', price: { input: 3, output: 6 } },
    ],
    quality,
  };
}

async function ask(content: string, stream = false): Promise<{ id: string; text: string }> {
  const client = new OpenAI({ apiKey: 'unused', baseURL: gateway!.baseUrl, maxRetries: 0 });
  if (stream) {
    const { data, response } = await client.chat.completions.create({ model: 'm-main', messages: [{ role: 'user', content }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? '';
    return { id: response.headers.get('x-frugal-request-id')!, text };
  }
  const { data, response } = await client.chat.completions.create({ model: 'm-main', messages: [{ role: 'user', content }] }).withResponse();
  return { id: response.headers.get('x-frugal-request-id')!, text: data.choices[0].message.content ?? '' };
}

const judgeRequests = () => judge.requests.filter((request) => request.path === '/v1/chat/completions').length;

describe('sampling', () => {
  it('stores the sampled request and answer redacted: the secrets never reach the database file', async () => {
    gateway = await startQualityGateway(config({ routes: { 'm-main': { sample: 1, redact: ['ACCT-\\d+'] } } }));
    const { id } = await ask('my account ACCT-4242, my key sk-proj-abcdef0123456789 [[mock(main):content=Your ACCT-4242 is fine]]');
    const sample = await gateway.eventually(() => gateway!.samples.get(id), 'the sample');
    expect(sample).toMatchObject({ route: 'm-main', model: 'm-main', answer: 'Your [redacted] is fine' });
    const messages = JSON.parse(sample.requestJson!) as Array<{ role: string; content: string }>;
    expect(messages).toEqual([{ role: 'user', content: 'my account [redacted], my key [redacted] [[mock(main):content=Your [redacted] is fine]]' }]);
    await gateway.writer.close();
    for (const file of ['ledger.sqlite', 'ledger.sqlite-wal']) {
      const bytes = await readFile(join(gateway.dataDir, file)).catch(() => Buffer.alloc(0));
      expect(bytes.includes('ACCT-4242')).toBe(false);
      expect(bytes.includes('sk-proj-abcdef0123456789')).toBe(false);
    }
  });

  it('samples a streamed answer whole, once the stream has ended', async () => {
    gateway = await startQualityGateway(config({ routes: { 'm-main': { sample: 1 } } }));
    const { id, text } = await ask('stream please [[mock(main):words=12]]', true);
    const sample = await gateway.eventually(() => gateway!.samples.get(id), 'the sample');
    expect(text.length).toBeGreaterThan(0);
    expect(sample.answer).toBe(text);
  });

  it('samples the requests the seeded hash of their id picks, and only those', async () => {
    gateway = await startQualityGateway(config({ seed: 11, routes: { 'm-main': { sample: 0.5 } } }));
    const ids: string[] = [];
    for (let index = 0; index < 24; index += 1) ids.push((await ask(`question ${index}`)).id);
    const expected = ids.filter((id) => decide(11, 'sample', id, 0.5));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(ids.length);
    const last = expected.at(-1)!;
    await gateway.eventually(() => gateway!.samples.get(last), 'the last sample');
    const stored = await Promise.all(ids.map((id) => gateway!.samples.get(id)));
    expect(ids.filter((_, index) => stored[index] !== undefined)).toEqual(expected);
  });
});

describe('judges', () => {
  const rubric = { model: 'm-judge', rubric: 'Is the answer correct?' };

  it('grades a sampled answer in the background: a priced overhead row in the ledger, the score in the feedback store', async () => {
    gateway = await startQualityGateway(config({ budget_usd: 1, routes: { 'm-main': { sample: 1, judge: rubric } } }));
    const metrics = createPrometheusMetrics(gateway.gateway.config);
    const { id } = await ask('what is 2+2? [[mock(judge):content={"score": 0.25}]]');
    const scores = await gateway.eventually(async () => {
      const [row] = await gateway!.feedback.findRequests(id);
      const history = row ? await gateway!.feedback.history(row) : [];
      return history.length > 0 ? history : undefined;
    }, 'the judge score');
    expect(scores).toEqual([expect.objectContaining({ name: 'judge', score: 0.25, source: 'judge', scoredBy: 'judge:m-judge' })]);
    const judged = gateway.rows.filter((row) => row.overhead === 'judge');
    expect(judged).toHaveLength(1);
    const [row] = judged;
    expect(row).toMatchObject({ servedModel: 'm-judge', status: 'ok', savedNanos: 0, experiment: null });
    expect(row.costNanos).toBeGreaterThan(0);
    expect(row.costNanos).toBe(row.promptTokens * 5_000 + row.completionTokens * 15_000);
    expect(gateway.rows.find((each) => each.id === id)?.overhead).toBeNull();
    expect(judgeRequests()).toBeGreaterThan(0);
    const exposed = await metrics.registry.metrics();
    metrics.close();
    expect(exposed).toContain('frugal_quality_samples_total{route="m-main"} 1');
    expect(exposed).toContain('frugal_quality_judged_total{route="m-main"} 1');
    expect(exposed).toContain(`frugal_quality_overhead_usd_total{kind="judge"} ${row.costNanos / 1e9}`);
  });

  it('never delays the reply: with a judge that hangs, the answer arrives while the judge call is still open', async () => {
    const before = judgeRequests();
    gateway = await startQualityGateway(config({ budget_usd: 1, routes: { 'm-main': { sample: 1, judge: rubric } } }));
    const { id, text } = await ask('hello [[mock(judge):hang]] [[mock(main):content=served at once]]');
    expect(text).toBe('served at once');
    // The judge is asked after the reply (its batch is flushed off the path) and never answers.
    await gateway.eventually(() => (judgeRequests() > before ? true : undefined), 'the judge call');
    const row = await gateway.eventually(async () => (await gateway!.feedback.findRequests(id))[0], 'the ledger row');
    expect(await gateway.feedback.history(row)).toEqual([]);
    expect(gateway.rows.filter((each) => each.overhead === 'judge')).toEqual([]);
  });

  it('keeps judges under their own budget: a call that does not fit is refused before it is sent', async () => {
    const before = judgeRequests();
    gateway = await startQualityGateway(config({ budget_usd: '0.000001', routes: { 'm-main': { sample: 1, judge: rubric } } }));
    const { id } = await ask('too expensive to judge');
    const refused = await gateway.eventually(() => gateway!.rows.find((row) => row.overhead === 'judge'), 'the refused judge row');
    expect(refused).toMatchObject({ status: 'error', errorCode: 'budget_exceeded', costNanos: 0 });
    expect(judgeRequests()).toBe(before);
    const [row] = await gateway.feedback.findRequests(id);
    expect(await gateway.feedback.history(row)).toEqual([]);
  });

  it('grades pairwise against the reference model, with the answers in a position set by the request id', async () => {
    gateway = await startQualityGateway(config({ budget_usd: 1, routes: { 'm-main': { sample: 1, judge: { model: 'm-judge', reference_model: 'm-ref' } } } }));
    const { id } = await ask('compare us [[mock(judge):content={"winner": "A"}]] [[mock(ref):content=the reference answer]]');
    const scores = await gateway.eventually(async () => {
      const [row] = await gateway!.feedback.findRequests(id);
      const history = row ? await gateway!.feedback.history(row) : [];
      return history.length > 0 ? history : undefined;
    }, 'the pairwise score');
    expect(scores).toEqual([expect.objectContaining({ name: 'judge_win', source: 'judge', score: oursFirst(id) ? 1 : 0 })]);
    expect(gateway.rows.filter((row) => row.overhead !== null).map((row) => [row.overhead, row.servedModel])).toEqual([
      ['reference', 'm-ref'],
      ['judge', 'm-judge'],
    ]);
    // The judge saw the reference's answer.
    const judgeBody = JSON.stringify(judge.requests.at(-1)?.body);
    expect(judgeBody).toContain('the reference answer');
  });
});
