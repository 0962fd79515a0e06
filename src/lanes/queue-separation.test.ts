import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { startRateLimitedUpstream, type RateLimitedUpstream } from '../testing/rate-limited-upstream.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

const RPM = 300;
const SHARE = 0.3;
const BACKGROUND = 2_000;
const REALTIME = 60;

let upstream: RateLimitedUpstream;
let frugal: TestGateway;
let dataDir: string;

beforeAll(async () => {
  // The provider allows exactly the deployment's configured RPM: any call beyond it is refused upstream.
  upstream = await startRateLimitedUpstream({ limit: RPM, windowMs: 60_000 });
  dataDir = mkdtempSync(join(tmpdir(), 'frugal-separation-'));
  frugal = await startTestGateway(
    {
      providers: { limited: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-test' } },
      models: [{ name: 'mini', provider: 'limited', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 } }],
      routes: { assistant: { strategy: 'loadbalance', deployments: [{ model: 'mini', rpm: RPM }], retries: { attempts: 1 } } },
      lanes: { background: { share: SHARE, concurrency: 16 } },
      ledger: { data_dir: dataDir },
      queue: { backend: 'sqlite' },
      cache: { enabled: false },
      resilience: { health_check_interval_ms: 0 },
    },
    {},
  );
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('queue separation', () => {
  it('keeps real-time requests answered while 2 000 background requests drain through the same deployment, background within its share', async () => {
    const client = new OpenAI({ apiKey: 'client-key', baseURL: frugal.baseUrl, maxRetries: 0 });
    // Warm up (tokenizer, connections) so the background lane starts at full speed.
    await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'warm up' }] });
    const startedAt = Date.now();
    // More background work than the deployment's whole minute: without the lane it would take every call.
    const background = Array.from({ length: BACKGROUND }, (_, n) =>
      frugal.gateway
        .chat({ model: 'assistant', messages: [{ role: 'user', content: `[bg] classify ticket ${n}` }] }, { lane: { priority: 'background', deadline: '4s' } })
        .then(
          () => 'served' as const,
          (error: unknown) => (error instanceof FrugalError && error.status === 429 ? ('share' as const) : Promise.reject(error)),
        ),
    );
    const realtimeStatuses: number[] = [];
    const lanes: Array<string | null> = [];
    // Real-time callers, ten at a time, while the background lane is full.
    for (let round = 0; round < REALTIME / 10; round += 1) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, n) => {
          const { response } = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: `answer the customer ${round}-${n}` }] }).withResponse();
          realtimeStatuses.push(response.status);
          lanes.push(response.headers.get('x-frugal-lane'));
        }),
      );
    }
    const outcomes = await Promise.all(background);
    const elapsedMs = Date.now() - startedAt;

    expect(realtimeStatuses).toEqual(Array(REALTIME).fill(200));
    expect(lanes.every((lane) => lane === null)).toBe(true);
    // Nobody was refused by the provider: background never took the capacity real-time traffic needed.
    expect(upstream.calls.filter((call) => !call.accepted)).toEqual([]);
    const backgroundCalls = upstream.calls.filter((call) => call.lane === 'background').length;
    const served = outcomes.filter((outcome) => outcome === 'served').length;
    expect(backgroundCalls).toBe(served);
    // The share is a GCRA bucket of RPM × share per minute: a full burst, then one more call per 1/(RPM × share) of a minute.
    const shareLimit = Math.floor(RPM * SHARE);
    expect(backgroundCalls).toBeLessThanOrEqual(shareLimit + Math.floor((elapsedMs * shareLimit) / 60_000) + 1);
    expect(served).toBeGreaterThan(0);
    // The rest got the background share's 429 at their deadline — background callers only.
    expect(outcomes.filter((outcome) => outcome === 'share').length).toBe(BACKGROUND - served);
    const rows = await frugal.waitForRows(BACKGROUND + REALTIME + 1, 20_000);
    expect(rows.filter((row) => row.httpStatus === 429).length).toBe(BACKGROUND - served);
  }, 60_000);
});
