/** A per-token USD price turned into USD per 1M tokens, as an exact decimal string. */
export interface PerMillionPrice {
  /** USD per 1M tokens with at most 6 decimals (what config prices and the pico-dollar math can hold). */
  usdPerMillion: string;
  /** True when the exact value needed more than 6 decimals and was rounded half-up to 6. */
  rounded: boolean;
  /** The exact value per 1M tokens before rounding, for the message that says so. */
  exact: string;
}

const DECIMAL = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const KEPT_DECIMALS = 6;

/**
 * USD per token as decimal text ("2.5e-06", "0.0000025") → USD per 1M tokens ("2.5"), by moving the decimal
 * point in the text. Never through a float: 2.0833333e-07 * 1e6 is 0.20833332999999998 in binary floating point.
 *
 * @example
 * perTokenToPerMillion('1.25e-06'); // { usdPerMillion: '1.25', rounded: false, exact: '1.25' }
 */
export function perTokenToPerMillion(text: string): PerMillionPrice {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`not a non-negative decimal number: '${text}'`);
  const [, whole, fraction = '', exponent = '0'] = match;
  const digits = BigInt(`${whole}${fraction}`);
  // value = digits × 10^(exponent − fraction digits); per 1M tokens is six places further left.
  const shift = Number(exponent) - fraction.length + 6;
  const exact = shift >= 0 ? (digits * 10n ** BigInt(shift)).toString() : decimalText(digits, -shift);
  const decimals = exact.includes('.') ? exact.length - exact.indexOf('.') - 1 : 0;
  if (decimals <= KEPT_DECIMALS) return { usdPerMillion: exact, rounded: false, exact };
  const scale = 10n ** BigInt(-shift - KEPT_DECIMALS);
  const units = (digits + scale / 2n) / scale;
  return { usdPerMillion: decimalText(units, KEPT_DECIMALS), rounded: true, exact };
}

/** `units / 10^decimals` as a decimal string, trailing zeros trimmed. */
function decimalText(units: bigint, decimals: number): string {
  const divisor = 10n ** BigInt(decimals);
  const fraction = (units % divisor).toString().padStart(decimals, '0').replace(/0+$/, '');
  return fraction === '' ? `${units / divisor}` : `${units / divisor}.${fraction}`;
}
