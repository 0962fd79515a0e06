import type { TokenUsage } from '../../wire/token-usage.js';
import type { AnthropicUsage } from '../../wire/anthropic/anthropic-types.js';

/**
 * Anthropic usage → TokenUsage. Anthropic's `input_tokens` counts only the uncached part of the prompt, while
 * TokenUsage follows OpenAI (prompt includes cache reads and writes), so the three are added up here.
 * Thinking tokens are inside `output_tokens` and not reported apart, so reasoningTokens stays 0.
 */
export function convertAnthropicUsage(usage: AnthropicUsage): TokenUsage {
  const input = count(usage.input_tokens);
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheCreation = count(usage.cache_creation_input_tokens);
  return {
    promptTokens: input + cacheRead + cacheCreation,
    completionTokens: count(usage.output_tokens),
    cachedPromptTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
    reasoningTokens: 0,
    estimated: false,
  };
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
