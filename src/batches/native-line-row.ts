import { priceAt } from '../catalog/price-at.js';
import { priceUsage } from '../catalog/pricing.js';
import type { GatewayConfig, ModelEntry } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import { recordRequest, type LedgerSink } from '../ledger/ledger-row-builder.js';
import { attributeSavings } from '../ledger/savings.js';
import { savingsBaselines } from '../pipeline/savings-baseline.js';
import { requestTags } from '../pipeline/parse-tags.js';
import { promptCacheSavingNanos } from '../catalog/pricing.js';
import type { RowHold } from '../request/request-context.js';
import type { TokenUsage } from '../wire/token-usage.js';
import type { BatchLine, StoredBatch } from './batch-types.js';

export interface NativeLineFacts {
  batch: StoredBatch;
  line: BatchLine;
  model: ModelEntry;
  provider: string;
  requestId: string;
  /** When the upstream accepted the batch: the price in force then is the one billed. */
  acceptedAt: number;
  usage: TokenUsage | undefined;
  /** The status the line got upstream (undefined: it never ran). */
  statusCode: number | undefined;
  errorCode: string | null;
  errorMessage: string | null;
}

function metadataOf(body: unknown): Record<string, unknown> | undefined {
  const metadata = (body as { metadata?: unknown } | null)?.metadata;
  return typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : undefined;
}

/**
 * What a line run by a provider's batch API cost: its usage at the model's batch rates (cached tokens at the
 * batch cached-input rate). Exactly what the provider bills, in integer nano-dollars.
 */
export function nativeLineCostNanos(model: ModelEntry, usage: TokenUsage | undefined, at: number): number {
  return usage === undefined ? 0 : priceUsage(usage, priceAt(model.price, { tier: 'batch', at }));
}

/**
 * The ledger row of a line run by a provider's batch API, through the one row builder: billed at the batch price,
 * tagged with the batch id and the `batch` tier, and its saving against the real-time price of the same tokens
 * booked as `savedBatchNanos` (the other mechanisms measured as for a real-time call of the same model).
 */
export function recordNativeLine(sink: LedgerSink | undefined, config: GatewayConfig, facts: NativeLineFacts, hold?: RowHold): number {
  const { batch, line, model, usage } = facts;
  const costNanos = nativeLineCostNanos(model, usage, facts.acceptedAt);
  const standard = priceAt(model.price, { tier: 'standard', at: facts.acceptedAt });
  const realTimeNanos = usage === undefined ? 0 : priceUsage(usage, standard);
  const requestedModel = typeof (line.body as { model?: unknown })?.model === 'string' ? String((line.body as { model: string }).model) : model.name;
  const ok = facts.statusCode !== undefined && facts.statusCode < 300;
  const { baseline, reference } = ok ? savingsBaselines(config)(requestedModel) : { baseline: undefined, reference: undefined };
  const inForce = (price: typeof baseline) => (price === undefined ? undefined : priceAt(price, { tier: 'standard', at: facts.acceptedAt }));
  // Measured as if the call had run in real time, then the batch discount on top: the parts still add up exactly.
  const realTime = attributeSavings({
    costNanos: realTimeNanos,
    promptCacheSavedNanos: usage === undefined ? 0 : promptCacheSavingNanos(usage, standard),
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    compressedAwayTokens: 0,
    compressionCostNanos: 0,
    servedPrice: standard,
    baselinePrice: inForce(baseline),
    referencePrice: inForce(reference),
    cacheHitOriginalCostNanos: undefined,
  });
  const savings = baseline === undefined ? undefined : { ...realTime, batchNanos: realTimeNanos - costNanos };
  const error = ok ? undefined : new FrugalError('upstream_error', facts.errorMessage ?? 'the line failed upstream', { status: facts.statusCode ?? 500, upstreamCode: facts.errorCode });
  recordRequest(sink, {
    requestId: facts.requestId,
    startedAt: facts.acceptedAt,
    startedHr: performance.now(),
    keyId: batch.caller.keyId,
    user: typeof (line.body as { user?: unknown })?.user === 'string' ? String((line.body as { user: string }).user) : null,
    // As the pipeline tags a request: the key's defaults, the caller's tags, the line's metadata; ownership from the key.
    tags: requestTags(batch.caller.key ?? undefined, batch.caller.tags, metadataOf(line.body)),
    requestedModel,
    servedModel: model.name,
    provider: facts.provider,
    stream: false,
    spend: {
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      cachedTokens: usage?.cachedPromptTokens ?? 0,
      cacheCreationTokens: usage?.cacheCreationTokens ?? 0,
      costNanos,
      estimated: usage?.estimated ?? false,
    },
    savings,
    ttftMs: null,
    status: ok ? 'ok' : 'error',
    error,
    cacheStatus: null,
    decision: { trace: [`batch:${model.provider}`], task: null },
    tokenReduction: null,
    warnings: [],
    serviceTier: 'batch',
    batchId: batch.id,
  }, hold);
  return costNanos;
}
