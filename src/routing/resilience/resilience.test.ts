import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { LatencyTracker } from './latency-tracker.js';
import { retryDelayMs } from './retry-backoff.js';

const options = { consecutiveFailures: 3, errorRate: 0.5, minRequests: 10, windowMs: 10_000, openMs: 5_000 };

describe('circuit breaker', () => {
  it('opens after consecutive failures, half-opens after openMs for one probe, and closes on its success', () => {
    let now = 0;
    const states: string[] = [];
    const breaker = new CircuitBreaker(options, () => now, (state) => states.push(state));
    for (let i = 0; i < 3; i += 1) {
      expect(breaker.tryPass()).toBe(true);
      breaker.recordFailure();
    }
    expect(breaker.state).toBe('open');
    expect(breaker.tryPass()).toBe(false);
    now = 5_000;
    expect(breaker.tryPass()).toBe(true); // the probe
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryPass()).toBe(false); // only one probe at a time
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('keeps its single probe when a call let through before it opened ends without a verdict', () => {
    let now = 0;
    const breaker = new CircuitBreaker(options, () => now);
    expect(breaker.tryPass()).toBe(true); // a straggler, sent while the circuit was closed
    for (let i = 0; i < 3; i += 1) breaker.recordFailure();
    now = 5_000;
    expect(breaker.tryPass()).toBe(true); // the probe
    breaker.release(false); // the straggler's client left
    expect(breaker.tryPass()).toBe(false); // still one probe out: no second one
    breaker.release(true);
    expect(breaker.tryPass()).toBe(true);
  });

  it('reopens when the half-open probe fails', () => {
    let now = 0;
    const breaker = new CircuitBreaker(options, () => now);
    for (let i = 0; i < 3; i += 1) breaker.recordFailure();
    now = 6_000;
    expect(breaker.tryPass()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    now = 7_000;
    expect(breaker.tryPass()).toBe(false);
  });

  it('opens on the error rate over a window even without a streak', () => {
    const breaker = new CircuitBreaker(options, () => 0);
    // F S F S … F: 11 calls, 6 failures; the rate is judged when a failure arrives.
    for (let i = 0; i < 11; i += 1) (i % 2 === 0 ? breaker.recordFailure() : breaker.recordSuccess());
    expect(breaker.state).toBe('open');
  });
});

describe('retry backoff', () => {
  const policy = { baseMs: 100, maxMs: 1_000 };
  it('draws full jitter from an exponentially growing, capped ceiling', () => {
    expect(retryDelayMs(0, policy, () => 0.5)).toBe(50);
    expect(retryDelayMs(2, policy, () => 0.5)).toBe(200);
    expect(retryDelayMs(10, policy, () => 0.999)).toBe(999);
  });
  it('never retries sooner than Retry-After, and gives up when Retry-After exceeds the cap', () => {
    expect(retryDelayMs(0, policy, () => 0, 0.5)).toBe(500);
    expect(retryDelayMs(0, policy, () => 0, 2)).toBeUndefined();
  });
});

describe('latency tracker', () => {
  it('tracks in-flight requests, an EWMA of latency and the p95 of time to first token', () => {
    const tracker = new LatencyTracker();
    tracker.begin('a');
    tracker.begin('a');
    expect(tracker.inFlight('a')).toBe(2);
    tracker.end('a', 100, 10);
    tracker.end('a', 200, 20);
    expect(tracker.inFlight('a')).toBe(0);
    expect(tracker.ewmaMs('a')).toBeCloseTo(120, 6);
    for (let i = 1; i <= 100; i += 1) tracker.end('b', 1, i);
    expect(tracker.ttftP95('b')).toBe(96);
    expect(tracker.ttftP95('a')).toBeUndefined();
  });
});
