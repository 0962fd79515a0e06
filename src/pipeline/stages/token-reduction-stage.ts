import { createAbstractiveCompressor } from '../../compress/abstractive-compressor.js';
import { createContextPruner } from '../../compress/context-pruner.js';
import { compressExtractiveSync } from '../../compress/extractive-compressor.js';
import { cleanupPrompt } from '../../compress/lossless-cleanup.js';
import { createMemorySummaryCache, type CompleteFn } from '../../compress/summary-cache.js';
import type { GatewayConfig, ModelEntry, TokenReductionSettings } from '../../config/gateway-config.js';
import { configError } from '../../config/resolve-config.js';
import type { ChatMessage } from '../../wire/chat-types.js';
import { contentText, countPromptTokens } from '../../tokens/count-tokens.js';
import type { RequestContext } from '../../request/request-context.js';
import type { Stage } from '../stage.js';
import type { ModelCaller } from '../../request/model-caller.js';

type Reducer = (context: RequestContext, messages: ChatMessage[]) => Promise<ChatMessage[]>;

/**
 * Fewer tokens per call, opt-in per route: context pruning (older turns → a cached summary), then lossless
 * clean-up and extractive or abstractive compression. Never silent: `x-frugal-compressed: 2400>900`, a warning,
 * and the ledger's tokens before/after and net saving. A failing cheap model leaves the prompt as it was.
 */
export function tokenReductionStage(config: GatewayConfig, callModel: ModelCaller): Stage | undefined {
  const entries = Object.entries(config.tokenReduction);
  if (entries.length === 0) return undefined;
  const summaries = createMemorySummaryCache({ maxEntries: 5_000 });
  const plans = new Map<string, Reducer[]>(entries.map(([name, settings]) => [name, plan(config, name, settings, callModel, summaries)]));
  return async (context, next) => {
    const reducers = plans.get(context.request.model) ?? plans.get('*');
    if (!reducers) return next();
    const original = context.request.messages;
    const before = countPromptTokens(original, context.request.tools);
    let messages = original;
    for (const reduce of reducers) {
      try {
        messages = await reduce(context, messages);
      } catch (error) {
        context.warnings.push(`token reduction skipped: ${(error as Error).message}`);
      }
    }
    if (messages === original) return next();
    const after = countPromptTokens(messages, context.request.tools);
    if (after >= before) return next();
    context.request = { ...context.request, messages };
    context.tokenReduction = { before, after };
    context.compressedAwayTokens = before - after;
    context.warnings.push(`prompt reduced from ${before} to ${after} tokens`);
    return next();
  };
}

function plan(config: GatewayConfig, name: string, settings: TokenReductionSettings, callModel: ModelCaller, summaries: ReturnType<typeof createMemorySummaryCache>): Reducer[] {
  const reducers: Reducer[] = [];
  const cheapModel = (model: string, path: string): ModelEntry => {
    const entry = config.models.get(model);
    if (!entry || entry.type !== 'chat') throw configError(`token_reduction.${name}.${path}: '${model}' is not a chat model`);
    return entry;
  };
  // The cheap model's calls are real upstream calls of this request: priced, budgeted and in its spend.
  const completeWith = (context: RequestContext, model: ModelEntry): CompleteFn => async (messages) => {
    const outcome = await callModel(context, model, { buffered: true, overrides: { messages, tools: undefined, tool_choice: undefined, response_format: undefined, n: undefined, temperature: 0, max_tokens: undefined, max_completion_tokens: undefined } });
    if (outcome.kind !== 'response') throw new Error('the summarising model did not answer');
    context.compressionCostNanos += outcome.meta.costNanos;
    return { text: contentText(outcome.response.choices[0]?.message?.content), costNanos: outcome.meta.costNanos };
  };
  if (settings.prune) {
    const { max_prompt_tokens, keep_last_exchanges, model } = settings.prune;
    const entry = cheapModel(model, 'prune.model');
    reducers.push(async (context, messages) => {
      const prune = createContextPruner({ complete: completeWith(context, entry), model: entry.name, cache: summaries, maxPromptTokens: max_prompt_tokens, keepLastExchanges: keep_last_exchanges });
      const result = await prune(messages);
      return result.pruned ? result.messages : messages;
    });
  }
  const compress = settings.compress;
  if (compress) {
    reducers.push(async (_context, messages) => {
      const cleaned = cleanupPrompt(messages);
      return cleaned.changes.length > 0 ? cleaned.messages : messages;
    });
    if (compress.method === 'extractive') {
      reducers.push(async (_context, messages) => {
        const result = compressExtractiveSync(messages, { minPromptTokens: compress.min_prompt_tokens, targetRatio: compress.target_ratio, tokenBudget: compress.token_budget });
        return result.method === 'none' ? messages : result.messages;
      });
    } else if (compress.method === 'abstractive') {
      if (!compress.model) throw configError(`token_reduction.${name}.compress.model: abstractive compression needs a cheap model`);
      const entry = cheapModel(compress.model, 'compress.model');
      reducers.push(async (context, messages) => {
        const abstractive = createAbstractiveCompressor({ complete: completeWith(context, entry), model: entry.name, cache: summaries, minContextTokens: compress.min_prompt_tokens, targetRatio: compress.target_ratio });
        const result = await abstractive(messages);
        return result.method === 'none' ? messages : result.messages;
      });
    }
  }
  return reducers;
}
