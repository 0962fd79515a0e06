import { Redis, type RedisOptions } from 'ioredis';
import {
  type BudgetScope,
  type BudgetStore,
  checkNanos,
  checkReservationId,
  checkScopes,
  checkTtlMs,
  counterName,
  createWindowCache,
  DEFAULT_COUNTER_RETENTION_MS,
  type ReserveResult,
  RESERVATION_GRACE_MS,
  reservationNotOpen,
  type ScopeUsage,
} from './budget-store.js';
import { EXTEND_SCRIPT, RELEASE_SCRIPT, RESERVE_SCRIPT, SETTLE_SCRIPT, USAGE_SCRIPT } from './redis-budget-scripts.js';

export interface RedisBudgetStoreOptions {
  /** An existing client (not closed by `close()`), or a URL / options to create one. Give the prefix here, not as the client's keyPrefix. */
  client?: Redis;
  url?: string;
  redisOptions?: RedisOptions;
  /**
   * Prepended to every key. The default carries a hash tag so that on Redis Cluster every budget key sits
   * in one slot: the scripts touch several counters at once and find some keys from a reservation's record.
   */
  keyPrefix?: string;
  /** Epoch ms used to pick the period; reservation expiry uses the Redis server's clock. */
  now?: () => number;
  counterRetentionMs?: number;
}

/** A counter as written into a reservation's record, so settle/extend/release find it from the id alone. */
interface RecordedScope {
  id: string;
  period: BudgetScope['period'];
  timeZone?: string;
  limit: number;
  hard: boolean;
  periodId: string;
  end: number;
  h: string;
  z: string;
  x: number;
}

type ScriptReply = Array<number | string>;

interface BudgetCommands {
  frugalBudgetReserve(...args: Array<string | number>): Promise<ScriptReply>;
  frugalBudgetExtend(...args: Array<string | number>): Promise<ScriptReply>;
  frugalBudgetSettle(...args: Array<string | number>): Promise<ScriptReply>;
  frugalBudgetRelease(...args: Array<string | number>): Promise<number>;
  frugalBudgetUsage(...args: Array<string | number>): Promise<ScriptReply>;
}

/**
 * Budgets in Redis, shared by every gateway instance: each operation is one Lua script (EVALSHA via
 * ioredis defineCommand), so a reservation holds on all its scopes or on none even under concurrent
 * instances. Counters expire `counterRetentionMs` after their period ends.
 *
 * @example
 * const store = createRedisBudgetStore({ url: 'redis://127.0.0.1:6379' });
 * const result = await store.reserve([{ id: 'key:k_1', limitNanos: 10_000_000_000, period: 'day', hard: true }], 4_200, 'req_1', 600_000);
 */
