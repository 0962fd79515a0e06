import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { channels, type LedgerRowQuarantinedEvent } from '../telemetry/events.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { quarantineFile, type QuarantinedRow } from './ledger-quarantine.js';
import type { LedgerRow } from './ledger-row.js';
import { ledgerWorkload } from './ledger-store.case.js';
import type { LedgerStore } from './ledger-store.js';
import { createLedgerWriter } from './ledger-writer.js';
import { createPostgresLedgerStore } from './postgres-ledger-store.js';
import { createSqliteLedgerStore } from './sqlite-ledger-store.js';

const pgUp = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'ledger writer isolation on PostgreSQL');
const runPrefix = `frugal_iso_${randomBytes(4).toString('hex')}_`;
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  if (!pgUp) return;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  const { rows } = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [runPrefix]);
  for (const { nspname } of rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
  await admin.end();
});

/** The user value the database itself refuses (a trigger or CHECK constraint), as it refused NUL before. */
const POISON = 'refuse-me';

interface Backend {
  store: LedgerStore;
  /** Makes the real database refuse rows whose end_user is POISON. */
  refusePoison(): Promise<void>;
}

async function sqliteBackend(name: string): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-iso-'));
  dirs.push(dir);
  const path = join(dir, 'ledger.sqlite');
  return {
    store: createSqliteLedgerStore({ path }),
    async refusePoison() {
      const db = new Database(path);
      db.exec(`CREATE TRIGGER ${name} BEFORE INSERT ON frugal_ledger WHEN NEW.end_user = '${POISON}' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END`);
      db.close();
    },
  };
}

async function postgresBackend(name: string): Promise<Backend> {
  const schema = `${runPrefix}${name}`;
  return {
    store: createPostgresLedgerStore({ connectionString: TEST_DATABASE_URL, schema }),
    async refusePoison() {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`ALTER TABLE "${schema}".frugal_ledger ADD CONSTRAINT no_poison CHECK (end_user <> '${POISON}')`);
      await admin.end();
    },
  };
}

function rows(count: number, from = 0): LedgerRow[] {
  const [template] = ledgerWorkload();
  return Array.from({ length: count }, (_, i) => ({ ...template, id: `row-${from + i}`, user: `user-${from + i}` }));
}

function listen() {
  const events: LedgerRowQuarantinedEvent[] = [];
  const onEvent = (event: unknown) => events.push(event as LedgerRowQuarantinedEvent);
  diagnosticsChannel.subscribe(channels.ledgerRowQuarantined.name, onEvent);
  return { events, stop: () => diagnosticsChannel.unsubscribe(channels.ledgerRowQuarantined.name, onEvent) };
}

const backends = [
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
] as const;

describe.each(backends)('ledger writer on %s: one bad row never blocks the ledger', (kind, open) => {
  const run = kind === 'postgres' ? it.runIf(pgUp) : it;

  run('writes every row when user, model and tags hold NUL bytes (PostgreSQL refused them, forever)', async () => {
    const { store } = await open('nul');
    await store.migrate();
    const writer = createLedgerWriter(store, { maxBatch: 4, flushIntervalMs: 3_600_000 });
    const recorded = rows(10).map((row, i) => (i % 3 === 0 ? { ...row, user: `u\u0000${i}`, requestedModel: 'gpt\u0000', tags: { team: 't\u0000' } } : row));
    for (const row of recorded) writer.record(row);
    await writer.flush();
    for (const row of rows(3, 10)) writer.record(row);
    await writer.close();
    const stored = await store.rows({});
    expect(stored.map((row) => row.id)).toEqual([...recorded, ...rows(3, 10)].map((row) => row.id));
    expect(stored[0]).toMatchObject({ user: 'u\uFFFD0', requestedModel: 'gpt\uFFFD', tags: { team: 't\uFFFD' } });
    await store.close();
  });

  run('writes the rest of a refused batch, quarantines the refused row with its reason, and says so', async () => {
    const { store, refusePoison } = await open('refused');
    await store.migrate();
    await refusePoison();
    const dir = await mkdtemp(join(tmpdir(), 'frugal-quarantine-'));
    dirs.push(dir);
    const path = join(dir, 'ledger-quarantine.jsonl');
    const errors: unknown[] = [];
    const listener = listen();
    const writer = createLedgerWriter(store, { maxBatch: 5, flushIntervalMs: 3_600_000, quarantine: quarantineFile(path), onError: (error) => errors.push(error) });
    const batch = rows(12).map((row, i) => (i === 3 ? { ...row, user: POISON } : row));
    for (const row of batch) writer.record(row);
    await writer.flush();
    // Later rows are not held behind the refused one.
    for (const row of rows(2, 12)) writer.record(row);
    await writer.close();
    listener.stop();
    expect((await store.rows({})).map((row) => row.id)).toEqual([...batch, ...rows(2, 12)].filter((row) => row.user !== POISON).map((row) => row.id));
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as QuarantinedRow);
    expect(lines).toHaveLength(1);
    expect(lines[0].row).toEqual(batch[3]);
    expect(lines[0].reason).toMatch(/refused the data/);
    expect(listener.events).toEqual([{ rowId: 'row-3', reason: lines[0].reason }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrugalError);
    expect((errors[0] as Error).message).toMatch(/row-3 quarantined/);
    await store.close();
  });
});

describe('ledger writer isolation, whatever the error says', () => {
  it('quarantines a row that keeps failing alone while the others of its batch are written', async () => {
    const { store: real } = await sqliteBackend('unclassified');
    await real.migrate();
    // An error nobody classified as refused data: after a few failed attempts the batch is tried row by row.
    const store: LedgerStore = {
      ...real,
      async insert(batch) {
        if (batch.some((row) => row.user === POISON)) throw new Error('something about this row');
        await real.insert(batch);
      },
    };
    const quarantined: Array<[string, string]> = [];
    const writer = createLedgerWriter(store, { maxBatch: 4, flushIntervalMs: 3_600_000, quarantine: async (row, reason) => void quarantined.push([row.id, reason]), onError: () => {} });
    const batch = rows(4).map((row, i) => (i === 1 ? { ...row, user: POISON } : row));
    for (const row of batch) writer.record(row);
    await expect(writer.flush()).rejects.toThrow(/something about this row/);
    await expect(writer.flush()).rejects.toThrow(/something about this row/);
    await writer.flush();
    expect((await real.rows({})).map((row) => row.id)).toEqual(['row-0', 'row-2', 'row-3']);
    expect(quarantined).toEqual([['row-1', expect.stringMatching(/failed alone while 3 rows of its batch were written: something about this row/)]]);
    await writer.close();
    await real.close();
  });

  it('quarantines nothing when the store is down: every row fails alone, all are kept for retry', async () => {
    const { store: real } = await sqliteBackend('down');
    await real.migrate();
    let down = true;
    const store: LedgerStore = {
      ...real,
      async insert(batch) {
        if (down) throw new Error('connection refused');
        await real.insert(batch);
      },
    };
    const quarantined: string[] = [];
    const writer = createLedgerWriter(store, { maxBatch: 4, flushIntervalMs: 3_600_000, quarantine: async (row) => void quarantined.push(row.id), onError: () => {} });
    for (const row of rows(4)) writer.record(row);
    for (let attempt = 0; attempt < 5; attempt += 1) await expect(writer.flush()).rejects.toThrow(/connection refused/);
    expect(writer.pending()).toBe(4);
    down = false;
    await writer.close();
    expect(quarantined).toEqual([]);
    expect((await real.rows({})).map((row) => row.id)).toEqual(['row-0', 'row-1', 'row-2', 'row-3']);
    await real.close();
  });
});
