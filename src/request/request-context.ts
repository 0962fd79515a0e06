import type { ModelEntry } from '../config/gateway-config.js';
import type { ChatChunk, ChatRequest, ChatResponse } from '../wire/chat-types.js';
import type { TokenUsage } from '../wire/token-usage.js';
import type { RequestNeeds } from './fit-check.js';
import type { LaneHint, LaneState } from './lane-state.js';

/** The caller's virtual key, as authentication found it: what it may do and what it may spend. */
export interface CallerKey {
  id: string;
  team: string | null;
  /** Model and route names the key may use; null = all. */
  allowedModels: string[] | null;
  budget: { limitUsd: string; period: 'day' | 'week' | 'month'; hard: boolean } | null;
  rateLimits: { rpm: number | null; tpm: number | null };
  defaultTags: Record<string, string>;
}

/**
 * What one request may still spend: its budget holds and its cost ceiling. Every upstream attempt (cascade tier,
 * retry, hedge, fallback, judge, second opinion, compression call) begins here and ends with its real cost.
 */
export interface SpendHold {
  /** Holds the attempt's worst case on top of what is spent and held by attempts in flight, or throws budget_exceeded / cost_ceiling_exceeded. */
  beginAttempt(worstCaseNanos: number, who: { model: string; provider: string }): Promise<AttemptHold>;
  /** Output tokens assumed for a request without max_tokens. */
  readonly defaultMaxTokens: number;
  readonly ceiling: { nanos: number; source: string } | undefined;
}

export interface AttemptHold {
  /** Call once the attempt's cost is in `spend` (undefined: nothing billed). A cost above the worst case is an overshoot: reported and held at once. Never throws. */
  end(actualNanos: number | undefined): Promise<void>;
}

/** Who is calling, as the edge (HTTP server or library caller) knows it. */
export interface CallerContext {
  /** The authenticated virtual key, when keys are in use. */
  key?: CallerKey;
  requestId?: string;
  /** Public id of the virtual key; never the key itself. */
  keyId?: string | null;
  tags?: Record<string, string>;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /** Aborts `signal` with this reason: lent by an edge that owns the signal, so the call can be ended from inside (a drain). */
  endCall?: (reason: Error) => void;
  /** The task the caller declares (header x-frugal-task), for `map` routes. */
  task?: string;
  /** The caller's `x-frugal-cache` header: no-cache | no-store | ttl=SECONDS. */
  cacheHeader?: string;
  /** The caller's `x-frugal-max-cost-usd` header: the most this request may spend, all attempts included. */
  maxCostUsd?: string;
  /** The Batches API job this request is a line of (its ledger row says so). */
  batchId?: string;
  /** x-frugal-priority / x-frugal-deadline as sent (a batch line may set priority: 'background'). */
  lane?: LaneHint;
  /**
   * Whether the caller's key still stands (not revoked, expired or rotated away): asked before work that waited,
   * such as a background request held for an off-peak window. Absent: nothing to ask (no key, or in-process).
   */
  keyInForce?: () => Promise<boolean>;
  /**
   * Given the request's ledger row instead of the ledger, with the call that records it: a batch line stores its row
   * with its result first, so a crash between the two can neither lose the row nor run the line again.
   */
  holdRow?: RowHold;
}

/**
 * Takes a request's built ledger row (the ledger's LedgerRow: this layer sits below the ledger, so it names only the
 * id) and the call that hands it to the ledger, to be made once the holder has kept its copy.
 */
export type RowHold = (row: { readonly id: string }, record: () => void) => void;

