import type { Migration } from '../ledger/migrations.js';
import type { SqlDialect } from '../ledger/sql-dialect.js';

export const FILES_TABLE = 'frugal_files';
export const FILE_CHUNKS_TABLE = 'frugal_file_chunks';
export const BATCHES_TABLE = 'frugal_batches';
export const BATCH_LINES_TABLE = 'frugal_batch_lines';
export const BATCH_UPSTREAMS_TABLE = 'frugal_batch_upstreams';

const blob = (d: SqlDialect) => (d.name === 'postgres' ? 'BYTEA' : 'BLOB');

/**
 * The Files and Batches tables, recorded in the ledger's `frugal_migrations` table under the version reserved
 * for them (11, then 1101 on). Kept in a list of their own, as the response store does, so the ledger's migrations.ts
 * is untouched; each runner applies only its own list. History: never edit a shipped one, append a new version.
 */
export const BATCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 11,
    name: 'create frugal_files, frugal_file_chunks, frugal_batches, frugal_batch_lines, frugal_batch_upstreams',
    statements: (d) => {
      const t = d.types;
      return [
        `CREATE TABLE ${d.table(FILES_TABLE)} (
          id ${t.text} NOT NULL PRIMARY KEY,
          owner ${t.text} NOT NULL,
          filename ${t.text} NOT NULL,
          purpose ${t.text} NOT NULL,
          bytes ${t.bigint} NOT NULL,
          created_at ${t.bigint} NOT NULL,
          expires_at ${t.bigint}
        )${d.tableOptions}`,
        `CREATE INDEX frugal_files_owner ON ${d.table(FILES_TABLE)} (owner, created_at, id)`,
        // PostgreSQL keeps file bytes here (SQLite: files under the data dir), a chunk per row.
        `CREATE TABLE ${d.table(FILE_CHUNKS_TABLE)} (
          file_id ${t.text} NOT NULL,
          n ${t.integer} NOT NULL,
          data ${blob(d)} NOT NULL,
          PRIMARY KEY (file_id, n)
        )${d.tableOptions}`,
        `CREATE TABLE ${d.table(BATCHES_TABLE)} (
          id ${t.text} NOT NULL PRIMARY KEY,
          owner ${t.text} NOT NULL,
          status ${t.text} NOT NULL,
          endpoint ${t.text} NOT NULL,
          input_file_id ${t.text} NOT NULL,
          completion_window ${t.text} NOT NULL,
          metadata ${t.text},
          created_at ${t.bigint} NOT NULL,
          expires_at ${t.bigint} NOT NULL,
          times ${t.text} NOT NULL,
          output_file_id ${t.text},
          error_file_id ${t.text},
          errors ${t.text},
          total ${t.bigint} NOT NULL,
          caller ${t.text} NOT NULL
        )${d.tableOptions}`,
        `CREATE INDEX frugal_batches_owner ON ${d.table(BATCHES_TABLE)} (owner, created_at, id)`,
        `CREATE INDEX frugal_batches_status ON ${d.table(BATCHES_TABLE)} (status, created_at)`,
        `CREATE TABLE ${d.table(BATCH_LINES_TABLE)} (
          batch_id ${t.text} NOT NULL,
          line_no ${t.bigint} NOT NULL,
          custom_id ${t.text},
          lane ${t.text} NOT NULL,
          provider ${t.text},
          body ${t.text} NOT NULL,
          state ${t.text} NOT NULL,
          lease_until ${t.bigint},
          lease_owner ${t.text},
          upstream_id ${t.text},
          ok ${t.integer},
          result ${t.text},
          cost_nanos ${t.bigint},
          PRIMARY KEY (batch_id, line_no)
        )${d.tableOptions}`,
        `CREATE INDEX frugal_batch_lines_state ON ${d.table(BATCH_LINES_TABLE)} (batch_id, lane, state, line_no)`,
        `CREATE TABLE ${d.table(BATCH_UPSTREAMS_TABLE)} (
          batch_id ${t.text} NOT NULL,
          provider ${t.text} NOT NULL,
          lane ${t.text} NOT NULL,
          upstream_id ${t.text} NOT NULL,
          upstream_file_id ${t.text},
          state ${t.text} NOT NULL,
          created_at ${t.bigint} NOT NULL,
          PRIMARY KEY (batch_id, provider)
        )${d.tableOptions}`,
      ];
    },
  },
  {
    version: 1101,
    name: 'frugal_batch_lines keep their ledger rows until the ledger has them',
    // A line's result and its ledger row are written in one statement; the row is cleared once the ledger stores it.
    // A crash between the two can then neither lose the row nor run the line again (see batch-ledger-rows.ts).
    statements: (d) => {
      const lines = d.table(BATCH_LINES_TABLE);
      return [
        `ALTER TABLE ${lines} ADD COLUMN ledger_rows ${d.types.text}`,
        `ALTER TABLE ${lines} ADD COLUMN done_at ${d.types.bigint}`,
        `CREATE INDEX frugal_batch_lines_unrecorded ON ${lines} (done_at) WHERE ledger_rows IS NOT NULL`,
      ];
    },
  },
];
