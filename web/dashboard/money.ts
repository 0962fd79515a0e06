/** Nano-dollars (exact decimal string) as USD with `digits` decimals, rounded half away from zero, in BigInt math. */
export function usd(nanos: string | null | undefined, digits = 6): string {
  if (nanos === null || nanos === undefined) return '–';
  const value = BigInt(nanos);
  const magnitude = value < 0n ? -value : value;
  const unit = 10n ** BigInt(9 - digits);
  const scaled = (magnitude + unit / 2n) / unit;
  const scale = 10n ** BigInt(digits);
  const fraction = digits === 0 ? '' : `.${(scaled % scale).toString().padStart(digits, '0')}`;
  const whole = (scaled / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0n && scaled !== 0n ? '-' : ''}$${whole}${fraction}`;
}

/** part / whole as a percentage with one decimal ('n/a' for an empty whole). */
export function percent(part: number | bigint, whole: number | bigint): string {
  const p = Number(part);
  const w = Number(whole);
  return w === 0 ? 'n/a' : `${((100 * p) / w).toFixed(1)}%`;
}

/** Nano-dollars as a float of USD, for charts only (never for a number shown as text). */
export const usdFloat = (nanos: string | null | undefined) => (nanos ? Number(BigInt(nanos)) / 1e9 : 0);
