import { randomUUID } from 'node:crypto';
import { priceAt, requestedTier } from '../catalog/price-at.js';
import { nanosToUsdNumber, priceUsage, type TokenRates } from '../catalog/pricing.js';
import type { ModelEntry } from '../config/gateway-config.js';
import { chatWorstCaseNanos } from '../budget/worst-case.js';
import { requestNeeds } from '../request/fit-check.js';
import type { AttemptOptions, ModelCaller } from '../request/model-caller.js';
import { addSpend, emptySpend, type AttemptHold, type CallMeta, type ChatOutcome, type RequestContext } from '../request/request-context.js';
import { countTextTokens } from '../tokens/count-tokens.js';
import type { ChatResponse } from '../wire/chat-types.js';
import type { TokenUsage } from '../wire/token-usage.js';
import { batchable, batchedRequest, splitBatchedAnswer, type BatchFormat } from './batch-prompt.js';
import type { BatchingSettings } from './route-batching.js';
import { splitByWeights } from './split-shares.js';

export interface PromptBatcherParts {
  routes: ReadonlyMap<string, BatchingSettings>;
  /** Put `usage.cost` in each reply, as the model caller does. */
  costInBody: boolean;
  now?: () => number;
}

interface Member {
  context: RequestContext;
  /** The attempt's own signal (a route's timeout), besides the client's. */
  signal: AbortSignal | undefined;
  question: string;
  resolve(outcome: ChatOutcome): void;
  reject(error: unknown): void;
}

interface Pending {
  model: ModelEntry;
  format: BatchFormat;
  members: Member[];
  timer: NodeJS.Timeout | undefined;
}


/**
 * Prompt batching (opt-in per route, `batching: { window_ms, max_items }`): concurrent small requests to the
 * same model with the same system prompt and answer-changing parameters, arriving within the window, are sent as
 * one call asking for numbered answers (or a JSON array), then split back into one reply each — its own id, its
 * share of the usage and of the cost (split by tokens, remainders assigned deterministically, so the shares add
 * up to what the provider charged exactly). When the reply cannot be split into exactly N answers, each request
 * is re-sent on its own and its row says so. Each row's `saved_batching_nanos` is what its request alone would have
 * cost (counted with Frugal's tokenizer) minus its share — net of the failed call's share when it was re-sent.
 */
export function promptBatcher(callModel: ModelCaller, parts: PromptBatcherParts): ModelCaller {
  const now = parts.now ?? (() => Date.now());
  const pending = new Map<string, Pending>();

  function flush(key: string, batch: Pending) {
    if (pending.get(key) === batch) pending.delete(key);
    clearTimeout(batch.timer);
    void run(batch);
  }

  async function run(batch: Pending) {
    const members = batch.members.filter((member) => {
      const gone = [member.context.signal, member.signal].find((signal) => signal?.aborted);
      if (gone === undefined) return true;
      member.reject(gone.reason ?? new Error('aborted'));
      return false;
    });
    if (members.length === 1) return settleAlone(members[0], batch.model);
    if (members.length === 0) return;
    // Each request's own budgets and ceiling hold its own worst case, as if it were sent alone.
    const rates = priceAt(batch.model.price, { tier: requestedTier(members[0].context.request), at: now() });
    const held: Array<AttemptHold | undefined> = [];
    const admitted: Member[] = [];
    for (const member of members) {
      const hold = member.context.spendHold;
      try {
        held.push(hold ? await hold.beginAttempt(chatWorstCaseNanos(member.context.request, rates, hold.defaultMaxTokens), { model: batch.model.name, provider: batch.model.provider }) : undefined);
        admitted.push(member);
      } catch (error) {
        member.reject(error);
      }
    }
    if (admitted.length < 2) {
      await held[0]?.end(undefined);
      if (admitted.length === 1) return settleAlone(admitted[0], batch.model);
      return;
    }
    const combinedContext = sharedContext(admitted[0].context, batchedRequest(admitted[0].context.request, admitted.map((member) => ({ request: member.context.request, question: member.question })), batch.format));
    let outcome: ChatOutcome | undefined;
    try {
      outcome = await callModel(combinedContext, batch.model, {});
    } catch {
      outcome = undefined;
    }
    const response = outcome?.kind === 'response' ? outcome.response : undefined;
    const choice = response?.choices[0];
    const answers = choice && choice.finish_reason === 'stop' && typeof choice.message.content === 'string' ? splitBatchedAnswer(choice.message.content, admitted.length, batch.format) : undefined;
    const usage = outcome?.meta.usage;
    const costNanos = outcome?.meta.costNanos ?? 0;
    const alonePrompt = admitted.map((member) => requestNeeds(member.context.request).promptTokens);
    const shares = usage ? shareUsage(usage, costNanos, alonePrompt, answers?.map(countTextTokens) ?? admitted.map(() => 1), rates) : admitted.map(() => undefined);
    for (const [index, member] of admitted.entries()) {
      const share = shares[index];
      if (share) addSpend(member.context.spend, share.usage, share.costNanos, 0);
      await held[index]?.end(share?.costNanos);
      if (answers && response && share) {
        const alone = priceUsage({ ...share.usage, promptTokens: alonePrompt[index], completionTokens: countTextTokens(answers[index]), cachedPromptTokens: 0, cacheCreationTokens: 0 }, rates);
        member.context.batchingSavedNanos = (member.context.batchingSavedNanos ?? 0) + alone - share.costNanos;
        member.context.warnings.push(`prompt batching: answered as ${index + 1} of ${admitted.length} in one call; tokens and cost are this request's share`);
        member.resolve(memberOutcome(member, batch.model, outcome!.meta.provider, response, answers[index], share, parts.costInBody));
      } else {
        // The batched answer was no use: this request goes alone, and the failed call's share counts against batching.
        member.context.batchingSavedNanos = (member.context.batchingSavedNanos ?? 0) - (share?.costNanos ?? 0);
        member.context.warnings.push(`prompt batching: the batched answer could not be split into ${admitted.length} answers; re-sent alone`);
        callModel(member.context, batch.model, {}).then(member.resolve, member.reject);
      }
    }
  }

  function settleAlone(member: Member, model: ModelEntry) {
    callModel(member.context, model, {}).then(member.resolve, member.reject);
  }

  return (context, model, attempt = {}) => {
    const settings = parts.routes.get(context.request.model);
    if (settings === undefined || context.lane !== undefined || hasAttemptOptions(attempt)) return callModel(context, model, attempt);
    const shape = batchable(context.request);
    if (shape === undefined) return callModel(context, model, attempt);
    const format: BatchFormat = settings.format === 'json' && model.capabilities.jsonSchema ? 'json' : 'numbered';
    // One tenant per call: a question shares an upstream prompt only with questions sent under the same key (or,
    // on an open gateway, by the same end user), so one caller's text can never steer another's answer.
    const key = `${context.keyId ?? `user:${context.user ?? ''}`}\0${model.name}\0${format}\0${shape.key}`;
    return new Promise<ChatOutcome>((resolve, reject) => {
      let batch = pending.get(key);
      if (!batch) {
        batch = { model, format, members: [], timer: undefined };
        pending.set(key, batch);
        const opened = batch;
        batch.timer = setTimeout(() => flush(key, opened), settings.windowMs);
      }
      batch.members.push({ context, signal: attempt.signal, question: shape.question, resolve, reject });
      if (batch.members.length >= settings.maxItems) flush(key, batch);
    });
  };
}

