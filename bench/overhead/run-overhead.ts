// `npm run bench:overhead`: what Frugal adds on top of a direct call to an OpenAI upstream, beside Portkey
// and a bare Node proxy (the floor), on the same machine, in the same run. Prints a markdown table and writes
// the numbers to bench/results/overhead-<time>.json. Flags: --quick (short cells, for trying the harness),
// --ledger=off (no SQLite ledger, so no spool row either), --cpu-prof (V8 CPU profile of Frugal in
// bench/results/profiles/; read it with summarize-cpu-profile.ts), --workers 1,2,auto (run-workers-bench.ts),
// --before DIR (another built checkout beside this one: run-before-after.ts). With the ledger on, a second Frugal with
// `ledger.durability: spool` runs beside the first in every 1-connection and throughput cell: what the durable
// spool costs, side by side in the same run.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BODY_BYTES, chatBody } from './chat-body.js';
import { formatSpoolTable } from './format-spool-table.js';
import { formatTable } from './format-table.js';
import { measureSequential, type SequentialPlan } from './measure-latency.js';
import { measureMemoryUnderStreams } from './measure-memory.js';
import { measureThroughput } from './measure-throughput.js';
import type { OverheadResults } from './overhead-results.js';
import { readRssMb } from './read-process-stats.js';
import {
  removeDataDir,
  startBareProxy,
  startFrugal,
  startMockUpstream,
  startPortkey,
  stopAll,
  stopChildrenOnExit,
  type Endpoint,
  type LedgerMode,
} from './start-processes.js';
import { verifyEndpoint } from './verify-endpoint.js';
import { parseWorkerCounts, runWorkersBench } from './run-workers-bench.js';
import { runBeforeAfter } from './run-before-after.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DELAYED_FIRST_TOKEN_MS = 50;
const CONCURRENT_STREAMS = 1000;

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const ledger: LedgerMode = argv.includes('--ledger=off') ? 'off' : 'sqlite';
const cpuProfile = argv.includes('--cpu-prof');
// --workers 1,2,auto (or --workers=1,2): the workers table only (run-workers-bench.ts).
const workersFlag = argv.findIndex((arg) => arg === '--workers' || arg.startsWith('--workers='));
const workerCounts = workersFlag < 0 ? undefined : parseWorkerCounts(argv[workersFlag].includes('=') ? argv[workersFlag].split('=')[1] : (argv[workersFlag + 1] ?? '1,2,auto'));
// --before DIR (or --before=DIR): this checkout beside another built checkout only (run-before-after.ts).
const beforeFlag = argv.findIndex((arg) => arg === '--before' || arg.startsWith('--before='));
const beforeDir = beforeFlag < 0 ? undefined : argv[beforeFlag].includes('=') ? argv[beforeFlag].split('=')[1] : argv[beforeFlag + 1];

const plan = {
  oneConnection: (quick
    ? { warmup: 200, iterations: 600, blockSize: 100, maxMs: 15_000 }
    : { warmup: 200, iterations: 3000, blockSize: 250, maxMs: 40_000 }) satisfies SequentialPlan,
  delayedFirstToken: (quick
    ? { warmup: 3, iterations: 30, blockSize: 10, maxMs: 10_000 }
    : { warmup: 5, iterations: 100, blockSize: 20, maxMs: 25_000 }) satisfies SequentialPlan,
  throughput: { connections: [16, 64], warmupSeconds: quick ? 1 : 2, seconds: quick ? 3 : 8 },
};

function progress(text: string) {
  process.stderr.write(`[bench:overhead] ${text}\n`);
}

