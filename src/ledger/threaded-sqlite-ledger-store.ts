import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow } from './ledger-row.js';
import { LedgerRowsRefusedError, type LedgerStore } from './ledger-store.js';
import { createSqliteLedgerStore, type SqliteLedgerStoreOptions } from './sqlite-ledger-store.js';

type Unsent = { type: 'insert'; store: number; path: string; busyTimeoutMs?: number; rows: LedgerRow[] } | { type: 'close'; store: number };
export type LedgerThreadRequest = Unsent & { id: number };
export type LedgerThreadReply = { id: number; ok: true } | { id: number; ok: false; refused: boolean; message: string };

/** Built, the thread runs dist's JavaScript; from the sources (tests, FRUGAL_FROM_SOURCE) its TypeScript, through tsx. */
function threadEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./sqlite-ledger-thread.js', import.meta.url);
  // A worker does not inherit the parent's loader hooks: it registers tsx itself (the `import` build of
  // tsx/esm/api, as bin/frugal.mjs does), then loads the entry.
  const require = createRequire(import.meta.url);
  const manifest = require('tsx/package.json') as { exports: Record<string, { import?: { default?: string } }> };
  const api = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), manifest.exports['./esm/api']?.import?.default ?? '')).href;
  const entry = new URL('./sqlite-ledger-thread.ts', import.meta.url).href;
  const code = `const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * The one ledger thread of the process, started by the first insert. It keeps the process alive only while a
 * request is in flight; if it dies (out of memory, a crash in the driver), what it held fails (the writer keeps
 * those rows and retries) and the next request starts another, which reopens the connections it needs.
 */
const thread = (() => {
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  function start(): Worker {
    const started = new Worker(threadEntry());
    started.unref();
    started.on('message', (reply: LedgerThreadReply) => {
      const waiter = waiting.get(reply.id);
      if (!waiter) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) started.unref();
      if (reply.ok) waiter.resolve();
      else waiter.reject(reply.refused ? new LedgerRowsRefusedError(reply.message) : new FrugalError('internal_error', reply.message, { retryable: true }));
    });
    const fail = (error: Error) => {
      if (worker !== started) return;
      worker = undefined;
      for (const waiter of waiting.values()) waiter.reject(new FrugalError('internal_error', `ledger (sqlite): the writer thread failed: ${error.message}`, { cause: error, retryable: true }));
      waiting.clear();
    };
    started.on('error', fail);
    started.on('exit', (code) => fail(new Error(`it exited with code ${code}`)));
    return started;
  }

  return {
    send(request: Unsent): Promise<void> {
      const current = (worker ??= start());
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        current.ref();
        current.postMessage({ ...request, id } satisfies LedgerThreadRequest);
      });
    },
    running: () => worker !== undefined,
  };
})();

let nextStore = 0;

/**
 * The embedded SQLite ledger with its writes on a worker thread: `insert` (statements, commit and fsync — about
 * 5 % of the gateway's main-thread time under load, and a stall of the event loop at every flush) runs on a
 * connection the thread owns; migrations and reads stay on this thread's connection (in WAL mode a reader and the
 * writer work at once). A command that only reads never starts the thread.
 *
 * Same contract as createSqliteLedgerStore (the conformance suite runs on both): an insert resolves once its rows
 * are committed, and rejects with LedgerRowsRefusedError when SQLite refused the data itself.
 *
 * @example
 * const store = createThreadedSqliteLedgerStore({ path: '.frugal/ledger.sqlite' });
 * await store.migrate();
 */
export function createThreadedSqliteLedgerStore(options: SqliteLedgerStoreOptions): LedgerStore {
  const local = createSqliteLedgerStore(options);
  const store = nextStore++;
  let inserted = false;
  let closed = false;

  return {
    migrate: () => local.migrate(),
    async insert(rows) {
      if (closed) throw new FrugalError('internal_error', 'ledger (sqlite): insert failed: the store is closed', { retryable: true });
      if (rows.length === 0) return;
      inserted = true;
      await thread.send({ type: 'insert', store, path: options.path, busyTimeoutMs: options.busyTimeoutMs, rows });
    },
    countStored: (keys) => local.countStored(keys),
    report: (query) => local.report(query),
    rows: (query) => local.rows(query),
    async close() {
      if (closed) return;
      closed = true;
      // After any insert in flight (the thread answers in order); a thread that died has nothing left to close.
      try {
        if (inserted && thread.running()) await thread.send({ type: 'close', store });
      } finally {
        await local.close();
      }
    },
  };
}
