import { picoToUsdPerMillion, usdPerMillionToPico, type Price, type TokenRates } from './pricing.js';
import { discountRates } from './price-at.js';
import { parsePriceWindow } from './price-window.js';

/** USD per 1M tokens: a number or an exact decimal string. */
export type Usd = number | string;

/** Rates as written in the catalog and config (`price:`), USD per 1M tokens. */
export interface RatesSpec {
  input: Usd;
  output: Usd;
  cached_input?: Usd;
  cache_write?: Usd;
}

/** A model's `price:` block: real-time rates, and optionally batch, flex and off-peak ones. */
export interface PriceSpec extends RatesSpec {
  /** The batch API's price; or `batch_discount` (a fraction: 0.5 = −50 %) off every real-time rate. Not both. */
  batch?: RatesSpec;
  batch_discount?: number | string;
  /** OpenAI's `service_tier: "flex"`. */
  flex?: RatesSpec;
  /** Rates in force during these windows ("16:30-00:30 UTC", "Mon-Fri 18:00-24:00 UTC+8"). */
  off_peak?: RatesSpec & { windows: string[] };
}

/** A price that cannot be used; `field` is the path inside `price` ("off_peak.windows[1]"). */
export class PriceSpecError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The written price → exact integer rates. A cached-input or cache-write rate left out is billed as that
 * tier's input rate (what providers do without a prompt-cache price). Throws PriceSpecError naming the field.
 *
 * @example
 * resolvePriceSpec({ input: 2.5, output: 10, batch_discount: 0.5 }).batch; // { inputPico: 1_250_000, outputPico: 5_000_000, … }
 */
export function resolvePriceSpec(spec: PriceSpec): Price {
  const price: Price = resolveRates(spec, '');
  if (spec.batch !== undefined && spec.batch_discount !== undefined) {
    throw new PriceSpecError('batch_discount', 'give either batch (the batch price) or batch_discount (a fraction off), not both');
  }
  if (spec.batch !== undefined) price.batch = resolveRates(spec.batch, 'batch.');
  if (spec.batch_discount !== undefined) price.batch = discountRates(price, discountPpm(spec.batch_discount));
  if (spec.flex !== undefined) price.flex = resolveRates(spec.flex, 'flex.');
  if (spec.off_peak !== undefined) {
    if (spec.off_peak.windows.length === 0) throw new PriceSpecError('off_peak.windows', 'at least one window, such as "16:30-00:30 UTC"');
    const windows = spec.off_peak.windows.map((text, index) => {
      try {
        return parsePriceWindow(text);
      } catch (error) {
        throw new PriceSpecError(`off_peak.windows[${index}]`, (error as Error).message);
      }
    });
    price.offPeak = { ...resolveRates(spec.off_peak, 'off_peak.'), windows };
  }
  return price;
}

export interface RatesDisplay {
  input: string;
  output: string;
  cachedInput: string;
}

/** The extra prices, USD per 1M tokens, for `frugal models`. */
export interface ExtraPricesDisplay {
  batch?: RatesDisplay;
  flex?: RatesDisplay;
  offPeak?: RatesDisplay & { windows: string[] };
}

export function describeExtraPrices(price: Price): ExtraPricesDisplay {
  const display: ExtraPricesDisplay = {};
  if (price.batch) display.batch = describeRates(price.batch);
  if (price.flex) display.flex = describeRates(price.flex);
  if (price.offPeak) display.offPeak = { ...describeRates(price.offPeak), windows: price.offPeak.windows.map((window) => window.text) };
  return display;
}

function describeRates(rates: TokenRates): RatesDisplay {
  return { input: picoToUsdPerMillion(rates.inputPico), output: picoToUsdPerMillion(rates.outputPico), cachedInput: picoToUsdPerMillion(rates.cachedInputPico) };
}

function resolveRates(spec: RatesSpec, prefix: string): TokenRates {
  const pico = (value: Usd | undefined, fallback: number, field: string) => {
    if (value === undefined) return fallback;
    try {
      return usdPerMillionToPico(value);
    } catch (error) {
      throw new PriceSpecError(`${prefix}${field}`, (error as Error).message);
    }
  };
  const inputPico = pico(spec.input, 0, 'input');
  const outputPico = pico(spec.output, 0, 'output');
  // Without a cached price the provider bills cached tokens like any other input token.
  return { inputPico, outputPico, cachedInputPico: pico(spec.cached_input, inputPico, 'cached_input'), cacheWritePico: pico(spec.cache_write, inputPico, 'cache_write') };
}

function discountPpm(value: number | string): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^0?\.(\d{1,6})$|^0$/.exec(text);
  const ppm = match ? Number((match[1] ?? '').padEnd(6, '0')) : NaN;
  if (!(ppm > 0 && ppm < 1_000_000)) throw new PriceSpecError('batch_discount', `a fraction between 0 and 1 with at most 6 decimals (0.5 = −50 %), got '${text}'`);
  return ppm;
}
