import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../rate-limit/memory-rate-limiter.js';
import { describeRateLimiterConformance } from '../rate-limit/rate-limiter.case.js';
import { loopbackChannels } from './ipc-channel.js';
import { createIpcPeer } from './ipc-peer.js';
import { createIpcRateLimiter, serveRateLimiter } from './ipc-rate-limiter.js';

function fakeClock() {
  let now = Date.UTC(2026, 10, 23, 12);
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function workerLimiters(count: number, now: () => number) {
  const primaryLimiter = createMemoryRateLimiter({ now });
  return Array.from({ length: count }, () => {
    const pipe = loopbackChannels();
    serveRateLimiter(createIpcPeer(pipe.left), primaryLimiter);
    return { limiter: createIpcRateLimiter(createIpcPeer(pipe.right)), pipe };
  });
}

describeRateLimiterConformance('ipc to the primary', async () => {
  const clock = fakeClock();
  const [worker] = workerLimiters(1, clock.now);
  return {
    limiter: worker.limiter,
    elapse: async (ms) => {
      clock.advance(ms);
    },
    cleanUp: async () => worker.pipe.close(),
  };
});

describe('createIpcRateLimiter', () => {
  it('lets `limit` requests through across two workers, not `limit` per worker', async () => {
    const workers = workerLimiters(2, Date.now);
    const rpm = { limit: 30, periodMs: 60_000 };
    const verdicts = await Promise.all(Array.from({ length: 80 }, (_, index) => workers[index % 2].limiter.take('rpm:key:k_1', rpm)));
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(30);
  });
});
