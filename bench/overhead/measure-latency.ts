import { Pool } from 'undici';
import { readCpuMs } from './read-process-stats.js';
import type { Endpoint } from './start-processes.js';
import { summarizeSamples, type LatencySummary } from './summarize-samples.js';

export interface SequentialPlan {
  /** Requests per endpoint before measuring (JIT, keep-alive sockets, upstream pools). */
  warmup: number;
  /** Measured requests per endpoint. */
  iterations: number;
  /** Endpoints take turns in blocks of this many requests, so drifting noise on a shared machine hits all alike. */
  blockSize: number;
  /** Stops early (with fewer samples) after this long, to keep the run bounded. */
  maxMs: number;
}

export interface SequentialResult {
  endpoint: Endpoint['name'];
  /** Whole response, request start to last byte (ms). */
  latency: LatencySummary;
  /** Streams only: request start to the first `data:` event carrying non-empty content (ms). */
  firstContent: LatencySummary | undefined;
  rps: number;
  /** Gateways only (the mock serves every lane): process CPU per request, warm-up included, ms. */
  cpuMsPerRequest: number | undefined;
  errors: number;
}

// A delta with text: `"content":"` followed by anything but the closing quote (the role chunk has "").
const CONTENT_DELTA = /"content":"[^"]/;
const MAX_ERRORS = 20;

interface Timing {
  totalMs: number;
  firstContentMs: number | undefined;
}

async function timeOne(pool: Pool, path: string, endpoint: Endpoint, body: string, stream: boolean): Promise<Timing> {
  const start = process.hrtime.bigint();
  const response = await pool.request({ path, method: 'POST', headers: endpoint.headers, body });
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    throw new Error(`${endpoint.name} answered ${response.statusCode}: ${text.slice(0, 200)}`);
  }
  let firstContent: bigint | undefined;
  let seen = '';
  for await (const chunk of response.body) {
    if (stream && firstContent === undefined) {
      seen += (chunk as Buffer).toString('utf8');
      if (CONTENT_DELTA.test(seen)) firstContent = process.hrtime.bigint();
    }
  }
  const end = process.hrtime.bigint();
  if (stream && firstContent === undefined) throw new Error(`${endpoint.name} streamed no content`);
  return {
    totalMs: Number(end - start) / 1e6,
    firstContentMs: firstContent === undefined ? undefined : Number(firstContent - start) / 1e6,
  };
}

/**
 * One connection, one request at a time, timed with hrtime: the only way to resolve a 0.2 ms difference
 * (autocannon's histogram counts whole milliseconds). Endpoints are measured interleaved, block by block.
 */
export async function measureSequential(endpoints: readonly Endpoint[], body: string, stream: boolean, plan: SequentialPlan): Promise<SequentialResult[]> {
  const lanes = endpoints.map((endpoint) => {
    const url = new URL(endpoint.url);
    return {
      endpoint,
      path: url.pathname,
      pool: new Pool(url.origin, { connections: 1, pipelining: 1, keepAliveTimeout: 60_000 }),
      totals: [] as number[],
      firstContents: [] as number[],
      errors: 0,
      cpuBefore: 0,
      cpuMs: Number.NaN,
    };
  });
  // Each gateway serves only its own lane, so its CPU over the whole measurement is that lane's.
  for (const lane of lanes) lane.cpuBefore = await readCpuMs(lane.endpoint.pid);
  try {
    for (const lane of lanes) {
      for (let i = 0; i < plan.warmup; i += 1) await timeOne(lane.pool, lane.path, lane.endpoint, body, stream);
    }
    const deadline = Date.now() + plan.maxMs;
    while (lanes.some((lane) => lane.totals.length < plan.iterations) && Date.now() < deadline) {
      for (const lane of lanes) {
        const end = Math.min(plan.iterations, lane.totals.length + plan.blockSize);
        while (lane.totals.length < end) {
          try {
            const timing = await timeOne(lane.pool, lane.path, lane.endpoint, body, stream);
            lane.totals.push(timing.totalMs);
            if (timing.firstContentMs !== undefined) lane.firstContents.push(timing.firstContentMs);
          } catch (error) {
            lane.errors += 1;
            if (lane.errors > MAX_ERRORS) throw error;
          }
        }
      }
    }
    for (const lane of lanes) lane.cpuMs = (await readCpuMs(lane.endpoint.pid)) - lane.cpuBefore;
  } finally {
    await Promise.all(lanes.map((lane) => lane.pool.close()));
  }
  return lanes.map((lane) => {
    const sent = plan.warmup + lane.totals.length + lane.errors;
    const busyMs = lane.totals.reduce((sum, value) => sum + value, 0);
    return {
      endpoint: lane.endpoint.name,
      latency: summarizeSamples(lane.totals),
      firstContent: stream ? summarizeSamples(lane.firstContents) : undefined,
      rps: busyMs > 0 ? (lane.totals.length * 1000) / busyMs : 0,
      cpuMsPerRequest: lane.endpoint.name === 'direct' ? undefined : lane.cpuMs / sent,
      errors: lane.errors,
    };
  });
}