/** Attempts that change the request (a cascade tier's buffering, a check's logprobs) go alone; a deadline's signal does not. */
function hasAttemptOptions(attempt: AttemptOptions): boolean {
  return attempt.buffered === true || attempt.overrides !== undefined;
}

/** The context the one batched call runs in: the first request's identity, its own spend, no client signal. */
function sharedContext(first: RequestContext, request: RequestContext['request']): RequestContext {
  return {
    ...first,
    requestId: `${first.requestId}-batch`,
    request,
    spendHold: undefined,
    signal: new AbortController().signal,
    spend: emptySpend(),
    warnings: [],
    responseHeaders: {},
    routeTrace: [],
    needs: undefined,
    lane: undefined,
    batchingSavedNanos: undefined,
  };
}

interface Share {
  usage: TokenUsage;
  costNanos: number;
}

/**
 * Each request's part of the batched call: prompt (and cached) tokens split by what its prompt alone counts,
 * completion tokens by its answer's length, and the call's exact cost by what each part is worth at the rates.
 */
function shareUsage(usage: TokenUsage, costNanos: number, promptWeights: number[], completionWeights: number[], rates: TokenRates): Share[] {
  const prompt = splitByWeights(usage.promptTokens, promptWeights);
  const cached = splitByWeights(usage.cachedPromptTokens, promptWeights);
  const written = splitByWeights(usage.cacheCreationTokens, promptWeights);
  const completion = splitByWeights(usage.completionTokens, completionWeights);
  const reasoning = splitByWeights(usage.reasoningTokens, completionWeights);
  const usages = prompt.map((promptTokens, index) => ({
    promptTokens,
    completionTokens: completion[index],
    cachedPromptTokens: cached[index],
    cacheCreationTokens: written[index],
    reasoningTokens: reasoning[index],
    estimated: usage.estimated,
  }));
  const costs = splitByWeights(costNanos, usages.map((part) => priceUsage(part, rates)));
  return usages.map((part, index) => ({ usage: part, costNanos: costs[index] }));
}

function memberOutcome(member: Member, model: ModelEntry, provider: string, combined: ChatResponse, answer: string, share: Share, costInBody: boolean): ChatOutcome {
  const usage = {
    prompt_tokens: share.usage.promptTokens,
    completion_tokens: share.usage.completionTokens,
    total_tokens: share.usage.promptTokens + share.usage.completionTokens,
    prompt_tokens_details: { cached_tokens: share.usage.cachedPromptTokens },
    ...(costInBody ? { cost: nanosToUsdNumber(member.context.spend.costNanos) } : {}),
  };
  const response: ChatResponse = {
    id: `chatcmpl-frg${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    object: 'chat.completion',
    created: combined.created,
    model: combined.model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage,
    system_fingerprint: combined.system_fingerprint ?? null,
  };
  const meta: CallMeta = { model, provider, usage: share.usage, costNanos: share.costNanos, ttftMs: null, streamError: undefined, streamCompleted: false };
  return { kind: 'response', response, meta };
}
