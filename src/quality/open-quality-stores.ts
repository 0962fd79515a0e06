import { openLedgerSqlClient } from '../experiments/experiment-stats.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { openSampleStore } from './open-sample-store.js';
import { createQualityWindowReader, type QualityWindowReader } from './quality-window-reader.js';
import type { SampleStore } from './sample-store.js';

export interface OpenedQualityStores {
  samples: SampleStore;
  feedback: FeedbackStore;
  windows: QualityWindowReader;
  close(): Promise<void>;
}

/**
 * What quality needs in the ledger's database (already migrated by the ledger): samples, judge scores (the
 * feedback table) and the windows the regression monitor reads. Outlives config reloads.
 *
 * @example
 * const quality = openQualityStores({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
 */
export function openQualityStores(where: { databaseUrl?: string; dataDir: string; schema?: string }): OpenedQualityStores {
  const samples = openSampleStore(where);
  const feedback = openFeedbackStore(where);
  const client = openLedgerSqlClient(where);
  return {
    samples,
    feedback,
    windows: createQualityWindowReader(client),
    async close() {
      await Promise.allSettled([samples.close(), feedback.close(), client.close()]);
    },
  };
}
