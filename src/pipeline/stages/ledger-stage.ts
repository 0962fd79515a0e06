import type { Price } from '../../catalog/pricing.js';
import { priceAt, requestedTier } from '../../catalog/price-at.js';
import { attributeSavings } from '../../ledger/savings.js';
import type { LedgerStatus } from '../../ledger/ledger-row.js';
import { recordRequest, type LedgerSink, type RowFacts } from '../../ledger/ledger-row-builder.js';
import type { CallMeta, RequestContext } from '../../request/request-context.js';
import { onStreamEnd } from '../../request/stream-end.js';
import type { SavingsBaseline } from '../savings-baseline.js';
import type { Stage } from '../stage.js';


/**
 * Wraps everything after it so that every request leaves exactly one row: answered, failed, or streamed —
 * a stream's row is written when the stream ends, including when the client walks away mid-stream.
 */
export function ledgerStage(sink: LedgerSink | undefined, baselineOf: (requested: string) => SavingsBaseline = () => NO_BASELINE): Stage {
  function finish(context: RequestContext, meta: CallMeta | undefined, status: LedgerStatus, error: unknown) {
    recordRequest(sink, rowFacts(context, meta, status, error, baselineOf), context.holdRow);
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
    const recorded = onStreamEnd(outcome.chunks, () => {
      // Not completed and no upstream error: the consumer stopped reading, i.e. the client went away.
      const status: LedgerStatus = meta.streamCompleted ? 'ok' : meta.streamError !== undefined && !context.signal.aborted ? 'error' : 'client_aborted';
      finish(context, meta, status, meta.streamError);
    });
    return { kind: 'stream', chunks: recorded, meta };
  };
}

const NO_BASELINE: SavingsBaseline = { baseline: undefined, reference: undefined };

function rowFacts(context: RequestContext, meta: CallMeta | undefined, status: LedgerStatus, error: unknown, baselineOf: (requested: string) => SavingsBaseline): RowFacts {
  const { spend } = context;
  // An experiment serves an arm in place of the route asked for: the row keeps what was asked.
  const requestedModel = context.experiment?.route ?? (typeof context.request.model === 'string' ? context.request.model : '');
  // A failed request saved nothing: it is measured against itself.
  const { baseline, reference } = status === 'error' ? NO_BASELINE : baselineOf(requestedModel);
  // The tier and the hour are the caller's and the clock's doing, not Frugal's: the baseline is priced at the same
  // ones (an off-peak or flex discount is never booked as a routing saving).
  const tier = requestedTier(context.request);
  const inForce = (price: Price | undefined) => (price === undefined ? undefined : priceAt(price, { tier, at: context.startedAt }));
  const hit = context.cacheHit;
  const savings = attributeSavings({
    costNanos: spend.costNanos,
    promptCacheSavedNanos: spend.promptCacheSavedNanos,
    promptTokens: hit?.promptTokens ?? meta?.usage?.promptTokens ?? 0,
    completionTokens: hit?.completionTokens ?? meta?.usage?.completionTokens ?? 0,
    compressedAwayTokens: context.compressedAwayTokens,
    compressionCostNanos: context.compressionCostNanos,
    servedPrice: inForce(meta?.model.price),
    baselinePrice: inForce(baseline),
    referencePrice: inForce(reference),
    cacheHitOriginalCostNanos: hit?.originalCostNanos,
    cacheHitPromptCacheSavedNanos: hit?.originalPromptCacheSavedNanos,
    batchSavedNanos: context.lane?.savedNanos,
    batchingSavedNanos: context.batchingSavedNanos,
  });
  return {
    requestId: context.requestId,
    startedAt: context.startedAt,
    startedHr: context.startedHr,
    keyId: context.keyId,
    user: context.user,
    tags: context.tags,
    // The request may have failed validation: record what was asked, whatever its shape.
    requestedModel,
    servedModel: meta?.model.name ?? context.model?.name ?? null,
    provider: meta?.provider ?? context.model?.provider ?? null,
    stream: context.request.stream === true,
    // Totals over every upstream attempt of the request: failed cascade tiers and hedges cost money too.
    spend,
    savings,
    ttftMs: meta?.ttftMs ?? null,
    status,
    error,
    cacheStatus: context.cacheStatus,
    decision: { trace: context.routeTrace, task: context.task },
    tokenReduction: context.tokenReduction,
    warnings: context.warnings,
    batchId: context.batchId ?? null,
    // The background lane's choice (flex, off_peak); real-time requests stay null (standard).
    serviceTier: context.lane?.serviceTier ?? null,
    experiment: context.experiment ? { name: context.experiment.name, arm: context.experiment.arm } : null,
  };
}
