import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from './ledger-row.js';
import { openLedgerSpool } from './ledger-spool.js';
import { ledgerWorkload } from './ledger-store.case.js';
import { createLedgerWriter } from './ledger-writer.js';
import { replaySpool } from './replay-spool.js';
import { createSqliteLedgerStore } from './sqlite-ledger-store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-spool-unit-'));
  dirs.push(dir);
  const store = createSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') });
  await store.migrate();
  return { spoolDir: join(dir, 'spool'), store };
}

function rows(count: number, from = 0): LedgerRow[] {
  const [template] = ledgerWorkload();
  return Array.from({ length: count }, (_, i) => ({ ...template, id: `row-${from + i}`, ts: template.ts + from + i }));
}

const segments = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.jsonl'));

describe('ledger spool', () => {
  it('has a row on disk once durable() resolves, before the store has it', async () => {
    const { spoolDir, store } = await setUp();
    const { spool } = await openLedgerSpool({ dir: spoolDir });
    const writer = createLedgerWriter(store, { spool, flushIntervalMs: 3_600_000 });
    const [row] = rows(1);
    writer.record(row);
    await writer.durable();
    const [segment] = await segments(spoolDir);
    expect(JSON.parse(await readFile(join(spoolDir, segment), 'utf8'))).toEqual(row);
    expect(await store.rows({})).toEqual([]);
    await writer.close();
    await store.close();
  });

  it('deletes a segment once every row in it is written, and keeps it while one is not', async () => {
    const { spoolDir, store } = await setUp();
    const { spool } = await openLedgerSpool({ dir: spoolDir, maxSegmentBytes: 1 });
    const writer = createLedgerWriter(store, { spool, flushIntervalMs: 3_600_000 });
    for (const row of rows(3)) writer.record(row);
    await writer.durable();
    expect(await segments(spoolDir)).toHaveLength(1);
    await writer.flush();
    // The next group rotates to a new segment (the old one is full and written out), deleting the old one.
    writer.record(rows(1, 3)[0]);
    await writer.durable();
    expect(await segments(spoolDir)).toHaveLength(1);
    await writer.close();
    expect(await segments(spoolDir)).toEqual([]);
    expect((await store.rows({})).map((row) => row.id)).toEqual(['row-0', 'row-1', 'row-2', 'row-3']);
    await store.close();
  });

  it('replays what a killed process left, exactly once: rows the store has are skipped, a torn last line ignored', async () => {
    const { spoolDir, store } = await setUp();
    const recorded = [...rows(5), rows(1)[0]];
    recorded[5] = { ...recorded[0], costNanos: 7 };
    {
      // The first process: rows spooled, some written, then it dies (no close) mid-write of one more line.
      const { spool } = await openLedgerSpool({ dir: spoolDir });
      for (const row of recorded) spool.append(row);
      await spool.synced();
      await store.insert([recorded[0], recorded[2]]);
      const [segment] = await segments(spoolDir);
      await appendFile(join(spoolDir, segment), '{"id":"torn","ts":');
    }
    const { spool, leftover } = await openLedgerSpool({ dir: spoolDir });
    expect(leftover.rows).toEqual(recorded);
    const writer = createLedgerWriter(store, { spool, flushIntervalMs: 3_600_000 });
    // row-0 was recorded twice (a repeated x-request-id in the same ms) and stored once: one copy is replayed.
    expect(await replaySpool(leftover, store, writer, spool)).toEqual({ replayed: 4, alreadyStored: 2, tornLines: 1 });
    await writer.close();
    const stored = await store.rows({});
    expect(stored.map((row) => `${row.id}:${row.costNanos}`).sort()).toEqual(recorded.map((row) => `${row.id}:${row.costNanos}`).sort());
    expect(await segments(spoolDir)).toEqual([]);

    // A second start finds nothing left and adds nothing.
    const again = await openLedgerSpool({ dir: spoolDir });
    expect(again.leftover.rows).toEqual([]);
    await again.spool.close();
    await store.close();
  });
});
