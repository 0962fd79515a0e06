import { describe, expect, it } from 'vitest';
import { formatNanosUsd, nanosToUsdNumber, priceUsage, promptCacheSavingNanos, tokensCostNanos, usdPerMillionToPico, type Price } from './pricing.js';

const usage = (promptTokens: number, completionTokens: number, cachedPromptTokens = 0, cacheCreationTokens = 0) => ({
  promptTokens,
  completionTokens,
  cachedPromptTokens,
  cacheCreationTokens,
  reasoningTokens: 0,
  estimated: false,
});

const gpt4oMini: Price = {
  inputPico: usdPerMillionToPico(0.15),
  outputPico: usdPerMillionToPico(0.6),
  cachedInputPico: usdPerMillionToPico(0.075),
  cacheWritePico: usdPerMillionToPico(0.15),
};

describe('pricing', () => {
  it('converts USD per 1M tokens to integer pico-dollars per token without float error', () => {
    expect(usdPerMillionToPico(0.27)).toBe(270_000);
    expect(usdPerMillionToPico('2.5')).toBe(2_500_000);
    expect(usdPerMillionToPico(0.01)).toBe(10_000);
    expect(usdPerMillionToPico('0.000001')).toBe(1);
    expect(() => usdPerMillionToPico('0.0000001')).toThrow(RangeError);
    expect(() => usdPerMillionToPico(-1)).toThrow(RangeError);
  });

  it('prices prompt and completion tokens exactly', () => {
    // 1000 * 0.15 + 500 * 0.60 micro-dollars = 150 + 300 = 450 micro-dollars
    expect(priceUsage(usage(1000, 500), gpt4oMini)).toBe(450_000);
  });

  it('bills cached prompt tokens at the cached price and reports the saving', () => {
    // 600 uncached * 0.15 + 400 cached * 0.075 = 90 + 30 micro-dollars
    expect(priceUsage(usage(1000, 0, 400), gpt4oMini)).toBe(120_000);
    expect(promptCacheSavingNanos(usage(1000, 0, 400), gpt4oMini)).toBe(30_000);
  });

  it('nets the cache-write premium against read savings', () => {
    const claude: Price = { inputPico: 3_000_000, outputPico: 15_000_000, cachedInputPico: 300_000, cacheWritePico: 3_750_000 };
    // the write call: 1000 written at +0.75 µ$ each → a 750 µ$ premium, i.e. a negative saving
    expect(promptCacheSavingNanos(usage(1000, 0, 0, 1000), claude)).toBe(-750_000);
    // a later read: 1000 read at 2.7 µ$ below input
    expect(promptCacheSavingNanos(usage(1000, 0, 1000, 0), claude)).toBe(2_700_000);
  });

  it('bills cache writes at the cache-write price', () => {
    const claude: Price = { inputPico: 3_000_000, outputPico: 15_000_000, cachedInputPico: 300_000, cacheWritePico: 3_750_000 };
    // 100 uncached * 3 + 200 read * 0.3 + 700 written * 3.75 + 10 out * 15 (micro-dollars)
    expect(priceUsage(usage(1000, 10, 200, 700), claude)).toBe((300 + 60 + 2625 + 150) * 1000);
  });

  it('never rounds a cheap call to zero', () => {
    const qwen8b: Price = { inputPico: 10_000, outputPico: 10_000, cachedInputPico: 10_000, cacheWritePico: 10_000 };
    expect(priceUsage(usage(7, 3), qwen8b)).toBe(100);
  });

  it('stays exact when the pico-dollars of one call pass 2^53', () => {
    // 200 000 499 tokens × 75 000 001 pico = 15 000 037 624 999 499 pico: a float product reads …625 000 500.
    const rates: Price = { inputPico: 75_000_001, outputPico: 75_000_001, cachedInputPico: 75_000_001, cacheWritePico: 75_000_001 };
    const exact = (tokens: bigint) => Number((tokens * 75_000_001n + 500n) / 1000n);
    expect(priceUsage(usage(200_000_499, 0), rates)).toBe(exact(200_000_499n));
    expect(priceUsage(usage(100_000_000, 100_000_499), rates)).toBe(exact(200_000_499n));
    expect(promptCacheSavingNanos(usage(200_000_499, 0, 200_000_499), { ...rates, cachedInputPico: 0 })).toBe(exact(200_000_499n));
    expect(tokensCostNanos(200_000_499, 75_000_001)).toBe(exact(200_000_499n));
  });

  it('refuses to price a cost it cannot hold as an exact number', () => {
    expect(() => priceUsage(usage(Number.MAX_SAFE_INTEGER, 0), gpt4oMini)).toThrow(RangeError);
  });

  it('formats nano-dollars as exact USD', () => {
    expect(formatNanosUsd(450_000)).toBe('0.00045');
    expect(formatNanosUsd(12_000_000_000n)).toBe('12');
    expect(formatNanosUsd(1)).toBe('0.000000001');
    expect(nanosToUsdNumber(450_000)).toBe(0.00045);
  });

  it('computes the seed article arithmetic: 1600 tokens at $0.25/1M is $0.0004', () => {
    const price: Price = { inputPico: usdPerMillionToPico(0.25), outputPico: 0, cachedInputPico: 0, cacheWritePico: 0 };
    expect(formatNanosUsd(priceUsage(usage(1600, 0), price))).toBe('0.0004');
  });
});

describe('USD amounts', () => {
  it('parses decimal USD to exact nano-dollars and refuses what it cannot hold', async () => {
    const { parseUsdNanos, usdDecimalToNanos } = await import('./pricing.js');
    expect(parseUsdNanos('12.75')).toBe(12_750_000_000);
    expect(parseUsdNanos('0.000000001')).toBe(1);
    expect(parseUsdNanos('0.0000000001')).toBeUndefined();
    expect(parseUsdNanos('-1')).toBeUndefined();
    expect(parseUsdNanos('10000000')).toBeUndefined();
    expect(usdDecimalToNanos('10000000')).toBe(10_000_000_000_000_000n);
  });
});
