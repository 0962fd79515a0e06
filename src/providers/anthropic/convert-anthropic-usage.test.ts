import { describe, expect, it } from 'vitest';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';

describe('convertAnthropicUsage', () => {
  it('counts cache reads and cache writes as prompt tokens, and keeps them apart for pricing', () => {
    expect(
      convertAnthropicUsage({ input_tokens: 12, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200, output_tokens: 30 }),
    ).toEqual({ promptTokens: 1212, completionTokens: 30, cachedPromptTokens: 1000, cacheCreationTokens: 200, reasoningTokens: 0, estimated: false });
  });

  it('treats null or missing cache fields as zero', () => {
    expect(convertAnthropicUsage({ input_tokens: 5, output_tokens: 2, cache_read_input_tokens: null })).toEqual({
      promptTokens: 5,
      completionTokens: 2,
      cachedPromptTokens: 0,
      cacheCreationTokens: 0,
      reasoningTokens: 0,
      estimated: false,
    });
  });

  it('refuses usage with a count it cannot trust, so the pipeline estimates instead of pricing 0', () => {
    for (const bad of ['many', -3, 2.5, Number.NaN, { n: 1 }]) {
      expect(convertAnthropicUsage({ input_tokens: 5, output_tokens: bad as number })).toBeUndefined();
      expect(convertAnthropicUsage({ input_tokens: 5, output_tokens: 2, cache_read_input_tokens: bad as number })).toBeUndefined();
    }
  });

  it('reads a string of digits as its number', () => {
    expect(convertAnthropicUsage({ input_tokens: '12' as unknown as number, output_tokens: 3 })).toMatchObject({ promptTokens: 12, completionTokens: 3 });
  });
});
