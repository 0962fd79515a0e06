import { checkedUsage, tokenCount, type TokenUsage } from '../../wire/token-usage.js';
import type { AnthropicUsage } from '../../wire/anthropic/anthropic-types.js';

/**
 * Anthropic usage → TokenUsage. Anthropic's `input_tokens` counts only the uncached part of the prompt, while
 * TokenUsage follows OpenAI (prompt includes cache reads and writes), so the three are added up here.
 * Thinking tokens are inside `output_tokens` and not reported apart, so reasoningTokens stays 0.
 *
 * Undefined when any count cannot be trusted (a non-numeric string, a fraction, a negative): the pipeline then
 * estimates and says so (usableUsage), as for OpenAI. Unlike OpenAI's cached_tokens, Anthropic's cache counts are
 * added to the prompt, so dropping a bad one to 0 would price the call low: the whole usage is refused instead.
 * A string of digits is read as its number (tokenCount).
 */
export function convertAnthropicUsage(usage: AnthropicUsage): TokenUsage | undefined {
  const input = tokenCount(usage.input_tokens);
  const output = tokenCount(usage.output_tokens);
  const cacheRead = tokenCount(usage.cache_read_input_tokens);
  const cacheCreation = tokenCount(usage.cache_creation_input_tokens);
  if (input === undefined || output === undefined || cacheRead === undefined || cacheCreation === undefined) return undefined;
  return checkedUsage({
    promptTokens: input + cacheRead + cacheCreation,
    completionTokens: output,
    cachedPromptTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
    reasoningTokens: 0,
    estimated: false,
  });
}
