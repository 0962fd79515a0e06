const NANOS_PER_USD = 1_000_000_000n;

/**
 * Money as finance reads it: a dollar sign, thousands separators and a fixed number of decimals (cents by
 * default), rounded half away from zero in integer math. An amount that is not zero but rounds to it says so
 * ("<$0.01") rather than printing a zero that hides it. Exact figures stay in --json.
 *
 * @example
 * formatUsdForFinance(1_234_567_890_000n); // '$1,234.57'
 * formatUsdForFinance(400_000n, 4);        // '$0.0004'
 */
export function formatUsdForFinance(nanos: bigint, decimals = 2): string {
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  const unit = NANOS_PER_USD / 10n ** BigInt(decimals);
  const rounded = (abs + unit / 2n) / unit;
  const sign = negative ? '-' : '';
  if (rounded === 0n && abs > 0n) return `${sign === '-' ? '>-' : '<'}$0.${'0'.repeat(decimals - 1)}1`;
  const scale = 10n ** BigInt(decimals);
  const whole = (rounded / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = decimals === 0 ? '' : `.${(rounded % scale).toString().padStart(decimals, '0')}`;
  return `${sign}$${whole}${fraction}`;
}
