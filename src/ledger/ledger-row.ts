/** Outcome of a request, as the ledger records it. */
export type LedgerStatus = 'ok' | 'error' | 'client_aborted';

/**
 * One row per request. Money is integer nano-dollars (1e-9 USD): exact integer math, and fine enough that
 * the cheapest models ($0.01 per 1M tokens = 10 nano-dollars a token) never round to zero.
 * Secrets never reach a row: `keyId` is a key's public id, never the key.
 */
export interface LedgerRow {
  id: string;
  /** Start of the request, ms since the epoch. */
  ts: number;
  keyId: string | null;
  user: string | null;
  tags: Record<string, string>;
  requestedModel: string;
  servedModel: string | null;
  provider: string | null;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheCreationTokens: number;
  /** True when tokens were counted by us because the provider reported no usage. */
  tokensEstimated: boolean;
  costNanos: number;
  /** What Frugal saved on this request against the baseline model: baselineNanos − costNanos. */
  savedNanos: number;
  /** What the baseline model (default gpt-4o) would have charged for the same tokens, uncached and uncompressed. */
  baselineNanos: number;
  /** The saving split by mechanism; the six add up to savedNanos exactly. Routing may be negative. */
  savedRoutingNanos: number;
  savedCacheNanos: number;
  savedCompressionNanos: number;
  savedPromptCacheNanos: number;
  /**
   * What a patient lane saved against the real-time price of the same call: a batch API, the flex tier or an
   * off-peak window that Frugal chose (a batch line, a deferred background request).
   */
  savedBatchNanos: number;
  /** What sending concurrent small requests as one batched call saved, net of re-sends (prompt batching). */
  savedBatchingNanos: number;
  /**
   * Not a saving: what the caller's own choice of model (named directly, no route) cost less than the configured
   * baseline model would have, on the same tokens. Frugal decided nothing there, so it is shown apart.
   */
  callerChoiceNanos: number;
  latencyMs: number;
  ttftMs: number | null;
  status: LedgerStatus;
  httpStatus: number;
  errorCode: string | null;
  /** Reserved for the caching stage: hit | semantic-hit | miss | bypass. */
  cacheStatus: string | null;
  /** Reserved for routing: the decision path, e.g. "auto>classify:summarize>qwen3-32b". */
  routeTrace: string | null;
  /** The task a classify/map route decided, when one did. */
  task: string | null;
  /** Prompt tokens before and after compression / context pruning (our count), when either ran. */
  tokenReduction: { before: number; after: number } | null;
  /** What the gateway changed in the request, said out loud (dropped params, model swaps). */
  warnings: string[];
  /** The price tier the call was billed at: standard (null), batch, flex, off_peak. */
  serviceTier: string | null;
  /** The batch (`batch_…`) a line of a Batches API job belongs to. */
  batchId: string | null;
  /**
   * Set on calls Frugal made for itself rather than for the caller (a judge, a reference answer, a shadow arm, a
   * classifier): real spend, reported as quality overhead and never as the caller's traffic.
   */
  overhead: string | null;
  /** The experiment this request took part in and the arm it was given. */
  experiment: string | null;
  arm: string | null;
}
