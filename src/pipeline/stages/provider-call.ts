import { keepResponseText } from '../../wire/response-wire-text.js';
import { nanosToUsdNumber, priceUsage, promptCacheSavingNanos, type TokenRates } from '../../catalog/pricing.js';
import { priceAt, requestedTier } from '../../catalog/price-at.js';
import type { ModelEntry } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk, ChatRequest, OpenAIUsage } from '../../wire/chat-types.js';
import { usableUsage } from '../../wire/token-usage.js';
import type { ChatStreamResult, ProviderAdapter } from '../../providers/provider-adapter.js';
import { publishUpstreamError } from '../../telemetry/events.js';
import { beginUpstreamAttempt, endUpstreamAttempt, noteAttemptChunk, noteAttemptResponse, runUpstreamAttempt, type UpstreamAttemptEvent } from '../../telemetry/upstream-attempt-event.js';
import { addSpend, type AttemptHold, type CallMeta, type ChatOutcome, type RequestContext } from '../../request/request-context.js';
import type { AttemptOptions, ModelCaller } from '../../request/model-caller.js';
import { collectChunkText, estimateUsage, responseText } from '../../request/usage-estimate.js';
import { chatWorstCaseNanos } from '../../budget/worst-case.js';
import { tapStream } from '../../request/stream-end.js';

export interface ProviderCallOptions {
  /** Add `usage.cost` (USD, everything this request spent so far) to responses, as OpenRouter does. */
  costInBody: boolean;
  /** Epoch milliseconds; picks off-peak prices. Tests pass a fake clock. */
  now?: () => number;
}


/** The upstream call: send the request to the model's provider and price what it used. */
export function createModelCaller(adapters: ReadonlyMap<string, ProviderAdapter>, options: ProviderCallOptions): ModelCaller {
  // Date.now looked up per call, not captured: a test that replaces it moves the clock too.
  const now = options.now ?? (() => Date.now());
  return async (context, model, attempt = {}) => {
    const adapter = adapters.get(model.provider);
    if (adapter === undefined) throw new FrugalError('internal_error', `Provider '${model.provider}' is not running.`);
    const upstreamRequest = toUpstreamRequest(context, model, attempt);
    // `service_tier: "flex"` goes upstream unchanged; it is priced at flex only where the model has a flex price.
    const tier = requestedTier(upstreamRequest);
    // The choke point: the model that actually serves — every cascade tier, retry, hedge, fallback, judge and
    // second opinion — must fit the budgets and the cost ceiling with its worst case (every choice at its
    // token limit, the prompt bounded under any tokenizer) before anything is sent.
    const held = context.spendHold
      ? await context.spendHold.beginAttempt(chatWorstCaseNanos(upstreamRequest, priceAt(model.price, { tier, at: now() }), context.spendHold.defaultMaxTokens), { model: model.name, provider: adapter.name })
      : undefined;
    const signal = attempt.signal ? AbortSignal.any([context.signal, attempt.signal]) : context.signal;
    const meta: CallMeta = { model, provider: adapter.name, usage: undefined, costNanos: 0, ttftMs: null, streamError: undefined, streamCompleted: false };
    let handedToStream = false;
    // Priced at the moment the request is sent: a call that straddles an off-peak boundary costs what the
    // window it was sent in charges (DeepSeek's page does not say otherwise; see builtin-catalog.ts).
    const price = priceAt(model.price, { tier, at: now() });
    // Undefined unless a tracer listens: then the call runs as the attempt, and its end is published.
    const traced = beginUpstreamAttempt(context.requestId, adapter.name, model.name, upstreamRequest);
    // Set once the request goes to the adapter: an attempt cancelled before that (a hedge that lost while this one
    // waited for its budget hold) was never sent, and costs nothing.
    let sent = false;
    let billed = false;
    let abandonedNanos: number | undefined;
    try {
      if (signal.aborted) throw cancelledBeforeSending(signal);
      sent = true;
      if (upstreamRequest.stream === true) {
        const call = () => adapter.streamChat(upstreamRequest, { signal });
        const result = await (traced ? runUpstreamAttempt(traced, call) : call());
        context.warnings.push(...result.warnings);
        handedToStream = true;
        return { kind: 'stream', chunks: pricedStream(context, upstreamRequest, result, meta, options, held, traced, price), meta };
      }
      const call = () => adapter.chat(upstreamRequest, { signal });
      const result = await (traced ? runUpstreamAttempt(traced, call) : call());
      context.warnings.push(...result.warnings);
      meta.usage = usableUsage(result.usage, model.name, context.warnings, result.response.usage != null) ?? estimateUsage(upstreamRequest, responseText(result.response));
      meta.costNanos = priceUsage(meta.usage, price);
      addSpend(context.spend, meta.usage, meta.costNanos, promptCacheSavingNanos(meta.usage, price));
      billed = true;
      await held?.end(meta.costNanos);
      if (traced) {
        noteAttemptResponse(traced, result.response);
        endUpstreamAttempt(traced, meta.usage, meta.costNanos, undefined, false);
      }
      // Sent as the upstream's own text unless Frugal changes the answer (response-wire-text.ts).
      if (!options.costInBody && result.wireText !== undefined) keepResponseText(result.response, result.wireText);
      if (options.costInBody) {
        // An upstream usage that could not be priced is replaced by the counts that were: the body says what the row does.
        const usage = result.response.usage != null && !meta.usage.estimated ? result.response.usage : usageBody(meta);
        usage.cost = nanosToUsdNumber(context.spend.costNanos);
        result.response.usage = usage;
      }
      return { kind: 'response', response: result.response, meta };
    } catch (error) {
      if (error instanceof FrugalError) {
        publishUpstreamError({ provider: adapter.name, model: model.name, code: error.code, status: error.status });
      }
      // Cancelled by us after it was sent (a hedge that lost, a timeout, a client that left): the provider has read
      // the prompt and may bill it, so it is counted, once, here — its only bookkeeping. An upstream error bills nothing.
      const abandoned = sent && !billed && !handedToStream && signal.aborted ? { ...estimateUsage(upstreamRequest, ''), completionTokens: 0 } : undefined;
      if (abandoned) {
        abandonedNanos = priceUsage(abandoned, price);
        addSpend(context.spend, abandoned, abandonedNanos);
      }
      if (traced && !handedToStream) endUpstreamAttempt(traced, abandoned, abandonedNanos ?? 0, error, signal.aborted);
      throw error;
    } finally {
      // A failed call billed nothing we know of (a cancelled one its prompt); a stream's hold ends when the stream does.
      if (!handedToStream) await held?.end(abandonedNanos);
    }
  };
}

