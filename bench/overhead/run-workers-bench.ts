// `npm run bench:overhead -- --workers 1,2,auto`: peak throughput and CPU per request of `frugal serve` at each
// worker count, beside Portkey and the mock alone, in the same run. Peak = the best of the 16- and 64-connection
// cells; CPU per request sums the primary and its workers. The load generator shares the machine's cores: on a
// machine without spare cores for it, more workers cannot show their scaling (the table says how many there are).
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chatBody } from './chat-body.js';
import { measureThroughput, type ThroughputResult } from './measure-throughput.js';
import { removeDataDir, startFrugal, startMockUpstream, startPortkey, stopAll, type Endpoint, type LedgerMode } from './start-processes.js';
import { verifyEndpoint } from './verify-endpoint.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** `1,2,auto` → [1, 2, cores]; duplicates dropped, order kept. */
export function parseWorkerCounts(list: string): number[] {
  const counts = list.split(',').map((item) => (item.trim() === 'auto' ? availableParallelism() : Number(item)));
  for (const count of counts) if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--workers takes counts such as 1,2,auto (got '${list}')`);
  return [...new Set(counts)];
}

interface Lane {
  label: string;
  workers: number | undefined;
  cells: ThroughputResult[];
}

export async function runWorkersBench(counts: number[], { quick, ledger, progress }: { quick: boolean; ledger: LedgerMode; progress: (text: string) => void }): Promise<void> {
  const plan = { connections: [16, 64], warmupSeconds: quick ? 1 : 2, seconds: quick ? 2 : 5 };
  progress(`workers bench: Frugal at ${counts.join(', ')} workers (ledger: ${ledger}), Portkey and the mock, ${plan.seconds} s cells`);
  const mock = await startMockUpstream();
  const portkey = await startPortkey(mock);
  const frugals: Array<{ workers: number; endpoint: Awaited<ReturnType<typeof startFrugal>> }> = [];
  try {
    // One at a time: N workers starting together from the sources would compete for the cores.
    for (const workers of counts) frugals.push({ workers, endpoint: await startFrugal(mock, ledger, [], false, workers) });
    for (const endpoint of [mock, portkey, ...frugals.map((frugal) => frugal.endpoint)]) await verifyEndpoint(endpoint);
    const body = chatBody({ stream: false });
    const lanes: Lane[] = [
      { label: 'direct (mock)', workers: undefined, cells: [] },
      { label: 'Portkey', workers: undefined, cells: [] },
      ...frugals.map((frugal) => ({ label: `Frugal, ${frugal.workers} worker${frugal.workers === 1 ? '' : 's'}`, workers: frugal.workers, cells: [] })),
    ];
    const endpoints: Endpoint[] = [mock, portkey, ...frugals.map((frugal) => frugal.endpoint)];
    for (const connections of plan.connections) {
      for (const [position, endpoint] of endpoints.entries()) {
        const cell = await measureThroughput(endpoint, body, { connections, warmupSeconds: plan.warmupSeconds, seconds: plan.seconds });
        progress(`${lanes[position].label}, ${connections} connections: ${cell.rps.toFixed(0)} RPS, ${cell.cpuMsPerRequest.toFixed(3)} ms CPU/request, ${cell.failures} failed`);
        lanes[position].cells.push(cell);
      }
    }
    const startedAt = new Date().toISOString();
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `overhead-workers-${startedAt.replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify({ plan, counts, ledger, machine: { cpus: cpus().length, loadAverage: loadavg() }, lanes }, null, 2)}\n`);
    process.stdout.write(`${formatWorkersTable(lanes, quick)}\n\nResults: ${file}\n`);
  } finally {
    await stopAll();
    for (const frugal of frugals) await removeDataDir(frugal.endpoint.dataDir);
  }
}

function formatWorkersTable(lanes: Lane[], quick: boolean): string {
  const peak = (lane: Lane) => lane.cells.reduce((best, cell) => (cell.rps > best.rps ? cell : best));
  const portkey = peak(lanes.find((lane) => lane.label === 'Portkey')!);
  const single = lanes.find((lane) => lane.workers === 1);
  const one = single ? peak(single) : undefined;
  const rows = lanes.map((lane) => {
    const best = peak(lane);
    const failures = lane.cells.reduce((sum, cell) => sum + cell.failures, 0);
    const vsPortkey = lane.label === 'Portkey' || lane.workers === undefined ? '' : `${(best.rps / portkey.rps).toFixed(2)}×`;
    const vsOne = lane.workers === undefined || !one ? '' : `${(best.rps / one.rps).toFixed(2)}×`;
    return `| ${lane.label} | ${best.rps.toFixed(0)} (${best.connections} conn) | ${best.cpuMsPerRequest.toFixed(3)} | ${best.p50} / ${best.p99} | ${vsPortkey} | ${vsOne} | ${failures} |`;
  });
  return [
    `## Workers: peak throughput, non-streaming chat (${cpus().length} cores, load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}${quick ? ', --quick' : ''})`,
    '',
    `The load generator (autocannon), the mock upstream and the gateway share these ${cpus().length} cores: with fewer cores than workers + load generator + mock, extra workers compete with the load for the same cores and cannot show their scaling here.`,
    '',
    '| endpoint | peak RPS | CPU ms / request (all processes) | p50 / p99 ms at peak | RPS vs Portkey | RPS vs 1 worker | failed |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