async function main(): Promise<void> {
  if (workerCounts) return runWorkersBench(workerCounts, { quick, ledger, progress });
  if (beforeDir) return runBeforeAfter(beforeDir, { quick, ledger, progress });
  const started = performance.now();
  const loadAverageBefore = loadavg();
  progress(`starting mock upstream, Frugal (ledger: ${ledger}), Portkey and a bare Node proxy, each in its own process`);
  const mock = await startMockUpstream();
  const [frugal, portkey, floor, frugalSpool] = await Promise.all([
    startFrugal(mock, ledger, cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`] : []),
    startPortkey(mock),
    startBareProxy(mock),
    ledger === 'sqlite' ? startFrugal(mock, ledger, [], true) : undefined,
  ]);
  try {
    const spoolLane = frugalSpool ? [frugalSpool] : [];
    // The bare proxy joins every cell: at 1 connection it tells the hop's latency from the gateway's, under load
    // its RPS and CPU per request are the most any Node gateway could reach on this machine.
    const withFloor: Endpoint[] = [mock, floor, frugal, ...spoolLane, portkey];
    const endpoints = withFloor;
    for (const endpoint of withFloor) await verifyEndpoint(endpoint);
    progress('every endpoint answers the same JSON and SSE');
    const idleRssMb = { frugal: await readRssMb(frugal.pid), portkey: await readRssMb(portkey.pid) };

    const json = chatBody({ stream: false });
    const stream = chatBody({ stream: true });
    // Throughput first: it also warms every process's JIT and pools before the microsecond-level 1-connection cells.
    const throughput: OverheadResults['throughput'] = [];
    for (const [scenario, body] of [
      ['json', json],
      ['stream', stream],
    ] as const) {
      for (const connections of plan.throughput.connections) {
        for (const endpoint of endpoints) {
          const cell = await measureThroughput(endpoint, body, { connections, warmupSeconds: plan.throughput.warmupSeconds, seconds: plan.throughput.seconds });
          progress(`autocannon ${scenario}, ${connections} connections, ${endpoint.name}: ${cell.rps.toFixed(0)} RPS, ${cell.failures} failed`);
          throughput.push({ ...cell, scenario });
        }
      }
    }

    progress(`1 connection, sequential: ${plan.oneConnection.iterations} requests per endpoint, non-streaming then streaming`);
    const oneConnection = {
      json: await measureSequential(withFloor, json, false, plan.oneConnection),
      stream: await measureSequential(withFloor, stream, true, plan.oneConnection),
    };
    progress(`time to first token with the upstream's first token ${DELAYED_FIRST_TOKEN_MS} ms late`);
    const delayedBody = chatBody({ stream: true, directive: `[[mock:first_token_ms=${DELAYED_FIRST_TOKEN_MS}]]` });
    const delayedFirstToken = await measureSequential(withFloor, delayedBody, true, plan.delayedFirstToken);

    const pacedStream = chatBody({ stream: true, directive: '[[mock:chunk_gap_ms=5]]' });
    const memory = [];
    for (const endpoint of [frugal, portkey]) {
      progress(`${CONCURRENT_STREAMS} concurrent streams through ${endpoint.name}, sampling its RSS`);
      memory.push(await measureMemoryUnderStreams(endpoint, pacedStream, CONCURRENT_STREAMS));
    }

    const portkeyPackage = JSON.parse(await readFile(join(REPO, 'node_modules/@portkey-ai/gateway/package.json'), 'utf8')) as { version: string };
    const results: OverheadResults = {
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageBefore, loadAverageAfter: loadavg() },
      ledger,
      portkeyVersion: portkeyPackage.version,
      bodyBytes: BODY_BYTES,
      oneConnection,
      delayedFirstToken,
      delayedFirstTokenMs: DELAYED_FIRST_TOKEN_MS,
      throughput,
      idleRssMb,
      memory,
      frugalLogs: { ...frugal.logs, samples: [...frugal.logs.samples] },
      seconds: (performance.now() - started) / 1000,
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `overhead-${results.startedAt.replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify({ plan, ...results }, null, 2)}\n`);
    const spoolTable = frugalSpool ? `\n\n${formatSpoolTable(results)}` : '';
    process.stdout.write(`${describeRun(results)}\n\n${formatTable(results)}${spoolTable}\n\nResults: ${file}\n`);
  } finally {
    await stopAll();
    await removeDataDir(frugal.dataDir);
    if (frugalSpool) await removeDataDir(frugalSpool.dataDir);
    if (frugal.logs.lines > 0) progress(`Frugal logged ${frugal.logs.lines} warn/error lines in all (including shutdown): ${frugal.logs.samples.join(' | ')}`);
    if (cpuProfile) progress(`CPU profile of Frugal written to ${join(RESULTS_DIR, 'profiles')}`);
  }
}

function describeRun(results: OverheadResults): string {
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  const samples = (cells: OverheadResults['delayedFirstToken']) => Math.min(...cells.map((cell) => cell.latency.count));
  return [
    `## Gateway overhead (${results.startedAt}, ${results.seconds.toFixed(0)} s${quick ? ', --quick' : ''})`,
    '',
    `- Machine: ${results.machine.cpus} cores (${results.machine.cpuModel}), Node ${results.machine.node}. The load generator, the mock upstream and the endpoint under test are separate processes sharing these cores (the other endpoints sit idle); load average before ${load(results.machine.loadAverageBefore)}, after ${load(results.machine.loadAverageAfter)} (anything above ~0 before means other work was competing).`,
    `- Load: ${results.bodyBytes}-byte chat body, POST /v1/chat/completions, all on 127.0.0.1. Frugal ledger: ${results.ledger === 'sqlite' ? 'SQLite in a temp dir (the default)' : 'off'}; Portkey ${results.portkeyVersion} (custom host → the same mock).`,
    `- 1-connection rows: one keep-alive connection, sequential, hrtime-timed, up to ${plan.oneConnection.iterations} requests per endpoint within ${plan.oneConnection.maxMs / 1000} s (got ${samples(results.oneConnection.json)} non-streaming, ${samples(results.oneConnection.stream)} streaming, ${samples(results.delayedFirstToken)} with the late first token) after ${plan.oneConnection.warmup} warm-up, endpoints interleaved in blocks of ${plan.oneConnection.blockSize}. 16/64-connection rows: autocannon, a request count sized to about ${plan.throughput.seconds} s after about ${plan.throughput.warmupSeconds} s of warm-up, so no request is cut off (latency histogram in whole ms).`,
    '- Floor: a bare Node pass-through proxy (bare-proxy-process.ts: read the body, POST it with undici, send the answer back) measured beside the gateways in every cell: what the extra process hop alone costs on this machine, in added latency, RPS and CPU per request.',
    '- Streaming p50/p99 are whole-response times; time to first token = request start to the first `data:` event with non-empty content. Latencies in ms; + columns are gateway minus direct.',
  ].join('\n');
}

stopChildrenOnExit();
main().catch(async (error: unknown) => {
  process.stderr.write(`bench:overhead failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
