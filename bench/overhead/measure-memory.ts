import { Agent, request } from 'undici';
import { readRssMb } from './read-process-stats.js';
import type { Endpoint } from './start-processes.js';

export interface MemoryResult {
  endpoint: Endpoint['name'];
  concurrent: number;
  completed: number;
  failures: number;
  /** Resident set size of the gateway process, MB (1 MB = 2^20 bytes). */
  beforeMb: number;
  peakMb: number;
  afterMb: number;
  seconds: number;
}

const SAMPLE_EVERY_MS = 25;

/**
 * Opens `concurrent` streaming requests at once, each on its own connection, and samples the gateway's RSS
 * until every stream has ended. The body should make the upstream pace its chunks so the streams overlap.
 */
export async function measureMemoryUnderStreams(endpoint: Endpoint, body: string, concurrent: number): Promise<MemoryResult> {
  const dispatcher = new Agent({ connections: concurrent, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const beforeMb = await readRssMb(endpoint.pid);
  let peakMb = beforeMb;
  let sampling: Promise<void> = Promise.resolve();
  const sampler = setInterval(() => {
    sampling = sampling.then(async () => {
      peakMb = Math.max(peakMb, await readRssMb(endpoint.pid));
    });
  }, SAMPLE_EVERY_MS);
  const started = performance.now();
  let completed = 0;
  let failures = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrent }, async () => {
        try {
          const response = await request(endpoint.url, { method: 'POST', headers: endpoint.headers, body, dispatcher });
          const text = await response.body.text();
          if (response.statusCode === 200 && text.includes('[DONE]')) completed += 1;
          else failures += 1;
        } catch {
          failures += 1;
        }
      }),
    );
  } finally {
    clearInterval(sampler);
    await sampling;
    await dispatcher.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const afterMb = await readRssMb(endpoint.pid);
  return { endpoint: endpoint.name, concurrent, completed, failures, beforeMb, peakMb: Math.max(peakMb, afterMb), afterMb, seconds };
}
