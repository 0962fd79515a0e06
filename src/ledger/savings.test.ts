import { describe, expect, it } from 'vitest';
import { usdPerMillionToPico, type Price } from '../catalog/pricing.js';
import { attributeSavings } from './savings.js';

const price = (input: number, output: number, cached = input): Price => ({ inputPico: usdPerMillionToPico(input), outputPico: usdPerMillionToPico(output), cachedInputPico: usdPerMillionToPico(cached), cacheWritePico: usdPerMillionToPico(input) });
const gpt4o = price(2.5, 10);
const flash = price(0.27, 1.1, 0.07);

describe('savings attribution', () => {
  it('attributes a cheaper model to routing, removed tokens to compression and cache reads to prompt caching, adding up exactly', () => {
    // Served by flash: 1 000 prompt tokens (400 cached), 200 out, after compression removed 1 600 tokens.
    // cost = 600×270 + 400×70 + 200×1 100 = 162 000 + 28 000 + 220 000 = 410 000 nano-dollars
    // prompt cache saving = 400 × (270 − 70) = 80 000; compression = 1 600 × 270 = 432 000
    // baseline (gpt-4o, 2 600 prompt + 200 out) = 2 600×2 500 + 200×10 000 = 8 500 000
    const result = attributeSavings({ costNanos: 410_000, promptCacheSavedNanos: 80_000, promptTokens: 1000, completionTokens: 200, compressedAwayTokens: 1600, compressionCostNanos: 0, servedPrice: flash, baselinePrice: gpt4o, cacheHitOriginalCostNanos: undefined });
    expect(result).toEqual({ baselineNanos: 8_500_000, promptCacheNanos: 80_000, compressionNanos: 432_000, cacheNanos: 0, routingNanos: 8_500_000 - 410_000 - 80_000 - 432_000, callerChoiceNanos: 0 });
    expect(result.routingNanos + result.cacheNanos + result.compressionNanos + result.promptCacheNanos).toBe(result.baselineNanos - 410_000);
  });

  it('puts what a cache hit did not pay under cache, and the model choice of the original call under routing', () => {
    const result = attributeSavings({ costNanos: 0, promptCacheSavedNanos: 0, promptTokens: 100, completionTokens: 50, compressedAwayTokens: 0, compressionCostNanos: 0, servedPrice: flash, baselinePrice: gpt4o, cacheHitOriginalCostNanos: 82_000 });
    // baseline = 100×2 500 + 50×10 000 = 750 000
    expect(result).toEqual({ baselineNanos: 750_000, cacheNanos: 82_000, routingNanos: 668_000, compressionNanos: 0, promptCacheNanos: 0, callerChoiceNanos: 0 });
  });

  it('shows a negative routing saving when the served model is dearer than the baseline', () => {
    const result = attributeSavings({ costNanos: 1_000_000, promptCacheSavedNanos: 0, promptTokens: 100, completionTokens: 0, compressedAwayTokens: 0, compressionCostNanos: 0, servedPrice: price(10_000, 0), baselinePrice: gpt4o, cacheHitOriginalCostNanos: undefined });
    expect(result.routingNanos).toBe(250_000 - 1_000_000);
  });

  it('nets what the compressor itself spent out of the compression saving', () => {
    const result = attributeSavings({ costNanos: 500_000, promptCacheSavedNanos: 0, promptTokens: 100, completionTokens: 0, compressedAwayTokens: 1000, compressionCostNanos: 20_000, servedPrice: flash, baselinePrice: gpt4o, cacheHitOriginalCostNanos: undefined });
    // gross 1 000 × 270 = 270 000, minus the 20 000 the summary cost
    expect(result.compressionNanos).toBe(250_000);
    expect(result.routingNanos + result.compressionNanos).toBe(result.baselineNanos - 500_000);
  });

  it('matches the seed arithmetic: 1 600 input tokens saved at $0.25 per 1M is $0.0004', () => {
    const cheap = price(0.25, 0);
    const result = attributeSavings({ costNanos: 0, promptCacheSavedNanos: 0, promptTokens: 0, completionTokens: 0, compressedAwayTokens: 1600, compressionCostNanos: 0, servedPrice: cheap, baselinePrice: cheap, cacheHitOriginalCostNanos: undefined });
    expect(result.compressionNanos).toBe(400_000); // $0.0004
  });
});
