import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { createRowReconciler, holdRows } from './batch-ledger-rows.js';
import { storedBatch } from './batch-store.case.js';
import type { BatchStore } from './batch-store.js';
import { createSqliteBatchStore } from './sqlite-batch-store.js';

const ok = (customId: string) => ({ ok: true, line: { custom_id: customId, response: { status_code: 200, request_id: customId, body: {} }, error: null }, costNanos: 1 });

describe('batch line rows: stored with the result, recorded once whatever stops in between', () => {
  let dir: string;
  let batches: BatchStore;
  let ledger: LedgerStore;
  const [template] = ledgerWorkload();
  const rowOf = (lineNo: number): LedgerRow => ({ ...template, id: `frg-batch_x-${lineNo}`, ts: 5_000 + lineNo, batchId: 'batch_x', costNanos: 100 * lineNo });
  // The ledger the reconciler records into: written straight to the store, as a writer would after its flush.
  const written: LedgerRow[] = [];
  const sink = { record: (row: LedgerRow) => void written.push(row) };
  const flush = async () => ledger.insert(written.splice(0));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frugal-batch-rows-'));
    batches = createSqliteBatchStore({ path: join(dir, 'ledger.sqlite') });
    ledger = createSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') });
    await ledger.migrate();
    await batches.migrate();
    await batches.createBatch(storedBatch('batch_x', '', 1, { total: 4 }));
    await batches.addLines('batch_x', [1, 2, 3, 4].map((lineNo) => ({ lineNo, customId: `x${lineNo}`, lane: 'own' as const, provider: null, body: {} })));
  });
  afterAll(async () => {
    await batches.close();
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds a row until released, then records it through the call the pipeline gave', () => {
    const recorded: string[] = [];
    const held = holdRows();
    held.hold(rowOf(1), () => recorded.push('one'));
    held.hold(rowOf(2), () => recorded.push('two'));
    expect(held.rows().map((row) => row.id)).toEqual(['frg-batch_x-1', 'frg-batch_x-2']);
    expect(recorded).toEqual([]);
    held.release();
    held.release();
    expect(recorded).toEqual(['one', 'two']);
  });

  it("records the rows a dead process kept, clears the ones the ledger has, and leaves this process's own alone", async () => {
    // Line 1: its process died after storing the result, before the ledger had the row.
    // Line 2: stored and in the ledger (the process died before clearing it).
    // Line 3: this process's own, still in its writer.
    // Line 4: done just now: inside the grace a live writer has.
    for (const lineNo of [1, 2, 3]) expect(await batches.completeLine('batch_x', lineNo, ok(`x${lineNo}`), [rowOf(lineNo)])).toBe(true);
    await ledger.insert([rowOf(2)]);
    const reconciler = createRowReconciler(batches, ledger, sink, 60_000);
    reconciler.releasedHere([rowOf(3)]);
    const later = Date.now() + 1 + 60_000;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await batches.completeLine('batch_x', 4, ok('x4'), [rowOf(4)])).toBe(true);

    expect(await reconciler.reconcile(later)).toEqual({ stored: 1, recorded: 1 });
    expect(written.map((row) => row.id)).toEqual(['frg-batch_x-1']);
    // Line 4 is still within its grace at `later`: not looked at yet.
    expect((await batches.unrecordedLines(Date.now() + 1, 10)).map((line) => line.lineNo).sort()).toEqual([1, 3, 4]);

    // A second pass before the writer flushed records nothing again.
    expect(await reconciler.reconcile(later)).toEqual({ stored: 0, recorded: 0 });
    expect(written).toHaveLength(1);

    // The writers flush (this one, and line 4's live process): every row is in the ledger once, nothing kept any more.
    await flush();
    await ledger.insert([rowOf(3), rowOf(4)]);
    expect(await reconciler.reconcile(Date.now() + 61_000)).toEqual({ stored: 3, recorded: 0 });
    expect(await batches.unrecordedLines(Date.now() + 61_000, 10)).toEqual([]);
    const ids = (await ledger.rows({})).map((row) => row.id).filter((id) => id.startsWith('frg-batch_x-'));
    expect(ids.sort()).toEqual(['frg-batch_x-1', 'frg-batch_x-2', 'frg-batch_x-3', 'frg-batch_x-4']);
  });

  it('a row lost by a writer that dropped it stops being waited for once it is long overdue', async () => {
    await batches.createBatch(storedBatch('batch_y', '', 1, { total: 1 }));
    await batches.addLines('batch_y', [{ lineNo: 1, customId: 'y1', lane: 'own', provider: null, body: {} }]);
    const row = { ...rowOf(1), id: 'frg-batch_y-1', batchId: 'batch_y' };
    expect(await batches.completeLine('batch_y', 1, ok('y1'), [row])).toBe(true);
    const abandoned: number[] = [];
    const reconciler = createRowReconciler(batches, ledger, sink, 1_000, (line) => abandoned.push(line.lineNo));
    reconciler.releasedHere([row]);
    // Within the grace and the wait for this process's writer: kept.
    expect(await reconciler.reconcile(Date.now() + 2_000)).toEqual({ stored: 0, recorded: 0 });
    expect(abandoned).toEqual([]);
    // Past it (ten graces, at least five minutes): let go, and said so.
    expect(await reconciler.reconcile(Date.now() + 6 * 60_000)).toEqual({ stored: 0, recorded: 0 });
    expect(abandoned).toEqual([1]);
    expect(await batches.unrecordedLines(Date.now() + 6 * 60_000, 10)).toEqual([]);
  });
});