/** What one request carries through the pipeline. Stages add to it; nothing else is shared between them. */
export interface RequestContext {
  readonly requestId: string;
  /** ms since the epoch, for the ledger. */
  readonly startedAt: number;
  /** performance.now() at the start, for latency. */
  readonly startedHr: number;
  request: ChatRequest;
  readonly keyId: string | null;
  readonly key: CallerKey | undefined;
  /** Set by the spend-control stage when a budget or a cost ceiling applies; every upstream attempt must fit in it first. */
  spendHold: SpendHold | undefined;
  readonly user: string | null;
  readonly tags: Record<string, string>;
  readonly signal: AbortSignal;
  readonly taskHint: string | undefined;
  readonly cacheHeader: string | undefined;
  /** The ceiling the caller asked for (header), before route and key defaults are applied. */
  readonly maxCostUsd: string | undefined;
  /** The Batches API job this request is a line of. */
  readonly batchId?: string;
  /** Where the row goes before the ledger (CallerContext.holdRow). */
  readonly holdRow?: RowHold;
  /** The caller's lane headers; the lane stage turns them into `lane`. */
  readonly laneHint?: LaneHint;
  /** CallerContext.keyInForce. */
  readonly keyInForce?: () => Promise<boolean>;
  /** Set by the lane stage for work that can wait (background lane); undefined for real-time requests. */
  lane?: LaneState;
  /** Prompt batching: what this request alone would have cost minus its share of the batched call, net of re-sends. */
  batchingSavedNanos?: number;
  /**
   * Set when the answer served falls short of what the route promises (a cascade tier failed or left unchecked
   * because this request's cost ceiling stopped the escalation): this request's compromise, never cached for another.
   */
  servedShort?: boolean;
  /** Set when the answer came from the response cache: the original call's cost and tokens. */
  cacheHit: { originalCostNanos: number; originalPromptCacheSavedNanos: number; promptTokens: number; completionTokens: number } | undefined;
  /** Prompt tokens the compression stage removed (0 when it did not run). */
  compressedAwayTokens: number;
  /** Prompt tokens before and after compression / pruning, when either ran (our count). */
  tokenReduction: { before: number; after: number } | null;
  /** What compression's own model calls cost (already in `spend`); its saving is net of this. */
  compressionCostNanos: number;
  /** Computed once, the first time a route checks which models can take the request. */
  needs: RequestNeeds | undefined;
  /** The model that serves the request, once resolved. */
  model: ModelEntry | undefined;
  routeTrace: string[];
  /** The task a classify or map route decided, as data (never parsed back out of the trace). */
  task: string | null;
  /** Everything the gateway changed about the request, said out loud (headers and ledger). */
  warnings: string[];
  cacheStatus: string | null;
  /** Tokens and money spent on this request so far, over every upstream attempt (failed cascade tiers, hedges). */
  spend: Spend;
  /** Extra response headers a stage wants the client to see (x-frugal-*). */
  responseHeaders: Record<string, string>;
  /** Set by the experiment stage: the experiment, the arm this request was given, and the route whose traffic it split. */
  experiment?: { name: string; arm: string; route: string };
}

export interface Spend {
  attempts: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheCreationTokens: number;
  costNanos: number;
  /** True when any attempt's tokens were counted by us rather than reported by the provider. */
  estimated: boolean;
  /** Net saving of providers' prompt caches over the attempts (reads below input price minus write premiums). */
  promptCacheSavedNanos: number;
}

export function emptySpend(): Spend {
  return { attempts: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheCreationTokens: 0, costNanos: 0, estimated: false, promptCacheSavedNanos: 0 };
}

export function addSpend(spend: Spend, usage: TokenUsage, costNanos: number, promptCacheSavedNanos = 0): void {
  spend.promptCacheSavedNanos += promptCacheSavedNanos;
  spend.attempts += 1;
  spend.promptTokens += usage.promptTokens;
  spend.completionTokens += usage.completionTokens;
  spend.cachedTokens += usage.cachedPromptTokens;
  spend.cacheCreationTokens += usage.cacheCreationTokens;
  spend.costNanos += costNanos;
  if (usage.estimated) spend.estimated = true;
}

/** Facts about the call that served a request; for streams, complete once the stream ends. */
export interface CallMeta {
  model: ModelEntry;
  provider: string;
  usage: TokenUsage | undefined;
  costNanos: number;
  /** ms from request start to the first streamed token. */
  ttftMs: number | null;
  /** Set when a stream ended without its end: client gone or upstream failure. */
  streamError: unknown;
  streamCompleted: boolean;
}

export type ChatOutcome =
  | { kind: 'response'; response: ChatResponse; meta: CallMeta }
  | { kind: 'stream'; chunks: AsyncIterable<ChatChunk>; meta: CallMeta };
