import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG } from './builtin-catalog.js';
import { discountRates, priceAt, requestedTier } from './price-at.js';
import { resolvePriceSpec } from './price-spec.js';
import { priceUsage } from './pricing.js';
import type { TokenUsage } from '../wire/token-usage.js';

const usage = (promptTokens: number, completionTokens: number, cachedPromptTokens = 0): TokenUsage => ({
  promptTokens,
  completionTokens,
  cachedPromptTokens,
  cacheCreationTokens: 0,
  reasoningTokens: 0,
  estimated: false,
});
const at = (iso: string) => Date.parse(iso);
const deepseek = (name: string) => resolvePriceSpec(BUILTIN_CATALOG.find((model) => model.name === name)!.price);

describe('priceAt', () => {
  const price = resolvePriceSpec({
    input: 0.27,
    output: 1.1,
    cached_input: 0.07,
    flex: { input: 0.2, output: 0.8 },
    batch: { input: 0.135, output: 0.55, cached_input: 0.035 },
    off_peak: { windows: ['16:30-00:30 UTC'], input: 0.135, output: 0.55, cached_input: 0.035 },
  });

  it('switches to the off-peak rates exactly at the window boundaries', () => {
    expect(priceAt(price, { tier: 'standard', at: at('2026-11-16T16:29:59.999Z') })).toMatchObject({ applied: 'standard', inputPico: 270_000 });
    expect(priceAt(price, { tier: 'standard', at: at('2026-11-16T16:30:00.000Z') })).toMatchObject({ applied: 'off_peak', inputPico: 135_000 });
    expect(priceAt(price, { tier: 'standard', at: at('2026-11-17T00:29:59.999Z') })).toMatchObject({ applied: 'off_peak' });
    expect(priceAt(price, { tier: 'standard', at: at('2026-11-17T00:30:00.000Z') })).toMatchObject({ applied: 'standard' });
  });

  it('prices cached input at the window’s cached rate', () => {
    const call = usage(10_000, 1_000, 8_000);
    // Peak: 2 000 × 0.27 + 8 000 × 0.07 + 1 000 × 1.1 (per 1M) = 0.00054 + 0.00056 + 0.0011 USD.
    expect(priceUsage(call, priceAt(price, { tier: 'standard', at: at('2026-11-16T12:00:00Z') }))).toBe(2_200_000);
    // Off-peak, just past midnight: 2 000 × 0.135 + 8 000 × 0.035 + 1 000 × 0.55.
    expect(priceUsage(call, priceAt(price, { tier: 'standard', at: at('2026-11-17T00:10:00Z') }))).toBe(1_100_000);
  });

  it('prices flex and batch at their own rates, whatever the hour', () => {
    const night = at('2026-11-16T20:00:00Z');
    expect(priceAt(price, { tier: 'flex', at: night })).toEqual({ inputPico: 200_000, outputPico: 800_000, cachedInputPico: 200_000, cacheWritePico: 200_000, applied: 'flex' });
    expect(priceAt(price, { tier: 'batch', at: night })).toMatchObject({ applied: 'batch', cachedInputPico: 35_000 });
  });

  it('falls back to the time-of-day rates for a tier the model has no price for', () => {
    const plain = resolvePriceSpec({ input: 1, output: 2, off_peak: { windows: ['00:00-06:00 UTC'], input: 0.5, output: 1 } });
    expect(priceAt(plain, { tier: 'flex', at: at('2026-11-16T03:00:00Z') }).applied).toBe('off_peak');
    expect(priceAt(plain, { tier: 'batch', at: at('2026-11-16T12:00:00Z') })).toMatchObject({ applied: 'standard', inputPico: 1_000_000 });
  });

  it('prices the built-in DeepSeek models at half the peak price outside Beijing’s weekday peak hours', () => {
    const flash = deepseek('deepseek-v4-flash');
    // Monday 2026-11-16: 01:00–04:00 and 06:00–10:00 UTC are peak.
    expect(priceAt(flash, { tier: 'standard', at: at('2026-11-16T00:59:59.999Z') }).applied).toBe('off_peak');
    expect(priceAt(flash, { tier: 'standard', at: at('2026-11-16T01:00:00.000Z') })).toMatchObject({ applied: 'standard', inputPico: 300_000, outputPico: 1_200_000, cachedInputPico: 6_000 });
    expect(priceAt(flash, { tier: 'standard', at: at('2026-11-16T04:30:00Z') }).applied).toBe('off_peak');
    expect(priceAt(flash, { tier: 'standard', at: at('2026-11-16T09:59:59.999Z') }).applied).toBe('standard');
    expect(priceAt(flash, { tier: 'standard', at: at('2026-11-16T10:00:00.000Z') })).toMatchObject({ applied: 'off_peak', inputPico: 150_000, outputPico: 600_000, cachedInputPico: 3_000 });
    // Saturday is off-peak all day, peak hours included.
    expect(priceAt(flash, { tier: 'standard', at: at('2026-11-14T02:00:00Z') }).applied).toBe('off_peak');
    const pro = deepseek('deepseek-v4-pro');
    expect(priceAt(pro, { tier: 'standard', at: at('2026-11-16T07:00:00Z') })).toMatchObject({ inputPico: 1_320_000, outputPico: 3_960_000, cachedInputPico: 44_000 });
    expect(priceAt(pro, { tier: 'standard', at: at('2026-11-16T05:00:00Z') })).toMatchObject({ inputPico: 660_000, outputPico: 1_980_000, cachedInputPico: 22_000 });
  });
});

