import { FrugalError } from '../errors/frugal-error.js';
import { scrubCredentials } from '../errors/scrub-credentials.js';
import { publishRequestFinished } from '../telemetry/events.js';
import type { LedgerRow, LedgerStatus } from './ledger-row.js';
import type { SavingsBreakdown } from './savings.js';
import type { RowHold } from '../request/request-context.js';

/** Where finished rows go. `record` is synchronous and cheap: writes happen off the request path. */
export interface LedgerSink {
  record(row: LedgerRow): void;
}

/** Tokens and money over every upstream attempt of one request. */
export interface RowSpend {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheCreationTokens: number;
  costNanos: number;
  estimated: boolean;
}

/**
 * What every endpoint (chat, embeddings, and the Responses and Messages doors over chat) knows about a finished
 * request; one builder turns it into the row, so no endpoint can record a request differently.
 */
export interface RowFacts {
  requestId: string;
  /** ms since the epoch. */
  startedAt: number;
  /** performance.now() at the start. */
  startedHr: number;
  keyId: string | null;
  user: string | null;
  tags: Record<string, string>;
  requestedModel: string;
  servedModel: string | null;
  provider: string | null;
  stream: boolean;
  spend: RowSpend;
  /** Savings against the baseline; undefined: the request is its own baseline (nothing saved). */
  savings: SavingsBreakdown | undefined;
  ttftMs: number | null;
  status: LedgerStatus;
  error: unknown;
  cacheStatus: string | null;
  /** The route decision as data: the path taken and the task a classify/map route chose. */
  decision: { trace: readonly string[]; task: string | null };
  tokenReduction: { before: number; after: number } | null;
  warnings: string[];
  /** The price tier the call was billed at, when not standard (batch, flex, off_peak). */
  serviceTier?: string | null;
  batchId?: string | null;
  /** Why Frugal made this call for itself (judge, reference, shadow, classifier); absent for the caller's traffic. */
  overhead?: string | null;
  experiment?: { name: string; arm: string } | null;
}

const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * The caller's own text in a row (the model asked for, `user`, tags, and the trace and warnings that quote them):
 * a key pasted where a model name belongs is still a key, and the ledger keeps no secrets.
 */
const scrubbed = (text: string) => scrubCredentials(text);

function scrubbedTags(tags: Record<string, string>): Record<string, string> {
  let clean: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(tags)) {
    const safeName = scrubbed(name);
    const safeValue = scrubbed(String(value));
    if (safeName === name && safeValue === value) continue;
    clean ??= { ...tags };
    if (safeName !== name) delete clean[name];
    clean[safeName] = safeValue;
  }
  return clean ?? tags;
}

export function buildLedgerRow(facts: RowFacts): LedgerRow {
  const { spend, status } = facts;
  const savings = facts.savings ?? { baselineNanos: spend.costNanos, routingNanos: 0, cacheNanos: 0, compressionNanos: 0, promptCacheNanos: 0, callerChoiceNanos: 0 };
  const frugalError = facts.error instanceof FrugalError ? facts.error : undefined;
  return {
    id: facts.requestId,
    ts: facts.startedAt,
    keyId: facts.keyId,
    user: facts.user === null ? null : scrubbed(facts.user),
    tags: scrubbedTags(facts.tags),
    requestedModel: scrubbed(facts.requestedModel),
    servedModel: facts.servedModel,
    provider: facts.provider,
    stream: facts.stream,
    promptTokens: spend.promptTokens,
    completionTokens: spend.completionTokens,
    cachedTokens: spend.cachedTokens,
    cacheCreationTokens: spend.cacheCreationTokens,
    tokensEstimated: spend.estimated,
    costNanos: spend.costNanos,
    savedNanos: savings.baselineNanos - spend.costNanos,
    baselineNanos: savings.baselineNanos,
    savedRoutingNanos: savings.routingNanos,
    savedCacheNanos: savings.cacheNanos,
    savedCompressionNanos: savings.compressionNanos,
    savedPromptCacheNanos: savings.promptCacheNanos,
    savedBatchNanos: savings.batchNanos ?? 0,
    savedBatchingNanos: savings.batchingNanos ?? 0,
    callerChoiceNanos: savings.callerChoiceNanos,
    latencyMs: roundMs(performance.now() - facts.startedHr),
    ttftMs: facts.ttftMs === null ? null : roundMs(facts.ttftMs),
    status,
    httpStatus: status === 'ok' ? 200 : status === 'client_aborted' ? 499 : (frugalError?.status ?? 500),
    errorCode: errorCodeOf(status, frugalError),
    cacheStatus: facts.cacheStatus,
    routeTrace: facts.decision.trace.length > 0 ? scrubbed(facts.decision.trace.join('>')) : null,
    task: facts.decision.task,
    tokenReduction: facts.tokenReduction,
    warnings: facts.warnings.map(scrubbed),
    serviceTier: facts.serviceTier ?? null,
    batchId: facts.batchId ?? null,
    overhead: facts.overhead ?? null,
    experiment: facts.experiment?.name ?? null,
    arm: facts.experiment?.arm ?? null,
  };
}

/**
 * Builds the row, hands it to the sink and announces it (metrics, alerts): the one way a request is recorded.
 * `hold` (a batch line's) gets the row first, with the call that records it.
 */
export function recordRequest(sink: LedgerSink | undefined, facts: RowFacts, hold?: RowHold): LedgerRow {
  const row = buildLedgerRow(facts);
  if (hold) hold(row, () => sink?.record(row));
  else sink?.record(row);
  publishRequestFinished({ row });
  return row;
}

/**
 * A request ended by its caller says so, whatever the upstream call it cut short turned into on the way out (an
 * aborted call surfaces as a cancelled upstream call, which is no upstream timeout); a drain's cut says `shutdown`.
 */
function errorCodeOf(status: LedgerStatus, error: FrugalError | undefined): string | null {
  if (status === 'ok') return null;
  if (status === 'client_aborted') return error?.code === 'shutdown' ? 'shutdown' : 'client_aborted';
  return error?.upstreamCode ?? error?.code ?? 'internal_error';
}
