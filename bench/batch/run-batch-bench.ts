// `npm run bench:batch`: a 10 000-line batch through the simulated provider on a real `frugal serve` (SQLite ledger,
// batch store and queue in a temp data dir): lines per second, the gateway's memory while it drains, and the
// latency of real-time chat requests on the same instance with and without the batch draining — baseline and
// loaded measured in the same run. Writes bench/results/batch-<time>.json. Flags: --lines=N (default 10 000).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentileOf } from '../overhead/summarize-samples.js';
import { readRssMb } from '../overhead/read-process-stats.js';
import { startServe } from '../../src/testing/serve-child.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const linesFlag = process.argv.find((arg) => arg.startsWith('--lines='));
const LINES = linesFlag ? Number(linesFlag.split('=')[1]) : 10_000;
// --background-lane=off: batch lines as real-time calls (batches.background_lane: false), to compare.
const BACKGROUND_LANE = !process.argv.includes('--background-lane=off');
const REALTIME_REQUESTS = 300;
const TTFT_MS = 20;

const progress = (text: string) => process.stderr.write(`[bench:batch] ${text}\n`);

function config(dataDir: string) {
  return `
providers:
  sim: { kind: simulated, ttft_ms: ${TTFT_MS} }
models:
  - { name: gpt-4o-mini, provider: sim }
cache: { enabled: false }
ledger: { data_dir: "${dataDir}" }
batches: { poll_interval_ms: 500, background_lane: ${BACKGROUND_LANE} }
`;
}

async function chat(baseUrl: string, text: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_tokens: 16 }),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`real-time request failed: ${response.status}`);
  return performance.now() - started;
}

async function realTimeLatencies(baseUrl: string, count: number, stillDraining: () => boolean = () => true): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count && stillDraining(); index += 1) samples.push(await chat(baseUrl, `Real-time question ${index}`));
  return samples.sort((a, b) => a - b);
}

const summary = (samples: number[]) => ({ n: samples.length, p50: percentileOf(samples, 0.5), p99: percentileOf(samples, 0.99) });

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'frugal-bench-batch-'));
  const serve = await startServe(dataDir, config(dataDir));
  const pid = serve.child.pid!;
  try {
    progress(`gateway up (pid ${pid}); warming up`);
    await realTimeLatencies(serve.baseUrl, 50);
    const idleRssMb = await readRssMb(pid);
    const baseline = await realTimeLatencies(serve.baseUrl, REALTIME_REQUESTS);

    const jsonl = Array.from({ length: LINES }, (_, index) =>
      JSON.stringify({ custom_id: `line-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Batch question number ${index}` }], max_tokens: 16 } }),
    ).join('\n');
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([jsonl]), 'bench.jsonl');
    const uploadStarted = performance.now();
    const file = (await (await fetch(`${serve.baseUrl}/v1/files`, { method: 'POST', body: form })).json()) as { id: string };
    const uploadMs = performance.now() - uploadStarted;
    const createStarted = performance.now();
    const created = (await (
      await fetch(`${serve.baseUrl}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }) })
    ).json()) as { id: string; status: string };
    const acceptMs = performance.now() - createStarted;
    progress(`batch ${created.id} accepted in ${acceptMs.toFixed(0)} ms (${LINES} lines); measuring real-time latency while it drains`);

    let done = false;
    let peakRssMb = 0;
    let status: { status: string; request_counts: { completed: number; failed: number } } | undefined;
    const watcher = (async () => {
      while (!done) {
        peakRssMb = Math.max(peakRssMb, await readRssMb(pid));
        status = (await (await fetch(`${serve.baseUrl}/v1/batches/${created.id}`)).json()) as typeof status;
        if (status!.status === 'completed' || status!.status === 'failed') done = true;
        else await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const loaded = await realTimeLatencies(serve.baseUrl, REALTIME_REQUESTS, () => !done);
    await watcher;
    const drainMs = performance.now() - createStarted;
    const linesPerSecond = LINES / (drainMs / 1000);
    const results = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg() },
      lines: LINES,
      settings: { simulatedTtftMs: TTFT_MS, concurrency: 2, lineConcurrency: 8, backgroundLane: BACKGROUND_LANE, queue: 'sqlite', ledger: 'sqlite' },
      uploadMs,
      acceptMs,
      drainMs,
      linesPerSecond,
      finalStatus: status?.status,
      counts: status?.request_counts,
      memory: { idleRssMb, peakRssMb },
      realTime: { baseline: summary(baseline), whileDraining: summary(loaded) },
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const path = join(RESULTS_DIR, `batch-${results.at.replaceAll(':', '-').replace('.', '-')}.json`);
    await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
    const ms = (value: number) => value.toFixed(1);
    console.log(`\n## bench:batch — ${LINES} lines, simulated provider (ttft ${TTFT_MS} ms), background lane ${BACKGROUND_LANE ? 'on' : 'off'}, SQLite store/queue/ledger, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}\n`);
    console.log('| measure | value |\n|---|---|');
    console.log(`| upload (${(Buffer.byteLength(jsonl) / 1e6).toFixed(1)} MB) | ${ms(uploadMs)} ms |`);
    console.log(`| accept (validate, store lines, enqueue) | ${ms(acceptMs)} ms |`);
    console.log(`| drain (create → completed) | ${(drainMs / 1000).toFixed(1)} s |`);
    console.log(`| lines per second | ${linesPerSecond.toFixed(0)} |`);
    console.log(`| result | ${status?.status}, ${status?.request_counts.completed} completed, ${status?.request_counts.failed} failed |`);
    console.log(`| RSS idle → peak while draining | ${idleRssMb.toFixed(0)} → ${peakRssMb.toFixed(0)} MB |`);
    console.log('\n| real-time chat (same instance) | n | p50 | p99 |\n|---|---|---|---|');
    console.log(`| without a batch | ${results.realTime.baseline.n} | ${ms(results.realTime.baseline.p50)} ms | ${ms(results.realTime.baseline.p99)} ms |`);
    console.log(`| while the batch drains | ${results.realTime.whileDraining.n} | ${ms(results.realTime.whileDraining.p50)} ms | ${ms(results.realTime.whileDraining.p99)} ms |`);
    console.log(`\nresults: ${path}`);
  } finally {
    serve.child.kill('SIGKILL');
    await serve.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