describe('batch discount vs batch price', () => {
  it('a 50 % discount equals the published batch price, cache reads and writes included', () => {
    const sonnet = resolvePriceSpec(BUILTIN_CATALOG.find((model) => model.name === 'claude-sonnet-4-5')!.price);
    expect(sonnet.batch).toEqual({ inputPico: 1_500_000, outputPico: 7_500_000, cachedInputPico: 150_000, cacheWritePico: 1_875_000 });
    const discounted = resolvePriceSpec({ input: 2.5, output: 10, cached_input: 1.25, batch_discount: 0.5 });
    const listed = resolvePriceSpec({ input: 2.5, output: 10, cached_input: 1.25, batch: { input: 1.25, output: 5, cached_input: 0.625 } });
    expect(discounted.batch).toEqual(listed.batch);
  });

  it('an explicit batch price wins where it differs from a flat discount (no cached batch price: cached tokens at batch input)', () => {
    const gpt4o = resolvePriceSpec(BUILTIN_CATALOG.find((model) => model.name === 'gpt-4o')!.price);
    const call = usage(1_000_000, 1_000_000, 500_000);
    expect(priceUsage(call, priceAt(gpt4o, { tier: 'batch', at: 0 }))).toBe(6_250_000_000);
    expect(priceUsage(call, discountRates(gpt4o, 500_000))).toBe(5_937_500_000);
  });

  it('rounds each discounted rate half-up to the pico-dollar, in integers', () => {
    // 0.000003 $/1M is 3 pico per token: 30 % off leaves 2.1 → 2; 0.000005 leaves 3.5 → 4.
    expect(discountRates({ inputPico: 3, outputPico: 5, cachedInputPico: 0, cacheWritePico: 1 }, 300_000)).toEqual({ inputPico: 2, outputPico: 4, cachedInputPico: 0, cacheWritePico: 1 });
    // Decimal strings, never floats: 0.3 × 0.9 is 0.27 exactly.
    expect(resolvePriceSpec({ input: '0.3', output: '0.7', batch_discount: '0.1' }).batch).toMatchObject({ inputPico: 270_000, outputPico: 630_000 });
    // 333 333 × 0.5 = 166 666.5 → 166 667 pico per token; 3 tokens = 500 001 pico → 500 nano.
    expect(priceUsage(usage(3, 0), discountRates({ inputPico: 333_333, outputPico: 0, cachedInputPico: 0, cacheWritePico: 0 }, 500_000))).toBe(500);
  });
});

describe('requestedTier', () => {
  it('reads OpenAI’s service_tier', () => {
    expect(requestedTier({ service_tier: 'flex' })).toBe('flex');
    expect(requestedTier({ service_tier: 'auto' })).toBe('standard');
    expect(requestedTier({})).toBe('standard');
  });
});
