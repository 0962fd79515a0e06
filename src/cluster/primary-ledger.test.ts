import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import { loopbackChannels } from './ipc-channel.js';
import { createIpcPeer } from './ipc-peer.js';
import { createPrimaryLedger } from './primary-ledger.js';
import { announceStarts, createWorkerLedgerWriter } from './worker-ledger.js';
import type { Gateway } from '../pipeline/create-gateway.js';

/** The primary's writer, as far as the cluster sees it: rows in order, and a durable() that counts its calls. */
function collectingWriter() {
  const rows: LedgerRow[] = [];
  let durableCalls = 0;
  const writer: LedgerWriter = {
    record: (row) => void rows.push(row),
    flush: async () => undefined,
    close: async () => undefined,
    pending: () => 0,
    durable: async () => {
      durableCalls += 1;
    },
  };
  return { writer, rows, durableCalls: () => durableCalls };
}

function row(id: string): LedgerRow {
  return { id, status: 'ok', errorCode: null, costNanos: 5 } as LedgerRow;
}

/** A gateway whose calls end when the test says: `finish(id)` records the row, as the ledger stage would. */
function heldGateway(record: (row: LedgerRow) => void) {
  const waiting = new Map<string, () => void>();
  const gateway = {
    chat: (_body: unknown, caller: { requestId?: string } = {}) =>
      new Promise((resolve) =>
        waiting.set(caller.requestId!, () => {
          record(row(caller.requestId!));
          resolve({});
        }),
      ),
    embeddings: async () => ({}),
  } as unknown as Gateway;
  return { gateway, finish: (id: string) => waiting.get(id)!() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('the ledger across workers', () => {
  it('writes one worker_exited row for each request a dead worker started and had not recorded, and none twice', async () => {
    const { writer, rows } = collectingWriter();
    const primaryLedger = createPrimaryLedger(writer);
    const pipe = loopbackChannels();
    primaryLedger.attach(7, createIpcPeer(pipe.left));
    const worker = createIpcPeer(pipe.right);
    const workerWriter = createWorkerLedgerWriter(worker);
    const { gateway, finish } = heldGateway((finished) => workerWriter.record(finished));
    const wrapped = announceStarts(gateway, worker);

    for (const id of ['a', 'b', 'c']) void wrapped.chat({ model: 'gpt-4o-mini', stream: id === 'c', user: 'u1' }, { requestId: id, tags: { team: 'growth' } });
    finish('b');
    await workerWriter.durable();
    expect(primaryLedger.inFlight()).toBe(2);

    expect(primaryLedger.workerGone(7)).toBe(2);
    expect(rows.map((written) => [written.id, written.status, written.errorCode])).toEqual([
      ['b', 'ok', null],
      ['a', 'error', 'worker_exited'],
      ['c', 'error', 'worker_exited'],
    ]);
    expect(rows[2]).toMatchObject({ requestedModel: 'gpt-4o-mini', stream: true, user: 'u1', tags: { team: 'growth' }, costNanos: 0, httpStatus: 502 });
    expect(rows[2].warnings).toHaveLength(1);
    // Gone means gone: a second report of the same death writes nothing.
    expect(primaryLedger.workerGone(7)).toBe(0);
  });

  it('answers durable() only after the rows sent before it are in the primary writer', async () => {
    const { writer, rows, durableCalls } = collectingWriter();
    const primaryLedger = createPrimaryLedger(writer);
    const pipe = loopbackChannels();
    primaryLedger.attach(1, createIpcPeer(pipe.left));
    const workerWriter = createWorkerLedgerWriter(createIpcPeer(pipe.right));
    for (const id of ['r1', 'r2', 'r3']) workerWriter.record(row(id));
    await workerWriter.durable();
    expect(rows.map((written) => written.id)).toEqual(['r1', 'r2', 'r3']);
    expect(durableCalls()).toBe(1);
  });

  it('gives a call without a request id one, so its start and its row match', async () => {
    const { writer, rows } = collectingWriter();
    const primaryLedger = createPrimaryLedger(writer);
    const pipe = loopbackChannels();
    primaryLedger.attach(1, createIpcPeer(pipe.left));
    const worker = createIpcPeer(pipe.right);
    const workerWriter = createWorkerLedgerWriter(worker);
    let seenId: string | undefined;
    const gateway = {
      chat: async (_body: unknown, caller: { requestId?: string }) => {
        seenId = caller.requestId;
        workerWriter.record(row(caller.requestId!));
        return {};
      },
    } as unknown as Gateway;
    await announceStarts(gateway, worker).chat({ model: 'm' });
    await workerWriter.durable();
    await settle();
    expect(seenId).toMatch(/^frg-/);
    expect(primaryLedger.inFlight()).toBe(0);
    expect(rows.map((written) => written.id)).toEqual([seenId]);
  });
});
