import { nanosToUsdNumber, priceUsage } from '../../catalog/pricing.js';
import type { ModelEntry } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk, ChatRequest, OpenAIUsage } from '../../providers/chat-types.js';
import type { ChatStreamResult, ProviderAdapter } from '../../providers/provider-adapter.js';
import { publishUpstreamError } from '../../telemetry/events.js';
import type { CallMeta, ChatOutcome, RequestContext } from '../request-context.js';
import type { Handler } from '../stage.js';
import { collectChunkText, estimateUsage, responseText } from './usage-estimate.js';

export interface ProviderCallOptions {
  /** Add `usage.cost` (USD) to responses, as OpenRouter does. */
  costInBody: boolean;
}

/** The last step: call the resolved model's provider, price what it used, and say what changed. */
export function createProviderCall(adapters: ReadonlyMap<string, ProviderAdapter>, options: ProviderCallOptions): Handler {
  return async (context) => {
    const model = context.model;
    if (model === undefined) throw new FrugalError('internal_error', 'No model was resolved for the request.');
    const adapter = adapters.get(model.provider);
    if (adapter === undefined) throw new FrugalError('internal_error', `Provider '${model.provider}' is not running.`);
    const upstreamRequest = toUpstreamRequest(context, model);
    const meta: CallMeta = { model, provider: adapter.name, usage: undefined, costNanos: 0, ttftMs: null, streamError: undefined, streamCompleted: false };
    try {
      if (context.request.stream === true) {
        const result = await adapter.streamChat(upstreamRequest, { signal: context.signal });
        context.warnings.push(...result.warnings);
        return { kind: 'stream', chunks: pricedStream(context, result, meta, options), meta };
      }
      const result = await adapter.chat(upstreamRequest, { signal: context.signal });
      context.warnings.push(...result.warnings);
      meta.usage = result.usage ?? estimateUsage(context.request, responseText(result.response));
      meta.costNanos = priceUsage(meta.usage, model.price);
      if (options.costInBody) {
        const usage = result.response.usage ?? usageBody(meta);
        usage.cost = nanosToUsdNumber(meta.costNanos);
        result.response.usage = usage;
      }
      return { kind: 'response', response: result.response, meta } satisfies ChatOutcome;
    } catch (error) {
      if (error instanceof FrugalError) {
        publishUpstreamError({ provider: adapter.name, model: model.name, code: error.code, status: error.status });
      }
      throw error;
    }
  };
}

function toUpstreamRequest(context: RequestContext, model: ModelEntry): ChatRequest {
  const { request } = context;
  const upstream: ChatRequest = { ...request, model: model.upstream };
  // OpenAI rejects `metadata` unless `store` is on; here it carries Frugal's tags, so it stays home.
  if (upstream.metadata !== undefined && upstream.store !== true) {
    delete upstream.metadata;
    context.warnings.push('metadata used as Frugal tags, not sent upstream');
  }
  return upstream;
}

function usageBody(meta: CallMeta): OpenAIUsage {
  const usage = meta.usage;
  return {
    prompt_tokens: usage?.promptTokens ?? 0,
    completion_tokens: usage?.completionTokens ?? 0,
    total_tokens: (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0),
  };
}

async function* pricedStream(
  context: RequestContext,
  result: ChatStreamResult,
  meta: CallMeta,
  options: ProviderCallOptions,
): AsyncGenerator<ChatChunk> {
  const clientWantsUsage = context.request.stream_options?.include_usage === true;
  const generated: string[] = [];
  try {
    for await (const chunk of result.chunks) {
      if (collectChunkText(chunk, generated) && meta.ttftMs === null) meta.ttftMs = performance.now() - context.startedHr;
      if (chunk.usage) {
        meta.usage = result.usage();
        if (meta.usage) meta.costNanos = priceUsage(meta.usage, meta.model.price);
        // The usage chunk exists because we always ask upstream for it; the client only sees it if it asked.
        if (!clientWantsUsage && chunk.choices.length === 0) continue;
        if (options.costInBody) chunk.usage.cost = nanosToUsdNumber(meta.costNanos);
      }
      yield chunk;
    }
    meta.streamCompleted = true;
  } catch (error) {
    meta.streamError = error;
    throw error;
  } finally {
    if (meta.usage === undefined) {
      meta.usage = result.usage() ?? estimateUsage(context.request, generated.join(''));
      meta.costNanos = priceUsage(meta.usage, meta.model.price);
    }
  }
}
