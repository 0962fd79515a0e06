import Database from 'better-sqlite3';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Opens (creating it if needed) a SQLite file in WAL mode, with `busyTimeoutMs` as its busy timeout. Switching a new
 * file to WAL takes a lock SQLite does not wait for through its busy handler: several processes starting on the same
 * new file at once (workers, replicas sharing a volume, `frugal ledger migrate` beside a starting gateway) got
 * SQLITE_BUSY, "database is locked", at start-up. The switch is retried, with short pauses, for up to the busy
 * timeout. Start-up only: the pause blocks the thread.
 *
 * @example
 * const db = openSqliteFile('.frugal/ledger.sqlite', 5_000);
 */
export function openSqliteFile(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs });
  const deadline = Date.now() + busyTimeoutMs;
  for (let waitMs = 5; ; waitMs = Math.min(waitMs * 2, 100)) {
    try {
      db.pragma('journal_mode = WAL');
      return db;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) {
        db.close();
        throw error;
      }
      Atomics.wait(pause, 0, 0, waitMs);
    }
  }
}
