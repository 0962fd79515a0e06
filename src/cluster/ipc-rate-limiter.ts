import { checkCost, checkRateLimit, type RateLimiter, type RateLimitResult } from '../rate-limit/rate-limiter.js';
import type { IpcPeer } from './ipc-peer.js';

/**
 * A worker's RateLimiter when limits are kept in memory: every take and adjust runs on the primary's one limiter,
 * so a limit of 100 a minute lets 100 through across all workers, not 100 per worker. `close` leaves it open.
 *
 * @example
 * const limiter = createIpcRateLimiter(createIpcPeer(parentChannel()));
 */
export function createIpcRateLimiter(primary: IpcPeer): RateLimiter {
  return {
    async take(key, limit, cost = 1) {
      checkRateLimit(limit);
      checkCost(cost);
      return primary.call<RateLimitResult>('rate.take', key, limit, cost);
    },
    async adjust(key, limit, deltaCost) {
      checkRateLimit(limit);
      if (!Number.isSafeInteger(deltaCost)) throw new RangeError(`A rate-limit adjustment must be an integer, got ${deltaCost}.`);
      await primary.call<null>('rate.adjust', key, limit, deltaCost);
    },
    async close() {},
  };
}

/** The primary's side: answers a worker's rate-limit calls from `limiter` (the one memory limiter of the cluster). */
export function serveRateLimiter(worker: IpcPeer, limiter: RateLimiter): void {
  worker.handle('rate.take', (...args: Parameters<RateLimiter['take']>) => limiter.take(...args));
  worker.handle('rate.adjust', async (...args: Parameters<RateLimiter['adjust']>) => {
    await limiter.adjust(...args);
    return null;
  });
}
