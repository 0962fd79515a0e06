/**
 * The cache's hit path through the gateway: a cacheable request (temperature 0) answered by Frugal from its
 * in-memory cache, against the same request sent directly to the mock upstream. Prints RPS and latency at 1,
 * 16 and 64 connections, and the added latency of a hit at one connection.
 *
 *   node --import tsx bench/cache/run-cache-hit-path.ts
 */
import { chatBody } from '../overhead/chat-body.js';
import { measureSequential } from '../overhead/measure-latency.js';
import { measureThroughput } from '../overhead/measure-throughput.js';
import { startFrugal, startMockUpstream, stopAll } from '../overhead/start-processes.js';

// The overhead harness sends temperature 1 (uncacheable); a hit needs a cacheable request.
const body = chatBody({ stream: false }).replace('"temperature":1', '"temperature":0');

async function main() {
  const mock = await startMockUpstream();
  const frugal = await startFrugal(mock, 'sqlite');
  try {
    // Prime the cache, then make sure the next answer really is a hit.
    for (let i = 0; i < 2; i += 1) await fetch(frugal.url, { method: 'POST', headers: { 'content-type': 'application/json', ...frugal.headers }, body });
    const check = await fetch(frugal.url, { method: 'POST', headers: { 'content-type': 'application/json', ...frugal.headers }, body });
    await check.arrayBuffer();
    if (check.headers.get('x-frugal-cache') !== 'hit') throw new Error(`expected a cache hit, got x-frugal-cache: ${check.headers.get('x-frugal-cache')}`);

    const sequential = await measureSequential([mock, frugal], body, false, { warmup: 200, iterations: 3000, blockSize: 250, maxMs: 40_000 });
    const rows = [
      '| path | conns | RPS | p50 ms | p99 ms | CPU ms/req (gateway) |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const result of sequential) {
      rows.push(`| ${result.endpoint === 'direct' ? 'upstream direct (miss path floor)' : 'Frugal cache hit'} | 1 | ${result.rps.toFixed(0)} | ${result.latency.p50.toFixed(3)} | ${result.latency.p99.toFixed(3)} | ${result.cpuMsPerRequest?.toFixed(3) ?? '—'} |`);
    }
    for (const connections of [16, 64]) {
      for (const endpoint of [mock, frugal]) {
        const result = await measureThroughput(endpoint, body, { connections, warmupSeconds: 2, seconds: 6 });
        rows.push(`| ${endpoint === mock ? 'upstream direct' : 'Frugal cache hit'} | ${connections} | ${result.rps.toFixed(0)} | ${result.p50} | ${result.p99} | ${endpoint === frugal ? result.cpuMsPerRequest.toFixed(3) : '—'} |`);
      }
    }
    const [direct, hit] = sequential;
    console.log('## Cache hit path through the gateway\n');
    console.log(rows.join('\n'));
    console.log(`\nA hit answers in ${hit.latency.p50.toFixed(3)} ms p50 at one connection (direct call to a local mock upstream: ${direct.latency.p50.toFixed(3)} ms) and costs $0.`);
  } finally {
    await stopAll();
  }
}

await main();
