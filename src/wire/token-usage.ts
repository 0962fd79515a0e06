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

export function usageFromOpenAI(usage: OpenAIUsage): TokenUsage {
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheCreationTokens: 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    estimated: false,
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
