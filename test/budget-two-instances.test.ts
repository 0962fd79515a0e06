import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisReachable, TEST_REDIS_URL } from '../src/testing/services.js';
import type { LedgerRow } from '../src/ledger/ledger-row.js';
import { createGateway, type Gateway } from '../src/pipeline/create-gateway.js';
import { startMockOpenAIServer } from '../src/testing/mock-openai-server.js';

const REDIS_URL = TEST_REDIS_URL;
const redisUp = await redisReachable();
if (!redisUp && process.env.CI !== 'true') console.warn(`SKIPPED the two-instance budget test: no Redis at ${REDIS_URL} (it fails instead when CI=true).`);

const prefix = `frugal-test-${randomBytes(4).toString('hex')}:`;
afterAll(async () => {
  if (!redisUp) return;
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

// $0.006 a day; a call holds ~52 000 nano-dollars (worst case) and costs ~25 000, so about a third of 300 fit.
const LIMIT_NANOS = 6_000_000;

describe.runIf(redisUp || process.env.CI === 'true')('budgets across two gateway instances sharing Redis', () => {
  it('never overspends under hundreds of concurrent calls, and leaks no reservation after errors, timeouts and disconnects', async () => {
    expect(redisUp, `Redis is not reachable at ${REDIS_URL}`).toBe(true);
    const upstream = await startMockOpenAIServer({ record: false });
    const rows: LedgerRow[] = [];
    const open = () =>
      createGateway({
        env: {},
        ledger: { record: (row) => rows.push(row) },
        config: {
          providers: { up: { kind: 'openai', base_url: upstream.baseUrl, timeout_ms: 300 } },
          models: [{ name: 'm', provider: 'up', price: { input: 1, output: 2 } }],
          budgets: [{ scope: 'global', limit_usd: '0.006', period: 'day' }],
          spend_control: { backend: 'redis', redis_url: REDIS_URL, key_prefix: prefix },
          cache: { enabled: false },
        },
      });
    const instances: Gateway[] = [await open(), await open()];

    const kindOf = (i: number) => ['plain', 'plain', 'plain', 'plain', 'plain', 'error', 'timeout', 'abort', 'stream', 'plain'][i % 10];
    const call = async (i: number) => {
        const gateway = instances[i % 2];
        const kind = kindOf(i);
        const directive = kind === 'error' ? '[[mock:status=500]]' : kind === 'timeout' ? '[[mock:hang]]' : kind === 'abort' || kind === 'stream' ? '[[mock:words=30,chunk_gap_ms=2]]' : '';
        const controller = new AbortController();
        // Staggered arrivals, so both instances compete over time and settled calls free room for later ones.
        await new Promise((resolve) => setTimeout(resolve, (i * 37) % 400));
        try {
          const reply = await gateway.chat(
            { model: 'm', max_tokens: 20, stream: kind === 'abort' || kind === 'stream', messages: [{ role: 'user', content: `call ${i} ${directive}` }] },
            { signal: controller.signal },
          );
          if (reply.kind === 'stream') {
            let seen = 0;
            for await (const chunk of reply.chunks) {
              if (chunk.choices[0]?.delta?.content) seen += 1;
              if (kind === 'abort' && seen === 3) {
                controller.abort();
                break;
              }
            }
          }
          return `${kind}:ok`;
        } catch (error) {
          return `${kind}:${(error as { code?: string }).code ?? 'error'}`;
        }
    };
    // Every kind of ending must happen while the budget still has room, whatever the machine's load: the first
    // failures, timeouts and disconnects run (concurrently, on both instances) before the contended crowd. Left to
    // arrival timing, a loaded machine once spent the budget first and no upstream error was ever tested.
    const early = Array.from({ length: 30 }, (_, i) => i).filter((i) => ['error', 'timeout', 'abort'].includes(kindOf(i)));
    const crowd = Array.from({ length: 300 }, (_, i) => i).filter((i) => !early.includes(i));
    const outcomes = await Promise.all(early.map(call));
    outcomes.push(...(await Promise.all(crowd.map(call))));

    const spent = rows.reduce((sum, row) => sum + row.costNanos, 0);
    const usage = await instances[0].spendControl.store.usage({ id: 'global', limitNanos: LIMIT_NANOS, period: 'day', hard: true });
    const count = (outcome: string) => outcomes.filter((candidate) => candidate === outcome).length;
    // The budget was contended, and every kind of ending happened on both sides of it.
    expect(outcomes.filter((outcome) => outcome.endsWith(':budget_exceeded')).length).toBeGreaterThan(0);
    expect(count('plain:ok')).toBeGreaterThan(0);
    expect(count('error:upstream_error')).toBeGreaterThan(0);
    expect(count('timeout:upstream_timeout')).toBeGreaterThan(0);
    expect(rows.some((row) => row.status === 'client_aborted' && row.costNanos > 0)).toBe(true);
    expect(spent).toBeLessThanOrEqual(LIMIT_NANOS);
    expect(usage.spentNanos).toBe(spent);
    expect(usage.reservedNanos).toBe(0);

    await Promise.all(instances.map((gateway) => gateway.close()));
    await upstream.close();
  });
});
