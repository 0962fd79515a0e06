import { expect } from 'vitest';
import type { LedgerRow } from './ledger-row.js';
import { encodeLedgerRow, LEDGER_COLUMN_NAMES } from './ledger-row-codec.js';
import { ledgerWorkload } from './ledger-store.case.js';
import type { LedgerStore } from './ledger-store.js';
import { LEDGER_TABLE, MIGRATIONS, migrationsTableSql, recordMigrationSql } from './migrations.js';
import type { SqlDialect } from './sql-dialect.js';

/** The columns migration 1 created. History, like the migration itself: never edit this list. */
const VERSION_1_COLUMNS = [
  'id', 'ts', 'key_id', 'end_user', 'tags', 'requested_model', 'served_model', 'provider', 'stream', 'prompt_tokens', 'completion_tokens',
  'cached_tokens', 'cache_creation_tokens', 'tokens_estimated', 'cost_nanos', 'latency_ms', 'ttft_ms', 'status', 'http_status', 'error_code',
  'cache_status', 'route_trace', 'warnings',
];

/** The ledger's columns after migration 3 (2 added saving and task; 3 only added the keys table). History too. */
const VERSION_3_COLUMNS = [...VERSION_1_COLUMNS, 'saved_nanos', 'task'];

/** The schema versions a gateway has shipped with rows in the ledger that later migrations must keep. */
export type LegacyLedgerVersion = 1 | 3;

const COLUMNS_AT: Record<LegacyLedgerVersion, readonly string[]> = { 1: VERSION_1_COLUMNS, 3: VERSION_3_COLUMNS };

export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * A ledger as a gateway of schema `version` left it: the statements that build it (migrations up to `version`,
 * each recorded as applied at ms 1, then the first 8 workload rows in that version's columns) for a backend's
 * test to run in order.
 */
export function legacyLedger(dialect: SqlDialect, booleans: 'native' | 'integer', version: LegacyLedgerVersion): { rows: LedgerRow[]; statements: Statement[] } {
  const columns = COLUMNS_AT[version];
  const rows = ledgerWorkload().slice(0, 8);
  const insert = `INSERT INTO ${dialect.table(LEDGER_TABLE)} (${columns.join(', ')}) VALUES (${columns.map((_, i) => dialect.param(i + 1)).join(', ')})`;
  const statements: Statement[] = [{ sql: migrationsTableSql(dialect), params: [] }];
  for (const migration of MIGRATIONS.filter((candidate) => candidate.version <= version)) {
    statements.push(...migration.statements(dialect).map((sql) => ({ sql, params: [] })));
    statements.push({ sql: recordMigrationSql(dialect), params: [migration.version, migration.name, 1] });
  }
  for (const row of rows) {
    const values = encodeLedgerRow(row, booleans);
    statements.push({ sql: insert, params: columns.map((column) => values[LEDGER_COLUMN_NAMES.indexOf(column)]) });
  }
  return { rows, statements };
}

/** What `migrate()` records after upgrading a legacyLedger: the old versions at ms 1, the rest at `now`. */
export function expectedMigrationRecords(version: LegacyLedgerVersion, now: number): Array<{ version: number; applied_at: number }> {
  return MIGRATIONS.map((migration) => ({ version: migration.version, applied_at: migration.version <= version ? 1 : now }));
}

const NO_BREAKDOWN = { baselineNanos: 0, savedRoutingNanos: 0, savedCacheNanos: 0, savedCompressionNanos: 0, savedPromptCacheNanos: 0, callerChoiceNanos: 0, tokenReduction: null,
  savedBatchNanos: 0, savedBatchingNanos: 0, serviceTier: null, batchId: null, overhead: null, experiment: null, arm: null };

/**
 * After `migrate()` on a legacyLedger: the old rows read back what their version could keep — before version 2
 * no saving and no task — and 0 for the baseline and the saving by mechanism (migration 4); new rows sit beside them.
 */
export async function expectUpgradedFrom(store: LedgerStore, oldRows: readonly LedgerRow[], version: LegacyLedgerVersion) {
  // The workload gave some of these rows savings (i = 4), a task (i = 1, 5) and a breakdown; the old schema had nowhere to keep some.
  expect(oldRows.some((row) => row.savedNanos > 0) && oldRows.some((row) => row.task !== null)).toBe(true);
  expect(oldRows.some((row) => row.baselineNanos > 0 && row.savedCacheNanos > 0) && oldRows.some((row) => row.savedRoutingNanos < 0)).toBe(true);
  const lost = version < 2 ? { savedNanos: 0, task: null, ...NO_BREAKDOWN } : NO_BREAKDOWN;
  expect(await store.rows({})).toEqual(oldRows.map((row) => ({ ...row, ...lost })));

  const template = ledgerWorkload()[9];
  const fresh: LedgerRow = { ...template, id: 'fresh', savedNanos: 5, baselineNanos: template.costNanos + 5, savedCacheNanos: 7, savedRoutingNanos: -2, task: 'chat' };
  await store.insert([fresh]);
  expect((await store.rows({})).at(-1)).toEqual(fresh);

  const byTask = await store.report({ by: 'task' });
  const columns = byTask.map((row) => [row.group, row.requests, row.savedNanos, row.baselineNanos, row.savedRoutingNanos, row.savedCacheNanos, row.savedPromptCacheNanos]);
  if (version < 2) {
    expect(columns).toEqual([[null, 8, 0n, 0n, 0n, 0n, 0n], ['chat', 1, 5n, 10_000_035n, -2n, 7n, 0n]]);
  } else {
    // Rows 1 and 5 kept their task; row 4 kept its saving of 2 000 001 × 4.
    expect(columns).toEqual([[null, 6, 8_000_004n, 0n, 0n, 0n, 0n], ['chat', 3, 5n, 10_000_035n, -2n, 7n, 0n]]);
  }
}
