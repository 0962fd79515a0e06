// The worker-thread side of threaded-sqlite-ledger-store.ts: owns the SQLite connections that write ledger rows,
// so a batch's statements, commit and fsync never hold up the gateway's event loop.
import { parentPort } from 'node:worker_threads';
import type { LedgerRow } from './ledger-row.js';
import { LedgerRowsRefusedError, type LedgerStore } from './ledger-store.js';
import { createSqliteLedgerStore } from './sqlite-ledger-store.js';
import type { LedgerThreadReply, LedgerThreadRequest } from './threaded-sqlite-ledger-store.js';

const port = parentPort!;
/** One connection per store of the main thread, opened by its first insert. */
const stores = new Map<number, LedgerStore>();

// Messages are handled one at a time and in order: each insert commits synchronously before the next is read.
port.on('message', (request: LedgerThreadRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
});

async function answer(request: LedgerThreadRequest): Promise<LedgerThreadReply> {
  try {
    if (request.type === 'close') {
      await stores.get(request.store)?.close();
      stores.delete(request.store);
    } else {
      await storeFor(request).insert(request.rows);
    }
    return { id: request.id, ok: true };
  } catch (error) {
    return { id: request.id, ok: false, refused: error instanceof LedgerRowsRefusedError, message: error instanceof Error ? error.message : String(error) };
  }
}

function storeFor(request: { store: number; path: string; busyTimeoutMs?: number; rows: LedgerRow[] }): LedgerStore {
  let store = stores.get(request.store);
  if (!store) {
    store = createSqliteLedgerStore({ path: request.path, busyTimeoutMs: request.busyTimeoutMs });
    stores.set(request.store, store);
  }
  return store;
}
