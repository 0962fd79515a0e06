import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../testing/start-test-gateway.js';
import { deleteByPrefix, REDIS_URL, redisReachable } from '../testing/redis-test-support.js';
import { serviceGate } from '../testing/services.js';
import { startBillingUpstream, type BillingUpstream } from '../testing/billing-upstream.js';

let upstream: BillingUpstream;
beforeAll(async () => {
  upstream = await startBillingUpstream();
});
afterAll(async () => upstream?.close());

const LIMIT_NANOS = 1_000_000; // $0.001
const prefix = `frugal-test-choices-${randomBytes(4).toString('hex')}:`;
const redisUp = serviceGate('Redis', REDIS_URL, await redisReachable(), 'budget holds with n on Redis');
afterAll(async () => {
  if (!redisUp) return;
  const redis = new Redis(REDIS_URL);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

/**
 * 200 concurrent requests asking for 128 choices of 20 tokens each. The upstream bills every choice at
 * max_tokens ($0.01 per 1M tokens: 25 600 nano-dollars a call), so a hold that ignores `n` (the old one held
 * ~400) lets all 200 through and spends $0.005 against a $0.001 budget.
 */
async function spendUnderChoices(spendControl: Record<string, unknown>) {
  const frugal = await startTestGateway({
    providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [{ name: 'm', provider: 'up', price: { input: 0.01, output: 0.01 } }],
    budgets: [{ scope: 'global', limit_usd: '0.001', period: 'day' }],
    spend_control: spendControl,
    cache: { enabled: false },
  });
  const client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
  const outcomes = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      client.chat.completions
        .create({ model: 'm', n: 128, max_tokens: 20, messages: [{ role: 'user', content: `call ${i}` }] })
        .then(
          () => 'ok',
          (error: { code?: string }) => error.code ?? 'error',
        ),
    ),
  );
  await frugal.waitForRows(200);
  const spent = frugal.rows.reduce((sum, row) => sum + row.costNanos, 0);
  const usage = await frugal.gateway.spendControl.store.usage({ id: 'global', limitNanos: LIMIT_NANOS, period: 'day', hard: true });
  await frugal.close();
  return { outcomes, spent, usage };
}

describe('budget holds count every choice', () => {
  it('keeps 200 concurrent n=128 calls within a $0.001 hard budget (memory store)', async () => {
    const { outcomes, spent, usage } = await spendUnderChoices({});
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('budget_exceeded');
    expect(spent).toBeLessThanOrEqual(LIMIT_NANOS);
    expect(usage.spentNanos).toBe(spent);
    expect(usage.reservedNanos).toBe(0);
  });

  it.runIf(redisUp)('keeps 200 concurrent n=128 calls within a $0.001 hard budget (Redis store)', async () => {
    const { outcomes, spent, usage } = await spendUnderChoices({ backend: 'redis', redis_url: REDIS_URL, key_prefix: prefix });
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('budget_exceeded');
    expect(spent).toBeLessThanOrEqual(LIMIT_NANOS);
    expect(usage.spentNanos).toBe(spent);
    expect(usage.reservedNanos).toBe(0);
  });
});
