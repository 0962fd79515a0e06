import { Redis, type RedisOptions } from 'ioredis';
import { checkCost, checkRateLimit, type RateLimiter, type RateLimitResult } from './rate-limiter.js';

export interface RedisRateLimiterOptions {
  /** An existing client (not closed by `close()`), or a URL / options to create one. */
  client?: Redis;
  url?: string;
  redisOptions?: RedisOptions;
  /** Prepended to every key, so several gateways (or test runs) can share one Redis. */
  keyPrefix?: string;
}

/**
 * GCRA (see gcra.ts: the same arithmetic) on the Redis server's clock, so instances with skewed clocks
 * agree. One key per limited thing holding its TAT in µs, expiring when the limit is whole again.
 * KEYS: the key.  ARGV: limit, periodMs, cost, mode ('take' | 'adjust').
 * Returns take: {1, remaining, resetAfterMs} | {0, retryAfterMs, exceedsLimit}; adjust: {1}.
 */
export const RATE_LIMIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit, period_ms, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local period_us = period_ms * 1000
local stored = tonumber(redis.call('GET', KEYS[1]) or now)
local function increment(units) return math.floor(units * period_us / limit) end
local function store(tat)
  if tat > now then
    redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', string.format('%d', math.ceil((tat - now) / 1000) + 1))
  else
    redis.call('DEL', KEYS[1])
  end
end
if ARGV[4] == 'adjust' then
  if cost >= 0 then store(math.max(stored, now) + increment(cost)) else store(math.max(stored - increment(-cost), now)) end
  return {1}
end
if cost > limit then return {0, period_ms, 1} end
local tat = math.max(stored, now) + increment(cost)
local allow_at = tat - period_us
if allow_at > now then return {0, math.ceil((allow_at - now) / 1000), 0} end
if tat > now then store(tat) end
return {1, math.floor((now + period_us - tat) * limit / period_us), math.ceil((tat - now) / 1000)}
`;

interface RateLimitCommands {
  frugalRateLimit(key: string, limit: string, periodMs: string, cost: string, mode: 'take' | 'adjust'): Promise<number[]>;
}

/**
 * Rate limits shared by every gateway instance: one atomic Lua script per take or adjust.
 *
 * @example
 * const limiter = createRedisRateLimiter({ url: 'redis://127.0.0.1:6379' });
 * const verdict = await limiter.take('tpm:deployment:openai/gpt-4o', { limit: 30_000, periodMs: 60_000 }, estimatedTokens);
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions = {}): RateLimiter {
  const ownsClient = options.client === undefined;
  const client = options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2, ...options.redisOptions });
  const prefix = options.keyPrefix ?? 'frugal:rl:';
  client.defineCommand('frugalRateLimit', { numberOfKeys: 1, lua: RATE_LIMIT_SCRIPT });
  const commands = client as unknown as RateLimitCommands;

  return {
    async take(key, limit, cost = 1): Promise<RateLimitResult> {
      checkRateLimit(limit);
      checkCost(cost);
      const [allowed, first, second] = await commands.frugalRateLimit(prefix + key, String(limit.limit), String(limit.periodMs), String(cost), 'take');
      if (allowed === 1) return { allowed: true, remaining: first, resetAfterMs: second };
      return { allowed: false, retryAfterMs: first, exceedsLimit: second === 1 };
    },

    async adjust(key, limit, deltaCost) {
      checkRateLimit(limit);
      if (!Number.isSafeInteger(deltaCost)) throw new RangeError(`A rate-limit adjustment must be an integer, got ${deltaCost}.`);
      await commands.frugalRateLimit(prefix + key, String(limit.limit), String(limit.periodMs), String(deltaCost), 'adjust');
    },

    async close() {
      if (ownsClient) await client.quit().catch(() => client.disconnect());
    },
  };
}
