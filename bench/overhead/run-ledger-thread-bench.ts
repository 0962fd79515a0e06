// What the ledger costs the event loop, per row, with SQLite inserts on the main thread (createSqliteLedgerStore)
// and on the ledger thread (createThreadedSqliteLedgerStore, what `frugal serve` uses), in the same run:
//   node --import tsx bench/overhead/run-ledger-thread-bench.ts [rows]
// "main thread busy" is event-loop utilisation (wall time the loop could not serve requests: CPU and the commit's
// fsync); "process CPU" counts every thread. The rows go through the real writer (batches, a 50 ms flush timer).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ledgerWorkload } from '../../src/ledger/ledger-store.case.js';
import type { LedgerStore } from '../../src/ledger/ledger-store.js';
import { createLedgerWriter } from '../../src/ledger/ledger-writer.js';
import { createSqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store.js';
import { createThreadedSqliteLedgerStore } from '../../src/ledger/threaded-sqlite-ledger-store.js';

const ROWS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 3;
const workload = ledgerWorkload();

async function measure(open: (path: string) => LedgerStore): Promise<{ mainUs: number; cpuUs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-ledger-bench-'));
  const store = open(join(dir, 'ledger.sqlite'));
  await store.migrate();
  const writer = createLedgerWriter(store, { flushIntervalMs: 50 });
  const feed = async (count: number, prefix: string) => {
    for (let index = 0; index < count; index += 1) {
      writer.record({ ...workload[index % workload.length], id: `${prefix}-${index}` });
      // As requests do: a few rows per turn of the event loop, not one synchronous burst.
      if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.flush();
  };
  await feed(2_000, 'warm');
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  await feed(ROWS, 'row');
  const { user, system } = process.cpuUsage(cpu);
  const { active } = performance.eventLoopUtilization(loop);
  await writer.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return { mainUs: (active * 1000) / ROWS, cpuUs: (user + system) / ROWS };
}

const lanes = [
  ['inserts on the main thread', (path: string) => createSqliteLedgerStore({ path })],
  ['inserts on the ledger thread', (path: string) => createThreadedSqliteLedgerStore({ path })],
] as const;
const results = new Map<string, Array<{ mainUs: number; cpuUs: number }>>();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, open] of lanes) results.set(name, [...(results.get(name) ?? []), await measure(open)]);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
process.stdout.write(`${ROWS} rows per round, ${ROUNDS} rounds interleaved, medians:\n\n| SQLite ledger | main thread busy µs/row | process CPU µs/row |\n| --- | ---: | ---: |\n`);
for (const [name] of lanes) {
  const runs = results.get(name) ?? [];
  process.stdout.write(`| ${name} | ${median(runs.map((run) => run.mainUs)).toFixed(1)} | ${median(runs.map((run) => run.cpuUs)).toFixed(1)} |\n`);
}
