import type { SqlDialect } from './sql-dialect.js';
import { createRollupSql, ROLLUP_SUMS_V9, rollupInsertSql } from './ledger-rollup.js';

/**
 * One schema change. `statements` is rendered for a dialect, so SQLite and Postgres run the same list.
 * Migrations are history: never edit one that has shipped, append a new version instead.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(dialect: SqlDialect): string[];
  /** Run right after `statements`, in the same transaction: fills a new table from existing rows (SQL that may differ by dialect). */
  fill?(dialect: SqlDialect): string[];
}

export const MIGRATIONS_TABLE = 'frugal_migrations';
export const LEDGER_TABLE = 'frugal_ledger';

/** Created before anything else, outside the numbered list: it is where the list's progress is kept. */
export function migrationsTableSql(d: SqlDialect): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${d.table(MIGRATIONS_TABLE)} (` +
    `version ${d.types.integer} PRIMARY KEY, name ${d.types.text} NOT NULL, applied_at ${d.types.bigint} NOT NULL)${d.tableOptions}`
  );
}

export function recordMigrationSql(d: SqlDialect): string {
  return `INSERT INTO ${d.table(MIGRATIONS_TABLE)} (version, name, applied_at) VALUES (${d.param(1)}, ${d.param(2)}, ${d.param(3)})`;
}

export function appliedVersionsSql(d: SqlDialect): string {
  return `SELECT version FROM ${d.table(MIGRATIONS_TABLE)}`;
}

/** The ordered list both stores apply. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create frugal_ledger',
    statements: (d) => {
      const t = d.types;
      const table = d.table(LEDGER_TABLE);
      return [
        `CREATE TABLE ${table} (
          seq ${t.serialKey},
          id ${t.text} NOT NULL,
          ts ${t.bigint} NOT NULL,
          key_id ${t.text},
          end_user ${t.text},
          tags ${t.text} NOT NULL,
          requested_model ${t.text} NOT NULL,
          served_model ${t.text},
          provider ${t.text},
          stream ${t.boolean} NOT NULL,
          prompt_tokens ${t.bigint} NOT NULL,
          completion_tokens ${t.bigint} NOT NULL,
          cached_tokens ${t.bigint} NOT NULL,
          cache_creation_tokens ${t.bigint} NOT NULL,
          tokens_estimated ${t.boolean} NOT NULL,
          cost_nanos ${t.bigint} NOT NULL,
          latency_ms ${t.double} NOT NULL,
          ttft_ms ${t.double},
          status ${t.text} NOT NULL,
          http_status ${t.integer} NOT NULL,
          error_code ${t.text},
          cache_status ${t.text},
          route_trace ${t.text},
          warnings ${t.text} NOT NULL
        )${d.tableOptions}`,
        // Every report filters on ts; the per-dimension ones serve "this model / key / feature over time".
        `CREATE INDEX frugal_ledger_ts ON ${table} (ts)`,
        `CREATE INDEX frugal_ledger_model_ts ON ${table} (served_model, ts)`,
        `CREATE INDEX frugal_ledger_key_ts ON ${table} (key_id, ts)`,
        `CREATE INDEX frugal_ledger_feature ON ${table} (${d.tagValue('feature')})`,
        `CREATE INDEX frugal_ledger_team ON ${table} (${d.tagValue('team')})`,
      ];
    },
  },
  {
    version: 2,
    name: 'savings and routed task',
    statements: (d) => {
      const table = d.table(LEDGER_TABLE);
      return [
        `ALTER TABLE ${table} ADD COLUMN saved_nanos ${d.types.bigint} NOT NULL DEFAULT 0`,
        `ALTER TABLE ${table} ADD COLUMN task ${d.types.text}`,
      ];
    },
  },
  {
    version: 3,
    name: 'create frugal_keys',
    // Virtual keys live beside the ledger so one database (file or schema) holds a deployment's state.
    // Only the SHA-256 of a key's plaintext is stored, never the plaintext or its secret part.
    statements: (d) => {
      const t = d.types;
      return [
        `CREATE TABLE ${d.table('frugal_keys')} (
          id ${t.text} NOT NULL PRIMARY KEY,
          secret_hash ${t.text} NOT NULL,
          name ${t.text} NOT NULL,
          team ${t.text},
          allowed_models ${t.text},
          budget_limit_usd ${t.text},
          budget_period ${t.text},
          budget_hard ${t.boolean},
          rpm ${t.bigint},
          tpm ${t.bigint},
          default_tags ${t.text} NOT NULL,
          expires_at ${t.bigint},
          created_at ${t.bigint} NOT NULL,
          revoked_at ${t.bigint}
        )${d.tableOptions}`,
      ];
    },
  },
  {
    version: 4,
    name: 'savings against the baseline model, by mechanism',
    statements: (d) => {
      const table = d.table(LEDGER_TABLE);
      return ['baseline_nanos', 'saved_routing_nanos', 'saved_cache_nanos', 'saved_compression_nanos', 'saved_prompt_cache_nanos'].map(
        (column) => `ALTER TABLE ${table} ADD COLUMN ${column} ${d.types.bigint} NOT NULL DEFAULT 0`,
      );
    },
  },
  {
    version: 5,
    name: 'prompt tokens before and after token reduction',
    statements: (d) => [`ALTER TABLE ${d.table(LEDGER_TABLE)} ADD COLUMN reduced_from_tokens ${d.types.text}`],
  },
  {
    version: 6,
    name: 'what the caller saved by naming a cheaper model than the baseline (shown apart from savings)',
    statements: (d) => [`ALTER TABLE ${d.table(LEDGER_TABLE)} ADD COLUMN caller_choice_nanos ${d.types.bigint} NOT NULL DEFAULT 0`],
  },
  {
    version: 7,
    name: 'create frugal_feedback (scores of requests, append-only history)',
    // In the ledger's list, not a list of its own: quality reports join it to the ledger, so wherever a ledger
    // exists the table must too. Rows are never updated: the current score of (request, name) is its latest seq.
    statements: (d) => {
      const t = d.types;
      const table = d.table('frugal_feedback');
      return [
        `CREATE TABLE ${table} (
          seq ${t.serialKey},
          id ${t.text} NOT NULL,
          request_id ${t.text} NOT NULL,
          request_ts ${t.bigint} NOT NULL,
          name ${t.text} NOT NULL,
          score ${t.double} NOT NULL,
          comment ${t.text},
          source ${t.text} NOT NULL,
          scored_by ${t.text},
          metadata ${t.text},
          created_at ${t.bigint} NOT NULL
        )${d.tableOptions}`,
        `CREATE INDEX frugal_feedback_request ON ${table} (request_id, request_ts, name, seq)`,
        // Feedback names a request by its id; without this every score would scan the whole ledger.
        `CREATE INDEX frugal_ledger_id ON ${d.table(LEDGER_TABLE)} (id)`,
      ];
    },
  },
  {
    version: 8,
    name: 'batch and prompt-batching savings, price tier, batch id, quality overhead, experiment arm',
    statements: (d) => {
      const table = d.table(LEDGER_TABLE);
      return [
        ...['saved_batch_nanos', 'saved_batching_nanos'].map((column) => `ALTER TABLE ${table} ADD COLUMN ${column} ${d.types.bigint} NOT NULL DEFAULT 0`),
        ...['service_tier', 'batch_id', 'overhead', 'experiment', 'arm'].map((column) => `ALTER TABLE ${table} ADD COLUMN ${column} ${d.types.text}`),
        // A batch's lines are read back by batch id (its output file, its report).
        `CREATE INDEX frugal_ledger_batch ON ${table} (batch_id)`,
      ];
    },
  },
  {
    version: 9,
    name: 'create frugal_ledger_hourly (per-hour rollup for the dashboard), filled from the rows',
    // The writer keeps it up to date in each batch's transaction (ledger-rollup.ts); `frugal ledger rollup --rebuild` remakes it.
    statements: (d) => createRollupSql(d, ROLLUP_SUMS_V9),
    fill: (d) => [rollupInsertSql(d, { sums: ROLLUP_SUMS_V9, source: d.table(LEDGER_TABLE), accumulate: false })],
  },
  {
    version: 10,
    name: 'create frugal_samples (sampled requests and answers, redacted, for judges and reviewers)',
    // Texts are redacted before they are written; each row carries its own expiry (its route's retention_days),
    // so one DELETE on expires_at serves every route.
    statements: (d) => {
      const t = d.types;
      const table = d.table('frugal_samples');
      return [
        `CREATE TABLE ${table} (
          seq ${t.serialKey},
          request_id ${t.text} NOT NULL,
          request_ts ${t.bigint} NOT NULL,
          route ${t.text} NOT NULL,
          model ${t.text},
          task ${t.text},
          key_id ${t.text},
          request_json ${t.text},
          answer ${t.text},
          created_at ${t.bigint} NOT NULL,
          expires_at ${t.bigint} NOT NULL
        )${d.tableOptions}`,
        `CREATE INDEX frugal_samples_request ON ${table} (request_id, request_ts)`,
        `CREATE INDEX frugal_samples_route_ts ON ${table} (route, request_ts)`,
        `CREATE INDEX frugal_samples_expires ON ${table} (expires_at)`,
      ];
    },
  },
  {
    // 11 is the Files and Batches tables' (batch-migrations.ts).
    version: 12,
    name: 'frugal_keys.rotated_at (when a key was last rotated: a session signed in before it has ended)',
    statements: (d) => [`ALTER TABLE ${d.table('frugal_keys')} ADD COLUMN rotated_at ${d.types.bigint}`],
  },
];

/** The migrations not yet applied, in order. */
export function pendingMigrations(applied: Iterable<number>, migrations: readonly Migration[] = MIGRATIONS): Migration[] {
  const done = new Set([...applied].map(Number));
  return migrations.filter((migration) => !done.has(migration.version));
}
