import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../../testing/scripted-upstream.js';

// Each test uses its own pair of deployments (limits are per deployment and last a minute). The scripted upstream
// answers only when told, so "in flight" and "answered" are exact states, not timings.
let upstream: ScriptedUpstream;
let frugal: TestGateway;
let client: OpenAI;

const pair = (name: string, a: Record<string, unknown>, policy = 'least_in_flight') => ({ strategy: 'loadbalance', policy, deployments: [{ model: `${name}-a`, ...a }, { model: `${name}-b` }] });
const models = (name: string) => [
  { name: `${name}-a`, provider: 'up', upstream: `${name}-a`, price: { input: 1, output: 2 } },
  { name: `${name}-b`, provider: 'up', upstream: `${name}-b`, price: { input: 1, output: 2 } },
];

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  frugal = await startTestGateway({
    providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [...models('fix'), ...models('dflt'), ...models('full')],
    routes: {
      fix: pair('fix', { tpm: 200 }),
      // Unmeasured deployments keep their listed order: the second request would go to dflt-a but for its TPM.
      dflt: pair('dflt', { tpm: 1_500 }, 'lowest_latency'),
      full: { strategy: 'loadbalance', policy: 'least_in_flight', deployments: [{ model: 'full-a', rpm: 1 }, { model: 'full-b', rpm: 1 }] },
    },
    spend_control: { default_max_tokens: 1_000 },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

const say = (model: string, extra: Record<string, unknown> = {}) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }).withResponse();

describe('per-deployment tokens per minute', () => {
  it('are corrected to the usage the answer reported, so a deployment is not held full by its estimates', async () => {
    // ~10 prompt + 100 max_tokens held at dispatch: two estimates (~220) would not fit 200, two real uses (20) do.
    for (let i = 0; i < 3; i += 1) {
      const pending = say('fix', { max_tokens: 100 });
      const call = await upstream.next('fix-a');
      call.reply('ok', { prompt: 8, completion: 2 });
      const { response } = await pending;
      expect(response.headers.get('x-frugal-model')).toBe('fix-a');
    }
  });

  it('count the default max_tokens for a request without one: a second such request in flight goes elsewhere', async () => {
    const first = say('dflt');
    const firstCall = await upstream.next('dflt-a');
    // ~10 + 1 000 default tokens are held by the first: another 1 010 would pass 1 500.
    const second = say('dflt');
    const secondCall = await upstream.next('dflt-b');
    firstCall.reply('one', { prompt: 8, completion: 2 });
    secondCall.reply('two', { prompt: 8, completion: 2 });
    expect((await first).response.headers.get('x-frugal-model')).toBe('dflt-a');
    expect((await second).response.headers.get('x-frugal-route')).toBe('dflt>loadbalance:lowest_latency:dflt-a(fail:skip:tpm)>dflt-b');
  });
});

describe('a deployment over its limit', () => {
  it('is skipped, and when every deployment is over, the request gets a 429 with Retry-After and nothing is sent', async () => {
    for (const expected of ['full-a', 'full-b']) {
      const pending = say('full');
      (await upstream.next(expected)).reply('ok', { prompt: 8, completion: 2 });
      expect((await pending).response.headers.get('x-frugal-model')).toBe(expected);
    }
    const sent = upstream.calls.length;
    const refused = await say('full').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    const apiError = refused as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(429);
    expect(Number(apiError.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(upstream.calls.length).toBe(sent);
  });
});
