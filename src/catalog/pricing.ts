import type { TokenUsage } from '../wire/token-usage.js';

/**
 * Token rates as exact integers: pico-dollars (1e-12 USD) per token. A price of $X per 1M tokens is
 * X * 1e6 pico-dollars per token, which is an integer for any price quoted with up to six decimals.
 */
export interface TokenRates {
  inputPico: number;
  outputPico: number;
  /** Price of prompt tokens read from the provider's prompt cache. */
  cachedInputPico: number;
  /** Price of prompt tokens written to the provider's prompt cache (Anthropic: 1.25× input). */
  cacheWritePico: number;
}

/**
 * A model's price: the standard (real-time) rates, plus the rates some providers charge the patient —
 * their batch API, OpenAI's `service_tier: "flex"`, off-peak hours. `priceAt` (price-at.ts) picks the
 * rates in force for one call.
 */
export interface Price extends TokenRates {
  batch?: TokenRates;
  flex?: TokenRates;
  offPeak?: OffPeakPrice;
}

/** Rates in force during recurring windows of the week. */
export interface OffPeakPrice extends TokenRates {
  windows: readonly PriceWindow[];
}

/**
 * A recurring window, parsed from "Mon-Fri 16:30-00:30 UTC+8" (see price-window.ts). Minutes count from
 * local midnight; `endMinute <= startMinute` crosses midnight. `days` (bit 0 = Sunday, in local time) says
 * on which days the window may start.
 */
export interface PriceWindow {
  text: string;
  days: number;
  startMinute: number;
  endMinute: number;
  offsetMinutes: number;
}

/** USD-per-1M-tokens as written in config (number or decimal string) → integer pico-dollars per token. */
export function usdPerMillionToPico(value: number | string): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) {
    throw new RangeError(`price must be a non-negative decimal with at most 6 decimals, got '${text}'`);
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return whole * 1_000_000 + fraction;
}

/** A USD amount written as a decimal ("50", "12.75", up to 9 decimals) → exact nano-dollars; undefined otherwise. */
export function usdDecimalToNanos(text: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  return match ? BigInt(match[1]) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0')) : undefined;
}

/** As usdDecimalToNanos, as a number: undefined also past Number.MAX_SAFE_INTEGER nano-dollars (about 9 million USD). */
export function parseUsdNanos(text: string): number | undefined {
  const nanos = usdDecimalToNanos(text);
  return nanos === undefined || nanos > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(nanos);
}

/** pico-dollars per token → USD per 1M tokens, for display. */
export function picoToUsdPerMillion(pico: number): string {
  const whole = Math.floor(pico / 1_000_000);
  const fraction = String(pico % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  return fraction === '' ? `${whole}` : `${whole}.${fraction}`;
}

/**
 * Cost of one call in integer nano-dollars. Exact in pico-dollars, then rounded half-up once to the nano:
 * the error is at most half a nano-dollar per request, so a million requests drift by less than a cent.
 * The pico-dollar sum is a bigint: 200M tokens at $75/M is already past 2^53 pico-dollars, where a float
 * product silently drops the last digits.
 */
export function priceUsage(usage: TokenUsage, price: TokenRates): number {
  const { cached, written, uncached } = promptParts(usage);
  return nanosOf([
    [uncached, price.inputPico],
    [cached, price.cachedInputPico],
    [written, price.cacheWritePico],
    [usage.completionTokens, price.outputPico],
  ]);
}

/**
 * Net saving of the provider's prompt cache on one call: cache reads below the input price, minus the premium
 * paid for cache writes (negative on the call that writes the cache).
 */
export function promptCacheSavingNanos(usage: TokenUsage, price: TokenRates): number {
  const { cached, written } = promptParts(usage);
  return nanosOf([
    [cached, price.inputPico - price.cachedInputPico],
    [-written, price.cacheWritePico - price.inputPico],
  ]);
}

/** `tokens` at `pico` pico-dollars each, in nano-dollars (rounded half-up, exact past 2^53 pico-dollars). */
export function tokensCostNanos(tokens: number, pico: number): number {
  return nanosOf([[tokens, pico]]);
}

/** The prompt split into cache reads, cache writes and the rest; counts a provider overstated are capped at the prompt. */
function promptParts(usage: TokenUsage): { cached: number; written: number; uncached: number } {
  const cached = Math.min(usage.cachedPromptTokens, usage.promptTokens);
  const written = Math.min(usage.cacheCreationTokens, usage.promptTokens - cached);
  return { cached, written, uncached: usage.promptTokens - cached - written };
}

/** Below this, sums of integer products held in floats are exact (2^53). */
const EXACT_FLOAT_LIMIT = 2 ** 53;

/**
 * The sum of token × pico-dollar products in nano-dollars, rounded half-up once. While the products' magnitudes add
 * up to less than 2^53 every product and partial sum is an exact float, so the common case (it runs several times a
 * request) needs no bigint; past that the sum is taken in bigints.
 */
function nanosOf(terms: ReadonlyArray<readonly [tokens: number, pico: number]>): number {
  let sum = 0;
  let magnitude = 0;
  for (const [tokens, pico] of terms) {
    const product = tokens * pico;
    sum += product;
    magnitude += Math.abs(product);
  }
  if (magnitude < EXACT_FLOAT_LIMIT) {
    // Half-up, symmetric for negatives as roundPicoToNanos is (and never a -0).
    const nanos = Math.floor((Math.abs(sum) + 500) / 1000);
    return sum < 0 && nanos > 0 ? -nanos : nanos;
  }
  let pico = 0n;
  for (const [tokens, rate] of terms) pico += BigInt(tokens) * BigInt(rate);
  return safeNanos(roundPicoToNanos(pico));
}

/** Half-up, symmetric for negatives (a net prompt-cache loss rounds as the gain of the same size does). */
function roundPicoToNanos(pico: bigint): bigint {
  const magnitude = (pico < 0n ? -pico : pico) + 500n;
  return pico < 0n ? -(magnitude / 1000n) : magnitude / 1000n;
}

function safeNanos(nanos: bigint): number {
  if (nanos > BigInt(Number.MAX_SAFE_INTEGER) || nanos < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`a cost of ${nanos} nano-dollars is past 2^53: not a count any provider bills for one call`);
  }
  return Number(nanos);
}

/** Integer nano-dollars → USD as an exact decimal string, trailing zeros trimmed ("0.00015"). */
export function formatNanosUsd(nanos: number | bigint): string {
  const value = BigInt(nanos);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / 1_000_000_000n;
  const fraction = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Nano-dollars as a JSON number of USD (for `usage.cost`); display only, never summed. */
export function nanosToUsdNumber(nanos: number): number {
  return Number(formatNanosUsd(nanos));
}
