import type { FeedbackStore, NewFeedback } from '../../feedback/feedback-store.js';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import { ledgerWorkload } from '../../ledger/ledger-store.case.js';
import type { LedgerStore } from '../../ledger/ledger-store.js';
import type { Sample, SampleStore } from '../../quality/sample-store.js';

/**
 * A known workload for offline learning, written through the real stores: ledger rows, stored samples and their
 * scores, as a gateway with sampling, feedback, judges and shadows would have left them.
 */

export const LEARNING_T0 = Date.UTC(2026, 0, 5);
const MINUTE = 60_000;

export interface WorkloadRequest {
  id: string;
  minute: number;
  model: string;
  route: string;
  costNanos: number;
  /** Stored messages (null: a sample without bodies). */
  messages: Array<Record<string, unknown>> | null;
  answer: string | null;
  /** Scores in the order they are given (a later one of the same name replaces the earlier). */
  scores?: Array<Partial<NewFeedback> & { score: number }>;
  /** No sample: a ledger row only (a shadow's or a reference's row). */
  unsampled?: boolean;
}

export interface LearningStores {
  ledger: LedgerStore;
  samples: SampleStore;
  feedback: FeedbackStore;
}

export async function writeWorkload(stores: LearningStores, requests: readonly WorkloadRequest[]): Promise<void> {
  const [template] = ledgerWorkload();
  const rows: LedgerRow[] = requests.map((request) => ({
    ...template,
    id: request.id,
    ts: LEARNING_T0 + request.minute * MINUTE,
    keyId: 'key_learn',
    tags: {},
    requestedModel: request.route,
    servedModel: request.model,
    costNanos: request.costNanos,
    savedNanos: 0,
    baselineNanos: request.costNanos,
    savedRoutingNanos: 0,
    savedCacheNanos: 0,
    savedCompressionNanos: 0,
    savedPromptCacheNanos: 0,
    callerChoiceNanos: 0,
    status: 'ok',
  }));
  await stores.ledger.insert(rows);
  const samples: Sample[] = requests
    .filter((request) => !request.unsampled)
    .map((request) => ({
      requestId: request.id,
      requestTs: LEARNING_T0 + request.minute * MINUTE,
      route: request.route,
      model: request.model,
      task: null,
      keyId: 'key_learn',
      requestJson: request.messages === null ? null : JSON.stringify(request.messages),
      answer: request.answer,
      createdAt: LEARNING_T0 + request.minute * MINUTE,
      expiresAt: LEARNING_T0 + 365 * 86_400_000,
    }));
  await stores.samples.insert(samples);
  for (const request of requests) {
    for (const score of request.scores ?? []) {
      await stores.feedback.add({
        requestId: request.id,
        requestTs: LEARNING_T0 + request.minute * MINUTE,
        name: 'default',
        comment: null,
        source: 'user',
        scoredBy: null,
        metadata: null,
        ...score,
      });
    }
  }
}

export const user = (content: string) => [{ role: 'user', content }];
