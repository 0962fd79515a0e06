import type { LedgerRow, LedgerStatus } from './ledger-row.js';
import { LedgerRowsRefusedError } from './ledger-store.js';

/** LedgerRow field → column, in the order both stores write them. */
export const LEDGER_COLUMNS = [
  ['id', 'id'],
  ['ts', 'ts'],
  ['keyId', 'key_id'],
  // `user` is a reserved word in Postgres.
  ['user', 'end_user'],
  ['tags', 'tags'],
  ['requestedModel', 'requested_model'],
  ['servedModel', 'served_model'],
  ['provider', 'provider'],
  ['stream', 'stream'],
  ['promptTokens', 'prompt_tokens'],
  ['completionTokens', 'completion_tokens'],
  ['cachedTokens', 'cached_tokens'],
  ['cacheCreationTokens', 'cache_creation_tokens'],
  ['tokensEstimated', 'tokens_estimated'],
  ['costNanos', 'cost_nanos'],
  ['savedNanos', 'saved_nanos'],
  ['baselineNanos', 'baseline_nanos'],
  ['savedRoutingNanos', 'saved_routing_nanos'],
  ['savedCacheNanos', 'saved_cache_nanos'],
  ['savedCompressionNanos', 'saved_compression_nanos'],
  ['savedPromptCacheNanos', 'saved_prompt_cache_nanos'],
  ['callerChoiceNanos', 'caller_choice_nanos'],
  ['savedBatchNanos', 'saved_batch_nanos'],
  ['savedBatchingNanos', 'saved_batching_nanos'],
  ['latencyMs', 'latency_ms'],
  ['ttftMs', 'ttft_ms'],
  ['status', 'status'],
  ['httpStatus', 'http_status'],
  ['errorCode', 'error_code'],
  ['cacheStatus', 'cache_status'],
  ['routeTrace', 'route_trace'],
  ['task', 'task'],
  ['tokenReduction', 'reduced_from_tokens'],
  ['warnings', 'warnings'],
  ['serviceTier', 'service_tier'],
  ['batchId', 'batch_id'],
  ['overhead', 'overhead'],
  ['experiment', 'experiment'],
  ['arm', 'arm'],
] as const satisfies ReadonlyArray<readonly [keyof LedgerRow, string]>;

export const LEDGER_COLUMN_NAMES: readonly string[] = LEDGER_COLUMNS.map(([, column]) => column);

const INTEGER_FIELDS = ['ts', 'promptTokens', 'completionTokens', 'cachedTokens', 'cacheCreationTokens', 'costNanos', 'savedNanos', 'baselineNanos', 'savedRoutingNanos', 'savedCacheNanos', 'savedCompressionNanos', 'savedPromptCacheNanos', 'savedBatchNanos', 'savedBatchingNanos', 'callerChoiceNanos', 'httpStatus'] as const;

/**
 * Why a row cannot be stored, or undefined when it can. The types cannot say "integer" or "finite", and a
 * fractional cost or a NaN latency would be refused by the database — forever, on every retry.
 */
export function ledgerRowProblem(row: LedgerRow): string | undefined {
  for (const field of INTEGER_FIELDS) {
    if (!Number.isSafeInteger(row[field])) return `${field} must be a safe integer, got ${row[field]}`;
  }
  if (!Number.isFinite(row.latencyMs)) return `latencyMs must be finite, got ${row.latencyMs}`;
  if (row.ttftMs !== null && !Number.isFinite(row.ttftMs)) return `ttftMs must be finite or null, got ${row.ttftMs}`;
  if (typeof row.id !== 'string') return 'id must be a string';
  return undefined;
}

/**
 * Text limits, in UTF-16 units. Names, ids and tags are indexed in PostgreSQL, whose btree entries stop at
 * 2 704 bytes: 512 units are at most 1 536 bytes of UTF-8. Traces and warnings are not indexed.
 */
export const SHORT_TEXT_MAX = 512;
export const LONG_TEXT_MAX = 4_096;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_CLEANING = /[\u0000\uD800-\uDFFF]/;

/**
 * Text as both databases can store it: NUL (PostgreSQL refuses it in TEXT and in jsonb) and lone surrogates
 * (not UTF-8; jsonb refuses their escapes) become U+FFFD, and a value past `max` is cut, ending in "…".
 */
export function storableText(text: string, max: number): string {
  let clean = NEEDS_CLEANING.test(text) ? text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD') : text;
  if (clean.length > max) {
    let cut = clean.slice(0, max - 1);
    // Never leave half of a surrogate pair at the cut.
    if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
    clean = `${cut}…`;
  }
  return clean;
}

function storableOrNull(text: string | null, max: number): string | null {
  return text === null ? null : storableText(text, max);
}

/**
 * The row as the ledger stores it (see storableText). Both stores apply it, so SQLite and PostgreSQL keep the
 * same values; a client typing NUL into `user` or a tag can no longer stop the PostgreSQL ledger.
 */
