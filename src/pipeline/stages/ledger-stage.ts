import type { Price } from '../../catalog/pricing.js';
import { FrugalError } from '../../errors/frugal-error.js';
import { attributeSavings } from '../../ledger/savings.js';
import type { LedgerRow, LedgerStatus } from '../../ledger/ledger-row.js';
import type { ChatChunk } from '../../wire/chat-types.js';
import { publishRequestFinished } from '../../telemetry/events.js';
import type { CallMeta, RequestContext } from '../../request/request-context.js';
import type { Stage } from '../stage.js';

/** Where finished rows go. `record` is synchronous and cheap: writes happen off the request path. */
export interface LedgerSink {
  record(row: LedgerRow): void;
}

/**
 * Wraps everything after it so that every request leaves exactly one row: answered, failed, or streamed —
 * a stream's row is written when the stream ends, including when the client walks away mid-stream.
 */
export function ledgerStage(sink: LedgerSink | undefined, baselinePrice?: Price): Stage {
  function finish(context: RequestContext, meta: CallMeta | undefined, status: LedgerStatus, error: unknown) {
    const row = buildRow(context, meta, status, error, baselinePrice);
    sink?.record(row);
    publishRequestFinished({ row });
  }

  return async (context, next) => {
    let outcome;
    try {
      outcome = await next();
    } catch (error) {
      finish(context, undefined, context.signal.aborted ? 'client_aborted' : 'error', error);
      throw error;
    }
    if (outcome.kind === 'response') {
      finish(context, outcome.meta, 'ok', undefined);
      return outcome;
    }
    const { meta } = outcome;
    const source = outcome.chunks;
    async function* recorded(): AsyncGenerator<ChatChunk> {
      try {
        yield* source;
      } finally {
        // Not completed and no upstream error: the consumer stopped reading, i.e. the client went away.
        const status: LedgerStatus = meta.streamCompleted ? 'ok' : meta.streamError !== undefined && !context.signal.aborted ? 'error' : 'client_aborted';
        finish(context, meta, status, meta.streamError);
      }
    }
    return { kind: 'stream', chunks: recorded(), meta };
  };
}

function buildRow(context: RequestContext, meta: CallMeta | undefined, status: LedgerStatus, error: unknown, baselinePrice: Price | undefined): LedgerRow {
  const { spend } = context;
  const hit = context.cacheHit;
  const savings = attributeSavings({
    costNanos: spend.costNanos,
    promptCacheSavedNanos: spend.promptCacheSavedNanos,
    promptTokens: hit?.promptTokens ?? meta?.usage?.promptTokens ?? 0,
    completionTokens: hit?.completionTokens ?? meta?.usage?.completionTokens ?? 0,
    compressedAwayTokens: context.compressedAwayTokens,
    compressionCostNanos: context.compressionCostNanos,
    servedPrice: meta?.model.price,
    // A failed request saved nothing: it is measured against itself.
    baselinePrice: status === 'error' ? undefined : baselinePrice,
    cacheHitOriginalCostNanos: hit?.originalCostNanos,
  });
  const frugalError = error instanceof FrugalError ? error : undefined;
  return {
    id: context.requestId,
    ts: context.startedAt,
    keyId: context.keyId,
    user: context.user,
    tags: context.tags,
    // The request may have failed validation: record what was asked, whatever its shape.
    requestedModel: typeof context.request.model === 'string' ? context.request.model : '',
    servedModel: meta?.model.name ?? context.model?.name ?? null,
    provider: meta?.provider ?? context.model?.provider ?? null,
    stream: context.request.stream === true,
    // Totals over every upstream attempt of the request: failed cascade tiers and hedges cost money too.
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
    latencyMs: Math.round((performance.now() - context.startedHr) * 1000) / 1000,
    ttftMs: meta?.ttftMs === null || meta?.ttftMs === undefined ? null : Math.round(meta.ttftMs * 1000) / 1000,
    status,
    httpStatus: status === 'ok' ? 200 : status === 'client_aborted' ? 499 : (frugalError?.status ?? 500),
    errorCode: status === 'ok' ? null : (frugalError?.upstreamCode ?? frugalError?.code ?? (status === 'client_aborted' ? 'client_aborted' : 'internal_error')),
    cacheStatus: context.cacheStatus,
    routeTrace: context.routeTrace.length > 0 ? context.routeTrace.join('>') : null,
    task: taskOf(context.routeTrace),
    tokenReduction: context.tokenReduction,
    warnings: context.warnings,
  };
}

/** The task a classify or map route decided ("auto>classify:summarize>qwen3-32b" → "summarize"). */
export function taskOf(trace: readonly string[]): string | null {
  for (const segment of trace) {
    if (segment.startsWith('classify:') || segment.startsWith('map:')) return segment.slice(segment.indexOf(':') + 1).split('(')[0];
  }
  return null;
}
