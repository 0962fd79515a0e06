import type { OpenAIUsage } from './chat-types.js';

/**
 * Token counts of one call, normalised across providers. `promptTokens` includes cached and
 * cache-creation tokens (OpenAI's convention); pricing splits them out.
 * `estimated` is true when the provider did not report usage and we counted with a tokenizer.
 */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens read from the provider's prompt cache (billed at the cached-input price). */
  cachedPromptTokens: number;
  /** Prompt tokens written to the provider's prompt cache (Anthropic bills them above the input price). */
  cacheCreationTokens: number;
  reasoningTokens: number;
  estimated: boolean;
}

/**
 * The most tokens one count of one call may report: a thousand times the largest context window offered today.
 * A count past it is a misbehaving upstream, and keeps every cost and sum far below 2^53 nano-dollars.
 */
export const MAX_CALL_TOKENS = 1_000_000_000;

/**
 * A token count as an upstream sent it → a whole number from 0 to MAX_CALL_TOKENS; `null`/absent → 0 (an
 * embedding has no completion); anything else (negative, fractional, NaN, a non-numeric string, absurd) → undefined.
 * A string of digits is read as its number: what the provider billed, however it spelled it.
 */
export function tokenCount(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  const count = typeof value === 'string' && /^\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : value;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 && count <= MAX_CALL_TOKENS ? count : undefined;
}

/**
 * OpenAI's usage object → TokenUsage; undefined when a count cannot be trusted (unknown usage is unknown, never a
 * negative or string number to price: the caller estimates instead). A bad cached or reasoning detail only loses
 * its discount: the call is then priced as uncached, which errs high, never low.
 */
export function usageFromOpenAI(usage: OpenAIUsage): TokenUsage | undefined {
  return checkedUsage({
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    cachedPromptTokens: tokenCount(usage.prompt_tokens_details?.cached_tokens) ?? 0,
    cacheCreationTokens: 0,
    reasoningTokens: tokenCount(usage.completion_tokens_details?.reasoning_tokens) ?? 0,
    estimated: false,
  });
}

/**
 * The usage an upstream reported, if it can be priced: a negative, fractional, non-numeric or absurd count from a
 * misbehaving upstream would otherwise become a negative cost, a NaN budget counter or a string in the ledger.
 * Undefined (the caller estimates, marked estimated) when there was none or it was unusable; the latter is said in
 * `warnings`, once. `upstreamSentUsage`: the answer carried a usage object even if the adapter could make nothing of it.
 */
export function usableUsage(reported: TokenUsage | undefined, model: string, warnings: string[], upstreamSentUsage = false): TokenUsage | undefined {
  const usage = checkedUsage(reported);
  if (usage === undefined && (reported !== undefined || upstreamSentUsage)) {
    const warning = `'${model}' reported token usage that cannot be priced; tokens estimated`;
    if (!warnings.includes(warning)) warnings.push(warning);
  }
  return usage;
}

/**
 * Usage any adapter reported, checked before it is priced: prompt and completion counts must be whole numbers
 * in range (else undefined: unusable); cache and reasoning details out of range are dropped to 0.
 */
export function checkedUsage(usage: TokenUsage | undefined): TokenUsage | undefined {
  if (usage === undefined) return undefined;
  const promptTokens = tokenCount(usage.promptTokens);
  const completionTokens = tokenCount(usage.completionTokens);
  if (promptTokens === undefined || completionTokens === undefined) return undefined;
  return {
    promptTokens,
    completionTokens,
    cachedPromptTokens: tokenCount(usage.cachedPromptTokens) ?? 0,
    cacheCreationTokens: tokenCount(usage.cacheCreationTokens) ?? 0,
    reasoningTokens: tokenCount(usage.reasoningTokens) ?? 0,
    estimated: usage.estimated === true,
  };
}

export function usageToOpenAI(usage: TokenUsage): OpenAIUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}