export function createRedisBudgetStore(options: RedisBudgetStoreOptions = {}): BudgetStore {
  const ownsClient = options.client === undefined;
  const client =
    options.client ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      // A request waits on its budget check, so a Redis that is away fails it within 2 s rather than
      // hanging it. A command that timed out here but ran on the server only holds until its TTL.
      commandTimeout: 2_000,
      maxRetriesPerRequest: 2,
      ...options.redisOptions,
    });
  const prefix = options.keyPrefix ?? 'frugal:{budget}:';
  const now = options.now ?? Date.now;
  const retentionMs = options.counterRetentionMs ?? DEFAULT_COUNTER_RETENTION_MS;
  const windowFor = createWindowCache();
  client.defineCommand('frugalBudgetReserve', { lua: RESERVE_SCRIPT });
  client.defineCommand('frugalBudgetExtend', { lua: EXTEND_SCRIPT });
  client.defineCommand('frugalBudgetSettle', { numberOfKeys: 1, lua: SETTLE_SCRIPT });
  client.defineCommand('frugalBudgetRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
  client.defineCommand('frugalBudgetUsage', { numberOfKeys: 2, lua: USAGE_SCRIPT });
  const commands = client as unknown as BudgetCommands;
  const recordKey = (reservationId: string) => `${prefix}res:${reservationId}`;

  function record(scope: BudgetScope): RecordedScope {
    const window = windowFor(scope, now());
    const name = counterName(scope, window);
    return {
      id: scope.id,
      period: scope.period,
      ...(scope.timeZone === undefined ? {} : { timeZone: scope.timeZone }),
      limit: scope.limitNanos,
      hard: scope.hard,
      periodId: window.id,
      end: window.end,
      h: `${prefix}b:${name}`,
      z: `${prefix}x:${name}`,
      x: window.end + retentionMs,
    };
  }

  function toScope(recorded: RecordedScope): BudgetScope {
    const scope: BudgetScope = { id: recorded.id, limitNanos: recorded.limit, period: recorded.period, hard: recorded.hard };
    if (recorded.timeZone !== undefined) scope.timeZone = recorded.timeZone;
    return scope;
  }

  /** Pairs (spent, reserved) from a reply, starting at `from`, with their scopes. */
  function usages(scopes: RecordedScope[], reply: ScriptReply, from: number): ScopeUsage[] {
    return scopes.map((scope, index) => ({
      scopeId: scope.id,
      periodId: scope.periodId,
      periodEndMs: scope.end,
      spentNanos: Number(reply[from + 2 * index]),
      reservedNanos: Number(reply[from + 2 * index + 1]),
    }));
  }

  function rejection(scope: RecordedScope, spent: number | string, reserved: number | string): ReserveResult {
    return {
      ok: false,
      scope: toScope(scope),
      periodId: scope.periodId,
      periodEndMs: scope.end,
      limitNanos: scope.limit,
      spentNanos: Number(spent),
      reservedNanos: Number(reserved),
    };
  }

  return {
    async reserve(scopes, amountNanos, reservationId, ttlMs) {
      checkScopes(scopes);
      checkNanos(amountNanos, 'A reservation');
      checkReservationId(reservationId);
      checkTtlMs(ttlMs);
      const recorded = scopes.map(record);
      const keys = [recordKey(reservationId), ...recorded.flatMap((scope) => [scope.h, scope.z])];
      const args = [reservationId, String(amountNanos), String(ttlMs), String(ttlMs + RESERVATION_GRACE_MS), JSON.stringify(recorded)];
      for (const scope of recorded) args.push(String(scope.limit), scope.hard ? '1' : '0', String(scope.x));
      const reply = await commands.frugalBudgetReserve(keys.length, ...keys, ...args);
      if (Number(reply[0]) === 0) return rejection(recorded[Number(reply[1]) - 1], reply[2], reply[3]);
      return { ok: true, usage: usages(recorded, reply, 1) };
    },

    async extend(reservationId, additionalNanos, ttlMs, options = {}) {
      checkNanos(additionalNanos, 'An extension');
      checkTtlMs(ttlMs);
      const reply = await commands.frugalBudgetExtend(
        1,
        recordKey(reservationId),
        reservationId,
        String(additionalNanos),
        String(ttlMs),
        String(ttlMs + RESERVATION_GRACE_MS),
        options.force ? '1' : '0',
      );
      const status = Number(reply[0]);
      if (status === -1) throw reservationNotOpen(reservationId);
      const recorded = JSON.parse(String(reply[1])) as RecordedScope[];
      if (status === 0) return rejection(recorded[Number(reply[2]) - 1], reply[3], reply[4]);
      return { ok: true, usage: usages(recorded, reply, 2) };
    },

    async settle(reservationId, actualNanos) {
      checkNanos(actualNanos, 'A settled cost');
      const reply = await commands.frugalBudgetSettle(recordKey(reservationId), reservationId, String(actualNanos));
      if (Number(reply[0]) === 0) return { settled: false, usage: [] };
      return { settled: true, usage: usages(JSON.parse(String(reply[1])) as RecordedScope[], reply, 2) };
    },

    async release(reservationId) {
      return (await commands.frugalBudgetRelease(recordKey(reservationId), reservationId)) === 1;
    },

    async usage(scope) {
      const recorded = record(scope);
      const reply = await commands.frugalBudgetUsage(recorded.h, recorded.z);
      return usages([recorded], reply, 0)[0];
    },

    async claimOnce(key, untilMs) {
      // PXAT: the claim lapses at an absolute time, the same for every instance.
      return (await client.set(`${prefix}claim:${key}`, '1', 'PXAT', Math.max(1, Math.ceil(untilMs)), 'NX')) === 'OK';
    },

    async releaseClaim(key) {
      await client.del(`${prefix}claim:${key}`);
    },

    async close() {
      if (ownsClient) await client.quit().catch(() => client.disconnect());
    },
  };
}
