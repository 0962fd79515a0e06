// `npm run bench:lanes`: queue separation under load. Real-time requests (HTTP, the official openai client, 4 at a
// time) are timed alone, then again while 5 000 background requests drain through the background lane to the same
// deployment (an upstream that enforces the deployment's RPM itself). Prints a markdown table: real-time p50/p99
// alone and during the drain, background drain rate, upstream calls per lane, refusals, and RSS. Flags: --quick
// (1 000 background, 200 real-time), --queue=sqlite|postgres|redis (default sqlite).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { FrugalError } from '../../src/errors/frugal-error.js';
import { startRateLimitedUpstream } from '../../src/testing/rate-limited-upstream.js';
import { Redis } from 'ioredis';
import pg from 'pg';
import { deleteByPrefix, TEST_DATABASE_URL, TEST_REDIS_URL } from '../../src/testing/services.js';
import { startTestGateway } from '../../src/testing/start-test-gateway.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const queue = (argv.find((arg) => arg.startsWith('--queue='))?.split('=')[1] ?? 'sqlite') as 'sqlite' | 'postgres' | 'redis';
const BACKGROUND = quick ? 1_000 : 5_000;
const REALTIME = quick ? 200 : 600;
const RPM = 12_000;
const SHARE = 0.3;
const UPSTREAM_LATENCY_MS = 20;

const progress = (text: string) => process.stderr.write(`[bench:lanes] ${text}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function timeRealtime(client: OpenAI, count: number, statuses: number[]): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const n = next++;
        const started = performance.now();
        const { response } = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: `answer the customer ${n}` }] }).withResponse();
        latencies.push(performance.now() - started);
        statuses.push(response.status);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const upstream = await startRateLimitedUpstream({ limit: RPM, windowMs: 60_000, latencyMs: UPSTREAM_LATENCY_MS });
const dataDir = mkdtempSync(join(tmpdir(), 'frugal-bench-lanes-'));
const env: Record<string, string> = queue === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL } : {};
const frugal = await startTestGateway(
  {
    providers: { limited: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-bench' } },
    models: [{ name: 'mini', provider: 'limited', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 } }],
    routes: { assistant: { strategy: 'loadbalance', deployments: [{ model: 'mini', rpm: RPM }], retries: { attempts: 1 } } },
    lanes: { background: { share: SHARE, concurrency: 32 } },
    ledger: { data_dir: dataDir, enabled: false },
    queue: queue === 'redis' ? { backend: 'redis', redis_url: TEST_REDIS_URL, key_prefix: `frugal_bench_${process.pid}` } : queue === 'postgres' ? { backend: 'postgres', key_prefix: `frugal_bench_${process.pid}` } : { backend: 'sqlite' },
    cache: { enabled: false },
    resilience: { health_check_interval_ms: 0 },
  },
  env,
);
const client = new OpenAI({ apiKey: 'client-key', baseURL: frugal.baseUrl, maxRetries: 0 });
try {
  progress(`warm-up; queue ${queue}; ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`);
  await timeRealtime(client, 50, []);
  const aloneStatuses: number[] = [];
  const alone = await timeRealtime(client, REALTIME, aloneStatuses);
  progress(`real-time alone: p50 ${percentile(alone, 50).toFixed(1)} ms`);

  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const drainStarted = performance.now();
  let drainedAt = 0;
  let served = 0;
  let refused = 0;
  const submitOne = (n: number) =>
      frugal.gateway.chat({ model: 'assistant', messages: [{ role: 'user', content: `[bg] classify ticket ${n}` }] }, { lane: { priority: 'background', deadline: '10m' } }).then(
        () => {
          served += 1;
        },
        (error: unknown) => {
          if (!(error instanceof FrugalError && error.status === 429)) throw error;
          refused += 1;
        },
      );
  // Submitted one per event-loop turn, as requests arriving over the network would be (not all in one tick).
  const submitted: Array<Promise<void>> = [];
  const submitting = (async () => {
    for (let n = 0; n < BACKGROUND; n += 1) {
      submitted.push(submitOne(n));
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const background = submitting.then(() => Promise.all(submitted)).then(() => (drainedAt = performance.now()));
  const duringStatuses: number[] = [];
  const during = await timeRealtime(client, REALTIME, duringStatuses);
  const drainWasRunning = drainedAt === 0;
  await background;
  clearInterval(sampler);
  const rssPeakMb = (rssPeak - rssBefore) / 1024 / 1024;
  const drainSeconds = (drainedAt - drainStarted) / 1000;

  // Baseline in the same run: the same load sent as real-time requests (no lane, no queue), 32 at a time.
  const plainStarted = performance.now();
  let nextPlain = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (nextPlain < BACKGROUND) {
        const n = nextPlain++;
        await frugal.gateway.chat({ model: 'mini', messages: [{ role: 'user', content: `plain ticket ${n}` }] });
      }
    }),
  );
  const plainSeconds = (performance.now() - plainStarted) / 1000;

  const bgCalls = upstream.calls.filter((call) => call.lane === 'background');
  const rtRefused = [...aloneStatuses, ...duringStatuses].filter((status) => status !== 200).length;
  const upstream429 = upstream.calls.filter((call) => !call.accepted).length;
  const rows = [
    ['real-time p50 / p99, alone (ms)', `${percentile(alone, 50).toFixed(1)} / ${percentile(alone, 99).toFixed(1)}`],
    [`real-time p50 / p99, during the drain (ms)${drainWasRunning ? '' : ' — drain ended first'}`, `${percentile(during, 50).toFixed(1)} / ${percentile(during, 99).toFixed(1)}`],
    ['real-time requests not answered 200', String(rtRefused)],
    [`background: ${BACKGROUND} requests drained in (s)`, `${drainSeconds.toFixed(2)} (${(BACKGROUND / drainSeconds).toFixed(0)} req/s; ${served} served, ${refused} share 429s)`],
    [`the same ${BACKGROUND} sent as real-time requests, 32 at a time, no lane (s)`, `${plainSeconds.toFixed(2)} (${(BACKGROUND / plainSeconds).toFixed(0)} req/s)`],
    [`background upstream calls (at most ${Math.floor(RPM * SHARE)} + ${Math.floor(RPM * SHARE)}/min × drain time = ${Math.floor(RPM * SHARE * (1 + drainSeconds / 60))})`, String(bgCalls.length)],
    ['upstream 429s (anyone)', String(upstream429)],
    ['peak RSS growth during the drain (MB)', rssPeakMb.toFixed(1)],
  ];
  console.log(`\n### bench:lanes — queue ${queue}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}, upstream ${UPSTREAM_LATENCY_MS} ms, RPM ${RPM}\n`);
  console.log('| measure | value |\n|---|---|');
  for (const [measure, value] of rows) console.log(`| ${measure} | ${value} |`);
} finally {
  await frugal.close();
  await upstream.close();
  rmSync(dataDir, { recursive: true, force: true });
  // The queue's own tables / keys of this run go too.
  if (queue === 'postgres') {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS frugal_bench_${process.pid} CASCADE`);
    await admin.end();
  }
  if (queue === 'redis') {
    const admin = new Redis(TEST_REDIS_URL);
    await deleteByPrefix(admin, `frugal_bench_${process.pid}`);
    await admin.quit();
  }
}
