import type { Migration } from '../ledger/migrations.js';

export const RESPONSES_TABLE = 'frugal_responses';

/**
 * The response store's schema changes, recorded in the ledger's `frugal_migrations` table beside the ledger's
 * own. Versions start at 1001 so the ledger's list (1, 2, 3 …) never collides with them; each runner applies
 * only its own list. History: never edit one that has shipped, append a new version.
 */
export const RESPONSE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1001,
    name: 'create frugal_responses',
    statements: (d) => [
      `CREATE TABLE ${d.table(RESPONSES_TABLE)} (
        id ${d.types.text} NOT NULL PRIMARY KEY,
        owner ${d.types.text} NOT NULL,
        created_at ${d.types.bigint} NOT NULL,
        previous_response_id ${d.types.text},
        input_items ${d.types.text} NOT NULL,
        response ${d.types.text} NOT NULL
      )${d.tableOptions}`,
      // For expiry by age, the one scan that is not by id.
      `CREATE INDEX frugal_responses_created ON ${d.table(RESPONSES_TABLE)} (created_at)`,
    ],
  },
];
