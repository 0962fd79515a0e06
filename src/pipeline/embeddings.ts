import { randomUUID } from 'node:crypto';
import { nanosToUsdNumber, priceUsage } from '../catalog/pricing.js';
import type { GatewayConfig, ModelEntry } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { EmbeddingResponse } from '../wire/chat-types.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { usableUsage, type TokenUsage } from '../wire/token-usage.js';
import { validateEmbeddingRequest } from '../request/validate-request.js';
import { countTextTokens } from '../tokens/count-tokens.js';
import type { CallerContext } from '../request/request-context.js';
import { recordRequest, type LedgerSink } from '../ledger/ledger-row-builder.js';
import type { SpendControl } from '../budget/open-spend-control.js';
import { ceilingFromHeader } from '../budget/cost-ceiling.js';
import { openRequestSpend } from '../budget/request-spend.js';
import { embeddingTokenBound, embeddingWorstCaseNanos } from '../budget/worst-case.js';
import { requestTags } from './parse-tags.js';
import { beginUpstreamAttempt, endUpstreamAttempt, runUpstreamAttempt } from '../telemetry/upstream-attempt-event.js';

export interface EmbeddingOutcome {
  requestId: string;
  response: EmbeddingResponse;
  model: ModelEntry;
  provider: string;
  costNanos: number;
}

interface EmbeddingParts {
  config: GatewayConfig;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  ledger: LedgerSink | undefined;
  spendControl: SpendControl;
}

/** `/v1/embeddings`: resolve, call, price, record. Small enough not to need the chat stage list. */
export async function embed(parts: EmbeddingParts, body: unknown, caller: CallerContext): Promise<EmbeddingOutcome> {
  const requestId = caller.requestId ?? `frg-${randomUUID()}`;
  const startedAt = Date.now();
  const startedHr = performance.now();
  let model: ModelEntry | undefined;
  let usage: TokenUsage | undefined;
  let costNanos = 0;
  let failure: unknown;
  let finishSpend = async () => {};
  const warnings: string[] = [];
  const tags = requestTags(caller.key, caller.tags);
  const requestedModel = typeof (body as { model?: unknown })?.model === 'string' ? (body as { model: string }).model : '';
  try {
    const request = validateEmbeddingRequest(body);
    // Embeddings are no side door: the same key permissions, rate limits, budgets and ceiling as chat, checked
    // before the model is looked up, as chat's are, so a key's refusal never names a model it may not use.
    const spend = await openRequestSpend(parts.spendControl, parts.config.spendControl, {
      requestId,
      key: caller.key,
      keyId: caller.key?.id ?? caller.keyId ?? null,
      tags,
      model: request.model,
      ceiling: ceilingFromHeader(caller.maxCostUsd),
      estimatedTokens: () => embeddingTokenBound(request.input),
      usedTokens: () => usage?.promptTokens ?? 0,
      spentNanos: () => costNanos,
      warnings,
      batchLine: caller.batchId !== undefined,
    });
    finishSpend = spend.finish;
    model = parts.config.models.get(request.model);
    if (model === undefined || model.type !== 'embedding') {
      // Only what the key may use: /v1/models hides the other models from a restricted key, and so does this list.
      const allowed = caller.key?.allowedModels ?? null;
      const available = [...parts.config.models.values()].filter((entry) => entry.type === 'embedding' && (allowed === null || allowed.includes(entry.name))).map((entry) => entry.name);
      throw new FrugalError('model_not_found', `The embedding model '${request.model}' does not exist. Available embedding models: ${available.join(', ') || 'none'}.`, { param: 'model' });
    }
    const adapter = parts.adapters.get(model.provider);
    if (adapter === undefined) throw new FrugalError('internal_error', `Provider '${model.provider}' is not running.`);
    // Held on a bound no tokenizer can exceed (UTF-8 bytes), then settled to the provider's own count.
    const held = spend.hold ? await spend.hold.beginAttempt(embeddingWorstCaseNanos(request.input, model.price), { model: model.name, provider: adapter.name }) : undefined;
    try {
      const upstreamRequest = { ...request, model: model.upstream };
      const call = () => adapter.embed(upstreamRequest, { signal: caller.signal ?? new AbortController().signal });
      // Undefined unless a tracer listens: then the call runs as an attempt span, as a chat call's does.
      const traced = beginUpstreamAttempt(requestId, adapter.name, model.name, upstreamRequest, 'embeddings');
      let result;
      try {
        result = await (traced ? runUpstreamAttempt(traced, call) : call());
      } catch (error) {
        if (traced) endUpstreamAttempt(traced, undefined, 0, error, caller.signal?.aborted === true);
        throw error;
      }
      // A count that cannot be priced (negative, fractional, absurd) is estimated, as a chat call's is.
      usage = usableUsage(result.usage, model.name, warnings) ?? estimateEmbeddingUsage(request.input);
      costNanos = priceUsage(usage, model.price);
      if (traced) {
        traced.responseModel = result.response.model;
        endUpstreamAttempt(traced, usage, costNanos, undefined, false);
      }
      if (parts.config.server.costInBody) result.response.usage = { ...result.response.usage, cost: nanosToUsdNumber(costNanos) };
      return { requestId, response: result.response, model, provider: adapter.name, costNanos };
    } finally {
      await held?.end(usage === undefined ? undefined : costNanos);
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    await finishSpend();
    const estimated = usage?.estimated ?? false;
    recordRequest(parts.ledger, {
      requestId,
      startedAt,
      startedHr,
      keyId: caller.key?.id ?? caller.keyId ?? null,
      user: null,
      tags,
      requestedModel,
      servedModel: model?.name ?? null,
      provider: model?.provider ?? null,
      stream: false,
      spend: { promptTokens: usage?.promptTokens ?? 0, completionTokens: 0, cachedTokens: 0, cacheCreationTokens: 0, costNanos, estimated },
      // Embeddings are served by the model asked for: nothing Frugal decided, so nothing saved.
      savings: undefined,
      ttftMs: null,
      status: failure === undefined ? 'ok' : 'error',
      error: failure,
      cacheStatus: null,
      decision: { trace: model ? [model.name] : [], task: null },
      tokenReduction: null,
      warnings,
      batchId: caller.batchId ?? null,
    }, caller.holdRow);
  }
}

function estimateEmbeddingUsage(input: unknown): TokenUsage {
  const inputs = Array.isArray(input) ? input : [input];
  let promptTokens = 0;
  for (const item of inputs) promptTokens += typeof item === 'string' ? countTextTokens(item) : Array.isArray(item) ? item.length : 1;
  return { promptTokens, completionTokens: 0, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: true };
}
