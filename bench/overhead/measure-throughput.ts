import { createRequire } from 'node:module';
import { readTreeCpuMs } from './read-process-stats.js';
import type { Endpoint } from './start-processes.js';

/** The part of autocannon's options and result this benchmark uses (the package ships no types). */
interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  pipelining: number;
  amount: number;
  timeout: number;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: { p50: number; p99: number; mean: number };
}
interface AutocannonInstance {
  stop(): void;
  on(event: 'response', listener: (client: unknown, statusCode: number) => void): void;
}
type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface ThroughputPlan {
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface ThroughputResult {
  endpoint: Endpoint['name'];
  connections: number;
  rps: number;
  /** autocannon's histogram: whole milliseconds. */
  p50: number;
  p99: number;
  /** CPU time the serving process and its children (workers; for direct: the mock) spent per answered request, ms. */
  cpuMsPerRequest: number;
  /** Non-2xx answers, socket errors and timeouts together; any makes the cell suspect. */
  failures: number;
}

const MAX_REQUESTS = 300_000;

interface Run {
  result: AutocannonResult;
  /** 2xx answers per second, from the first request to the last answer (autocannon's own duration
   *  stretches an amount-bounded run to its next one-second tick). */
  rps: number;
}

/** Runs exactly `amount` requests; the timer is only a safety net (stopping aborts what is in flight). */
function run(options: Omit<AutocannonOptions, 'amount'>, amount: number, limitSeconds: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let lastAnswer = started;
    let answered = 0;
    const instance = autocannon({ ...options, amount: Math.max(options.connections, Math.round(amount)) }, (error, result) => {
      clearTimeout(timer);
      if (error) return reject(error);
      const seconds = Number(lastAnswer - started) / 1e9;
      resolve({ result, rps: seconds > 0 ? answered / seconds : 0 });
    });
    instance.on('response', (_client, statusCode) => {
      if (statusCode < 200 || statusCode > 299) return;
      answered += 1;
      lastAnswer = process.hrtime.bigint();
    });
    const timer = setTimeout(() => instance.stop(), limitSeconds * 1000);
  });
}

/**
 * Closed-loop load at a fixed connection count: each connection sends its next request when the last ends.
 * Cells are sized by request count, not duration: a duration cut would abort the requests in flight, and
 * a gateway may rightly treat a burst of aborted calls as a sick upstream (and open its circuit breaker).
 * A short probe sizes the warm-up, the warm-up sizes the measured run to about `seconds`.
 */
export async function measureThroughput(endpoint: Endpoint, body: string, plan: ThroughputPlan): Promise<ThroughputResult> {
  const options = { url: endpoint.url, method: 'POST' as const, headers: endpoint.headers, body, connections: plan.connections, pipelining: 1, timeout: 30 };
  const probe = await run(options, plan.connections * 10, 10);
  const warm = plan.warmupSeconds > 0 ? await run(options, Math.min(MAX_REQUESTS, probe.rps * plan.warmupSeconds), plan.warmupSeconds * 4) : probe;
  const cpuBefore = await readTreeCpuMs(endpoint.pid);
  const { result, rps } = await run(options, Math.min(MAX_REQUESTS, warm.rps * plan.seconds), plan.seconds * 4);
  const cpuMs = (await readTreeCpuMs(endpoint.pid)) - cpuBefore;
  return {
    endpoint: endpoint.name,
    connections: plan.connections,
    rps,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: result['2xx'] > 0 ? cpuMs / result['2xx'] : Number.NaN,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