function cancelledBeforeSending(signal: AbortSignal): FrugalError {
  return signal.reason instanceof FrugalError ? signal.reason : new FrugalError('upstream_timeout', 'The call was cancelled before it was sent.', { retryable: true });
}

function toUpstreamRequest(context: RequestContext, model: ModelEntry, attempt: AttemptOptions): ChatRequest {
  const upstream: ChatRequest = { ...context.request, ...attempt.overrides, model: model.upstream };
  if (attempt.buffered && upstream.stream === true) {
    upstream.stream = false;
    delete upstream.stream_options;
  }
  // OpenAI rejects `metadata` unless `store` is on; here it carries Frugal's tags, so it stays home.
  if (upstream.metadata !== undefined && upstream.metadata !== null && upstream.store !== true) {
    delete upstream.metadata;
    if (!context.warnings.includes(METADATA_WARNING)) context.warnings.push(METADATA_WARNING);
  }
  return upstream;
}

const METADATA_WARNING = 'metadata used as Frugal tags, not sent upstream';

function usageBody(meta: CallMeta): OpenAIUsage {
  const usage = meta.usage;
  return {
    prompt_tokens: usage?.promptTokens ?? 0,
    completion_tokens: usage?.completionTokens ?? 0,
    total_tokens: (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0),
  };
}

/** The stream, priced as it goes (the usage chunk) and settled at its end: spend, budget hold, attempt span. */
function pricedStream(
  context: RequestContext,
  request: ChatRequest,
  result: ChatStreamResult,
  meta: CallMeta,
  options: ProviderCallOptions,
  held: AttemptHold | undefined,
  traced: UpstreamAttemptEvent | undefined,
  price: TokenRates,
): AsyncIterable<ChatChunk> {
  const clientWantsUsage = context.request.stream_options?.include_usage === true;
  const generated: string[] = [];
  return tapStream(result.chunks, {
    each(chunk) {
      if (traced) noteAttemptChunk(traced, chunk);
      if (collectChunkText(chunk, generated) && meta.ttftMs === null) meta.ttftMs = performance.now() - context.startedHr;
      if (!chunk.usage) return chunk;
      // The usage chunk comes last: an unusable one is replaced by the estimate of the whole answer, so the
      // cost the client reads here is the row's.
      meta.usage = usableUsage(result.usage(), meta.model.name, context.warnings, true) ?? estimateUsage(request, generated.join(''));
      meta.costNanos = priceUsage(meta.usage, price);
      // The usage chunk exists because we always ask upstream for it; the client only sees it if it asked.
      if (!clientWantsUsage && chunk.choices.length === 0) return undefined;
      // A copy, never the upstream's object: an untouched chunk may leave as the upstream's own bytes (chunk-wire-text.ts).
      if (options.costInBody) return { ...chunk, usage: { ...chunk.usage, cost: nanosToUsdNumber(context.spend.costNanos + meta.costNanos) } };
      return chunk;
    },
    async end({ completed, error }) {
      if (completed) meta.streamCompleted = true;
      else if (error !== undefined) meta.streamError = error;
      // Also a stream nobody read (a hedge that lost with its headers in hand): the upstream was sent the prompt.
      if (meta.usage === undefined) {
        meta.usage = usableUsage(result.usage(), meta.model.name, context.warnings) ?? estimateUsage(request, generated.join(''));
        meta.costNanos = priceUsage(meta.usage, price);
      }
      addSpend(context.spend, meta.usage, meta.costNanos, promptCacheSavingNanos(meta.usage, price));
      await held?.end(meta.costNanos);
      if (traced) endUpstreamAttempt(traced, meta.usage, meta.costNanos, meta.streamError, !meta.streamCompleted && meta.streamError === undefined);
    },
  });
}
