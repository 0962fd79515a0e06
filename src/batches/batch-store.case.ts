import { afterAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import type { BatchStore } from './batch-store.js';
import type { LineResult, StoredBatch } from './batch-types.js';
import { TooLargeError } from './limit-bytes.js';

export interface BatchStoreHarness {
  /** A store on the database named `name`; the same name reopens the same data. */
  open(name: string): BatchStore;
  cleanUp(): Promise<void>;
}

async function* chunksOf(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function text(source: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

export function storedBatch(id: string, owner: string, createdAt: number, overrides: Partial<StoredBatch> = {}): StoredBatch {
  return {
    id,
    owner,
    status: 'in_progress',
    endpoint: '/v1/chat/completions',
    inputFileId: 'file-in',
    completionWindow: '24h',
    metadata: { team: 'growth' },
    createdAt,
    expiresAt: createdAt + 86_400_000,
    times: { inProgressAt: createdAt },
    outputFileId: null,
    errorFileId: null,
    errors: null,
    total: 0,
    caller: { keyId: owner || null, key: null, tags: { batch: 'yes' } },
    ...overrides,
  };
}

const okResult = (customId: string, cost: number): LineResult => ({
  ok: true,
  line: { custom_id: customId, response: { status_code: 200, request_id: `req-${customId}`, body: { id: customId } }, error: null },
  costNanos: cost,
});
const errorResult = (customId: string): LineResult => ({ ok: false, line: { custom_id: customId, response: null, error: { code: 'batch_expired', message: 'expired' } }, costNanos: 0 });

/** The behaviour every BatchStore must have, run by each implementation's test file. */
export function describeBatchStoreConformance(kind: string, harness: () => Promise<BatchStoreHarness>) {
  describe(`BatchStore conformance: ${kind}`, async () => {
    const made = await harness();
    const stores: BatchStore[] = [];
    const open = async (name: string) => {
      const store = made.open(name);
      stores.push(store);
      await store.migrate();
      return store;
    };
    afterAll(async () => {
      for (const store of stores) await store.close();
      await made.cleanUp();
    });

    it('streams a file in and out, byte for byte, and scopes it to its owner', async () => {
      const store = await open('files');
      const body = `${'{"custom_id":"a"}\n'.repeat(70_000)}last line é\n`;
      const halves = [body.slice(0, 600_000), body.slice(600_000)];
      const file = await store.putFile({ id: 'file-1', owner: 'vk_a', filename: 'in.jsonl', purpose: 'batch', createdAt: 1000, expiresAt: null }, chunksOf(...halves), 10_000_000);
      expect(file.bytes).toBe(Buffer.byteLength(body));
      expect(await text(store.readFile('file-1'))).toBe(body);
      expect((await store.getFile('file-1', 'vk_a'))?.filename).toBe('in.jsonl');
      expect(await store.getFile('file-1', 'vk_b')).toBeUndefined();
      expect(await store.deleteFile('file-1', 'vk_b')).toBe(false);
      expect(await store.deleteFile('file-1', 'vk_a')).toBe(true);
      expect(await store.getFile('file-1')).toBeUndefined();
    });

    it('two writers of one file id at once (two finalisers of a batch): the file reads back whole', async () => {
      const store = await open('same-file');
      const content = Array.from({ length: 2_000 }, (_, n) => `{"line":${n},"text":"${'x'.repeat(40)}"}\n`);
      const put = () => store.putFile({ id: 'file-same', owner: 'vk_a', filename: 'out.jsonl', purpose: 'batch_output', createdAt: 1, expiresAt: null }, chunksOf(...content), 10_000_000);
      const settled = await Promise.allSettled([put(), put(), put()]);
      expect(settled.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
      // A late writer, which looked before the first had stored its row, finishes after it: the first's file stays.
      await put().catch(() => undefined);
      expect(await store.getFile('file-same')).toMatchObject({ id: 'file-same', bytes: Buffer.byteLength(content.join('')) });
      expect(await text(store.readFile('file-same'))).toBe(content.join(''));
    });

    it('refuses a file past its size limit and keeps nothing of it', async () => {
      const store = await open('too-large');
      await expect(store.putFile({ id: 'file-big', owner: '', filename: 'x', purpose: 'batch', createdAt: 1, expiresAt: null }, chunksOf('0123456789', '0123456789'), 15)).rejects.toBeInstanceOf(TooLargeError);
      expect(await store.getFile('file-big')).toBeUndefined();
      expect(await text(store.readFile('file-big')).catch(() => '')).toBe('');
    });

    it('pages files and batches newest first by cursor, per owner', async () => {
      const store = await open('paging');
      for (let index = 1; index <= 5; index += 1) {
        await store.putFile({ id: `file-${index}`, owner: 'vk_a', filename: `${index}`, purpose: index % 2 ? 'batch' : 'batch_output', createdAt: index * 10, expiresAt: null }, chunksOf('x'), 10);
        await store.createBatch(storedBatch(`batch_${index}`, 'vk_a', index * 10));
      }
      await store.createBatch(storedBatch('batch_other', 'vk_b', 25));
      const first = await store.listBatches({ owner: 'vk_a', limit: 2 });
      expect(first.data.map((batch) => batch.id)).toEqual(['batch_5', 'batch_4']);
      expect(first.hasMore).toBe(true);
      const rest = await store.listBatches({ owner: 'vk_a', limit: 10, after: 'batch_4' });
      expect(rest.data.map((batch) => batch.id)).toEqual(['batch_3', 'batch_2', 'batch_1']);
      expect(rest.hasMore).toBe(false);
      const ascending = await store.listFiles({ owner: 'vk_a', limit: 2, order: 'asc', after: 'file-1' });
      expect(ascending.data.map((file) => file.id)).toEqual(['file-2', 'file-3']);
      const onlyBatch = await store.listFiles({ owner: 'vk_a', limit: 10, purpose: 'batch' });
      expect(onlyBatch.data.map((file) => file.id)).toEqual(['file-5', 'file-3', 'file-1']);
      expect((await store.listBatches({ owner: 'vk_b', limit: 10 })).data.map((batch) => batch.id)).toEqual(['batch_other']);
    });

    it('moves a batch only from the states it is asked to move it from', async () => {
      const store = await open('transitions');
      await store.createBatch(storedBatch('batch_t', '', 1));
      expect(await store.updateBatch('batch_t', { status: 'finalizing', times: { finalizingAt: 5 } }, ['in_progress'])).toBe(true);
      expect(await store.updateBatch('batch_t', { status: 'finalizing' }, ['in_progress'])).toBe(false);
      expect(await store.updateBatch('batch_t', { status: 'completed', times: { completedAt: 9 }, outputFileId: 'file-out' }, ['finalizing'])).toBe(true);
      const batch = await store.getBatch('batch_t');
      expect(batch).toMatchObject({ status: 'completed', outputFileId: 'file-out', times: { inProgressAt: 1, finalizingAt: 5, completedAt: 9 }, metadata: { team: 'growth' } });
      expect(await store.getBatch('batch_t', 'vk_x')).toBeUndefined();
      expect((await store.batchesIn(['completed'], 10)).map((found) => found.id)).toEqual(['batch_t']);
    });

    it('runs a line once: a claim is exclusive until its lease lapses, a result is recorded once', async () => {
      const store = await open('lines');
      await store.createBatch(storedBatch('batch_l', '', 1, { total: 3 }));
      await store.addLines('batch_l', [
        { lineNo: 1, customId: 'a', lane: 'own', provider: null, body: { model: 'm', messages: [] } },
        { lineNo: 2, customId: 'b', lane: 'own', provider: null, body: { model: 'm' } },
        { lineNo: 3, customId: null, lane: 'none', provider: null, body: null, result: errorResult('bad') },
      ]);
      // Adding the same line again (a retried validation) keeps the first.
      await store.addLines('batch_l', [{ lineNo: 1, customId: 'changed', lane: 'own', provider: null, body: {} }]);
      expect((await store.lines('batch_l', 1, 1))[0]).toMatchObject({ customId: 'a', state: 'pending', body: { model: 'm', messages: [] } });
      expect(await store.claimLine('batch_l', 1, Date.now() + 60_000)).toBe(true);
      expect(await store.claimLine('batch_l', 1, Date.now() + 60_000)).toBe(false);
      expect(await store.claimLine('batch_l', 2, Date.now() - 1, 'worker-1')).toBe(true);
      // Line 2's lease has lapsed: another worker may take it over, and the first may no longer renew it.
      expect(await store.claimLine('batch_l', 2, Date.now() + 60_000, 'worker-2')).toBe(true);
      expect(await store.renewLine('batch_l', 2, Date.now() + 120_000, 'worker-1')).toBe(false);
      expect(await store.renewLine('batch_l', 2, Date.now() + 120_000, 'worker-2')).toBe(true);
      expect(await store.completeLine('batch_l', 1, okResult('a', 700))).toBe(true);
      expect(await store.completeLine('batch_l', 1, okResult('a', 999))).toBe(false);
      expect(await store.claimLine('batch_l', 1, Date.now() + 60_000)).toBe(false);
      expect(await store.counts('batch_l')).toEqual({ total: 3, completed: 1, failed: 1, open: 1 });
      expect((await store.openLines('batch_l', 'own', 10)).map((line) => line.lineNo)).toEqual([2]);
      const results = await store.results('batch_l', true, 0, 10);
      expect(results).toEqual([{ lineNo: 1, result: okResult('a', 700) }]);
      expect((await store.results('batch_l', false, 0, 10)).map((found) => found.lineNo)).toEqual([3]);
    });

    it('ends the open lines of an expired or cancelled batch, leaving live claims and submitted lines to finish', async () => {
      const store = await open('expiry');
      await store.createBatch(storedBatch('batch_e', '', 1, { total: 3 }));
      await store.addLines('batch_e', [1, 2, 3].map((lineNo) => ({ lineNo, customId: `c${lineNo}`, lane: 'own' as const, provider: null, body: {} })));
      await store.claimLine('batch_e', 2, Date.now() + 60_000);
      await store.markSubmitted('batch_e', [3], 'up_1');
      const ended = await store.completeOpenLines('batch_e', Date.now(), (line) => errorResult(line.customId ?? ''));
      // Line 1 was pending; line 2 runs under a live lease, line 3 waits for its provider's results.
      expect(ended).toBe(1);
      expect(await store.counts('batch_e')).toEqual({ total: 3, completed: 0, failed: 1, open: 2 });
      expect(await store.completeLine('batch_e', 2, okResult('c2', 5))).toBe(true);
      expect(await store.completeLine('batch_e', 3, errorResult('c3'))).toBe(true);
      expect(await store.counts('batch_e')).toEqual({ total: 3, completed: 1, failed: 2, open: 0 });
    });

    it('leaves the lines the caller keeps (runs still in progress here) open, even past their lease', async () => {
      const store = await open('expiry-keep');
      await store.createBatch(storedBatch('batch_k', '', 1, { total: 3 }));
      await store.addLines('batch_k', [1, 2, 3].map((lineNo) => ({ lineNo, customId: `k${lineNo}`, lane: 'own' as const, provider: null, body: {} })));
      await store.claimLine('batch_k', 2, Date.now() - 1);
      const ended = await store.completeOpenLines('batch_k', Date.now(), (line) => errorResult(line.customId ?? ''), (line) => line.lineNo === 2);
      expect(ended).toBe(2);
      expect(await store.counts('batch_k')).toEqual({ total: 3, completed: 0, failed: 2, open: 1 });
    });

    it("keeps a line's ledger rows with its result until the ledger has them, across a reopen", async () => {
      const store = await open('rows');
      await store.createBatch(storedBatch('batch_r', '', 1, { total: 3 }));
      await store.addLines('batch_r', [1, 2, 3].map((lineNo) => ({ lineNo, customId: `r${lineNo}`, lane: 'own' as const, provider: null, body: {} })));
      const [template] = ledgerWorkload();
      const rowOf = (lineNo: number, costNanos: number): LedgerRow => ({ ...template, id: `frg-batch_r-${lineNo}`, ts: 1_000 + lineNo, batchId: 'batch_r', costNanos });
      const before = Date.now();
      expect(await store.completeLine('batch_r', 1, okResult('r1', 10), [rowOf(1, 10)])).toBe(true);
      expect(await store.completeLine('batch_r', 2, okResult('r2', 20), [rowOf(2, 20)])).toBe(true);
      // A line done without a row (it never ran) keeps nothing; a second completion changes nothing, rows included.
      expect(await store.completeLine('batch_r', 3, errorResult('r3'))).toBe(true);
      expect(await store.completeLine('batch_r', 1, okResult('r1', 99), [rowOf(1, 99)])).toBe(false);
      // Only lines done before the cutoff, oldest first.
      expect(await store.unrecordedLines(before - 1, 10)).toEqual([]);
      const reopened = await open('rows');
      const kept = await reopened.unrecordedLines(Date.now() + 1, 10);
      expect(kept.map((line) => [line.batchId, line.lineNo, line.rows])).toEqual([
        ['batch_r', 1, [rowOf(1, 10)]],
        ['batch_r', 2, [rowOf(2, 20)]],
      ]);
      expect(kept.every((line) => line.doneAt >= before && line.doneAt <= Date.now())).toBe(true);
      expect((await reopened.unrecordedLines(Date.now() + 1, 1)).map((line) => line.lineNo)).toEqual([1]);
      await reopened.rowsStored('batch_r', [1]);
      expect((await reopened.unrecordedLines(Date.now() + 1, 10)).map((line) => line.lineNo)).toEqual([2]);
      // The result itself stays.
      expect((await reopened.results('batch_r', true, 0, 10)).map((found) => found.lineNo)).toEqual([1, 2]);
    });

    it('keeps upstream batches to poll, and everything survives a reopen', async () => {
      const store = await open('durable');
      await store.createBatch(storedBatch('batch_d', 'vk_a', 1, { total: 1 }));
      await store.addLines('batch_d', [{ lineNo: 1, customId: 'x', lane: 'openai_batch', provider: 'openai', body: { model: 'gpt-4o-mini' } }]);
      await store.markSubmitted('batch_d', [1], 'batch_up');
      await store.saveUpstream({ batchId: 'batch_d', provider: 'openai', lane: 'openai_batch', upstreamId: 'batch_up', upstreamFileId: 'file-up', state: 'open', createdAt: 5 });
      await store.putFile({ id: 'file-d', owner: 'vk_a', filename: 'd', purpose: 'batch', createdAt: 1, expiresAt: null }, chunksOf('kept\n'), 100);
      const reopened = await open('durable');
      expect((await reopened.openUpstreams(10)).map((upstream) => upstream.upstreamId)).toEqual(['batch_up']);
      await reopened.saveUpstream({ batchId: 'batch_d', provider: 'openai', lane: 'openai_batch', upstreamId: 'batch_up', upstreamFileId: 'file-up', state: 'done', createdAt: 5 });
      expect(await reopened.openUpstreams(10)).toEqual([]);
      expect((await reopened.lines('batch_d', 1, 1))[0]).toMatchObject({ state: 'submitted', upstreamId: 'batch_up', provider: 'openai' });
      expect(await text(reopened.readFile('file-d'))).toBe('kept\n');
      await reopened.deleteBatch('batch_d');
      expect(await reopened.getBatch('batch_d')).toBeUndefined();
      expect(await reopened.lines('batch_d', 1, 10)).toEqual([]);
    });
  });
}
