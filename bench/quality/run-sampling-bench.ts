/**
 * What sampling adds to the reply path (issue 13's target: ≤ 0.05 ms p50). Three gateways in one process, same
 * config but for `quality:` — off, sampling 2 % (the documented default) and sampling every request, the latter
 * two writing redacted samples to a real SQLite ledger file off the path — answer the same request from the
 * simulated provider (no network, no delay), in interleaved blocks so machine noise falls on all three alike.
 * Added latency = p50(with sampling) − p50(off), from the same run.
 *
 *   node --import tsx bench/quality/run-sampling-bench.ts [--iterations 20000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/load-config.js';
import { createSqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store.js';
import { createGatewayFromConfig, type Gateway } from '../../src/pipeline/create-gateway.js';
import { openSampleStore } from '../../src/quality/open-sample-store.js';

const iterations = Number(process.argv[process.argv.indexOf('--iterations') + 1]) || 20_000;
const BLOCK = 250;

const body = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You answer support questions for ACME. Be brief.' },
    { role: 'user', content: 'My account ACCT-99812 was charged twice for order 5521, can you refund one? My key is sk-proj-abcdefghijklmnop.' },
  ],
};

function config(quality: Record<string, unknown> | undefined) {
  // No providers: demo mode, every catalog model served by the simulated provider at once.
  return validateConfig(quality ? { quality } : {}, { env: {} });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-quality-bench-'));
  const ledger = createSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') });
  await ledger.migrate();
  const samples = openSampleStore({ dataDir: dir });
  const route = (sample: number) => ({ routes: { 'gpt-4o-mini': { sample, redact: ['ACCT-\\d+'] } } });
  const gateways: Array<{ name: string; gateway: Gateway; latencies: number[] }> = [
    { name: 'quality off', gateway: createGatewayFromConfig(config(undefined), undefined), latencies: [] },
    { name: 'sample 2 %', gateway: createGatewayFromConfig(config(route(0.02)), undefined, undefined, undefined, { samples, feedback: undefined }), latencies: [] },
    { name: 'sample 100 %', gateway: createGatewayFromConfig(config(route(1)), undefined, undefined, undefined, { samples, feedback: undefined }), latencies: [] },
  ];
  try {
    // Warm-up: JIT, the SQLite statement cache.
    for (const { gateway } of gateways) for (let i = 0; i < 2_000; i += 1) await gateway.chat(body);
    for (let done = 0; done < iterations; done += BLOCK) {
      for (const entry of gateways) {
        for (let i = 0; i < BLOCK; i += 1) {
          const start = performance.now();
          await entry.gateway.chat(body);
          entry.latencies.push(performance.now() - start);
        }
      }
    }
  } finally {
    for (const { gateway } of gateways) await gateway.close();
  }
  await ledger.close();
  const base = [...gateways[0].latencies].sort((a, b) => a - b);
  const rows = ['| gateway | requests | p50 ms | p95 ms | added p50 ms |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const { name, latencies } of gateways) {
    const sorted = [...latencies].sort((a, b) => a - b);
    rows.push(`| ${name} | ${sorted.length} | ${percentile(sorted, 50).toFixed(4)} | ${percentile(sorted, 95).toFixed(4)} | ${(percentile(sorted, 50) - percentile(base, 50)).toFixed(4)} |`);
  }
  const stored = await samples.awaitingReview({ limit: 1_000_000 });
  await samples.close();
  await rm(dir, { recursive: true, force: true });
  console.log('## Sampling on the reply path (in-process gateway.chat, simulated provider)\n');
  console.log(rows.join('\n'));
  console.log(`\n${stored.length} redacted samples written off the path. Target: added p50 ≤ 0.05 ms.`);
}

await main();
