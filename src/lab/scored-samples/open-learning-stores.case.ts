import { openLedgerSqlClient } from '../../experiments/experiment-stats.js';
import { openFeedbackStore } from '../../feedback/open-feedback-store.js';
import type { SqlClient } from '../../keys/sql-client.js';
import { openLedgerStore } from '../../ledger/open-ledger-store.js';
import { openSampleStore } from '../../quality/open-sample-store.js';
import type { LearningStores } from './learning-workload.case.js';

/** The stores a gateway writes, and a SqlClient the readers use, on one (migrated) database. */
export async function openLearningStores(where: { databaseUrl?: string; dataDir: string; schema?: string }): Promise<LearningStores & { client: SqlClient }> {
  const ledger = openLedgerStore(where);
  await ledger.migrate();
  return { ledger, samples: openSampleStore(where), feedback: openFeedbackStore(where), client: openLedgerSqlClient(where) };
}