export function storableLedgerRow(row: LedgerRow): LedgerRow {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(row.tags)) tags[storableText(key, SHORT_TEXT_MAX)] = storableText(String(value), SHORT_TEXT_MAX);
  return {
    ...row,
    id: storableText(row.id, SHORT_TEXT_MAX),
    keyId: storableOrNull(row.keyId, SHORT_TEXT_MAX),
    user: storableOrNull(row.user, SHORT_TEXT_MAX),
    tags,
    requestedModel: storableText(row.requestedModel, SHORT_TEXT_MAX),
    servedModel: storableOrNull(row.servedModel, SHORT_TEXT_MAX),
    provider: storableOrNull(row.provider, SHORT_TEXT_MAX),
    errorCode: storableOrNull(row.errorCode, SHORT_TEXT_MAX),
    cacheStatus: storableOrNull(row.cacheStatus, SHORT_TEXT_MAX),
    routeTrace: storableOrNull(row.routeTrace, LONG_TEXT_MAX),
    task: storableOrNull(row.task, SHORT_TEXT_MAX),
    warnings: row.warnings.map((warning) => storableText(warning, LONG_TEXT_MAX)),
    serviceTier: storableOrNull(row.serviceTier, SHORT_TEXT_MAX),
    batchId: storableOrNull(row.batchId, SHORT_TEXT_MAX),
    overhead: storableOrNull(row.overhead, SHORT_TEXT_MAX),
    experiment: storableOrNull(row.experiment, SHORT_TEXT_MAX),
    arm: storableOrNull(row.arm, SHORT_TEXT_MAX),
  };
}

/**
 * Column values in LEDGER_COLUMNS order, text made storable (storableLedgerRow). SQLite has no booleans, so it
 * takes 1/0. A row no database can take (a fractional cost) throws LedgerRowsRefusedError.
 */
export function encodeLedgerRow(original: LedgerRow, booleans: 'native' | 'integer'): unknown[] {
  const problem = ledgerRowProblem(original);
  if (problem !== undefined) throw new LedgerRowsRefusedError(`ledger row ${original.id} cannot be stored: ${problem}`);
  const row = storableLedgerRow(original);
  const bool = booleans === 'native' ? (value: boolean) => value : (value: boolean) => (value ? 1 : 0);
  return LEDGER_COLUMNS.map(([field]) => {
    const value = row[field];
    if (field === 'tags' || field === 'warnings') return JSON.stringify(value);
    // Stored as "before>after" text: one nullable column, read back exactly.
    if (field === 'tokenReduction') return value === null ? null : `${(value as { before: number }).before}>${(value as { after: number }).after}`;
    if (typeof value === 'boolean') return bool(value);
    return value;
  });
}

function numberOf(value: unknown): number {
  // Postgres sends BIGINT as text and SQLite (safeIntegers) as bigint; both hold values written from safe integers.
  return typeof value === 'number' ? value : Number(value);
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : numberOf(value);
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function booleanOf(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

/** A database row (columns by name) back into a LedgerRow. */
export function decodeLedgerRow(record: Record<string, unknown>): LedgerRow {
  return {
    id: String(record.id),
    ts: numberOf(record.ts),
    keyId: nullableText(record.key_id),
    user: nullableText(record.end_user),
    tags: JSON.parse(String(record.tags)) as Record<string, string>,
    requestedModel: String(record.requested_model),
    servedModel: nullableText(record.served_model),
    provider: nullableText(record.provider),
    stream: booleanOf(record.stream),
    promptTokens: numberOf(record.prompt_tokens),
    completionTokens: numberOf(record.completion_tokens),
    cachedTokens: numberOf(record.cached_tokens),
    cacheCreationTokens: numberOf(record.cache_creation_tokens),
    tokensEstimated: booleanOf(record.tokens_estimated),
    costNanos: numberOf(record.cost_nanos),
    savedNanos: numberOf(record.saved_nanos ?? 0),
    baselineNanos: numberOf(record.baseline_nanos ?? 0),
    savedRoutingNanos: numberOf(record.saved_routing_nanos ?? 0),
    savedCacheNanos: numberOf(record.saved_cache_nanos ?? 0),
    savedCompressionNanos: numberOf(record.saved_compression_nanos ?? 0),
    savedPromptCacheNanos: numberOf(record.saved_prompt_cache_nanos ?? 0),
    callerChoiceNanos: numberOf(record.caller_choice_nanos ?? 0),
    savedBatchNanos: numberOf(record.saved_batch_nanos ?? 0),
    savedBatchingNanos: numberOf(record.saved_batching_nanos ?? 0),
    latencyMs: numberOf(record.latency_ms),
    ttftMs: nullableNumber(record.ttft_ms),
    status: String(record.status) as LedgerStatus,
    httpStatus: numberOf(record.http_status),
    errorCode: nullableText(record.error_code),
    cacheStatus: nullableText(record.cache_status),
    routeTrace: nullableText(record.route_trace),
    task: nullableText(record.task),
    tokenReduction: tokenReductionOf(record.reduced_from_tokens),
    warnings: JSON.parse(String(record.warnings)) as string[],
    serviceTier: nullableText(record.service_tier),
    batchId: nullableText(record.batch_id),
    overhead: nullableText(record.overhead),
    experiment: nullableText(record.experiment),
    arm: nullableText(record.arm),
  };
}

function tokenReductionOf(value: unknown): { before: number; after: number } | null {
  if (value === null || value === undefined) return null;
  const [before, after] = String(value).split('>').map(Number);
  return { before, after };
}
