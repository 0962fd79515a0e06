// `npm run bench:overhead -- --before DIR`: this checkout's Frugal beside another checkout's (DIR: e.g. a
// `git worktree` of the commit before a change, built), on the same mock, in the same run, cells alternating
// before/after for several rounds so drift on a shared machine hits both alike. Prints the median RPS and CPU
// per request of each, non-streaming and streaming, at 16 and 64 connections.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chatBody } from './chat-body.js';
import { measureThroughput, type ThroughputResult } from './measure-throughput.js';
import { removeDataDir, startFrugal, startMockUpstream, stopAll, type LedgerMode } from './start-processes.js';
import { verifyEndpoint } from './verify-endpoint.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export async function runBeforeAfter(beforeDir: string, { quick, ledger, progress }: { quick: boolean; ledger: LedgerMode; progress: (text: string) => void }): Promise<void> {
  const rounds = quick ? 3 : 5;
  const plan = { warmupSeconds: 1, seconds: quick ? 2 : 4 };
  const mock = await startMockUpstream();
  const before = await startFrugal(mock, ledger, [], false, 1, resolve(beforeDir));
  const after = await startFrugal(mock, ledger);
  const lanes = [
    { label: `before (${beforeDir})`, endpoint: before },
    { label: 'after (this checkout)', endpoint: after },
  ];
  const cells: Array<{ scenario: string; connections: number; before: ThroughputResult[]; after: ThroughputResult[] }> = [];
  try {
    for (const { endpoint } of lanes) await verifyEndpoint(endpoint);
    for (const stream of [false, true]) {
      for (const connections of [16, 64]) {
        const cell = { scenario: stream ? 'streaming' : 'non-streaming', connections, before: [] as ThroughputResult[], after: [] as ThroughputResult[] };
        for (let round = 0; round < rounds; round += 1) {
          // Alternate who goes first: a machine warming up or cooling down must not favour one side.
          const order = round % 2 === 0 ? [0, 1] : [1, 0];
          for (const index of order) {
            const result = await measureThroughput(lanes[index].endpoint, chatBody({ stream }), { connections, ...plan });
            (index === 0 ? cell.before : cell.after).push(result);
          }
        }
        progress(`${cell.scenario}, ${connections} connections: before ${median(cell.before.map((r) => r.rps)).toFixed(0)} RPS, after ${median(cell.after.map((r) => r.rps)).toFixed(0)} RPS`);
        cells.push(cell);
      }
    }
  } finally {
    await stopAll();
    await removeDataDir(before.dataDir);
    await removeDataDir(after.dataDir);
  }
  const lines = [
    `## Frugal before / after (${new Date().toISOString()}, ${rounds} alternating rounds of ${plan.seconds} s cells, medians)`,
    '',
    `- Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, load average after ${loadavg().map((v) => v.toFixed(2)).join(' ')}; ledger: ${ledger}. Before: ${beforeDir}.`,
    '',
    '| scenario | conns | RPS before / after | change | CPU ms/req before / after | change | failures before / after |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const cell of cells) {
    const rps = [median(cell.before.map((r) => r.rps)), median(cell.after.map((r) => r.rps))];
    const cpu = [median(cell.before.map((r) => r.cpuMsPerRequest)), median(cell.after.map((r) => r.cpuMsPerRequest))];
    const failures = [cell.before, cell.after].map((results) => results.reduce((sum, r) => sum + r.failures, 0));
    const change = (a: number, b: number) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)} %`;
    lines.push(`| ${cell.scenario} | ${cell.connections} | ${rps[0].toFixed(0)} / ${rps[1].toFixed(0)} | ${change(rps[0], rps[1])} | ${cpu[0].toFixed(3)} / ${cpu[1].toFixed(3)} | ${change(cpu[0], cpu[1])} | ${failures[0]} / ${failures[1]} |`);
  }
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `overhead-before-after-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify({ beforeDir, rounds, plan, ledger, cells }, null, 2)}\n`);
  process.stdout.write(`${lines.join('\n')}\n\nResults: ${file}\n`);
}
