/**
 * Splits an integer `total` into parts proportional to `weights` that add up to `total` exactly: each part is
 * rounded down, and the units left over go to the largest remainders (ties to the earlier index). Deterministic;
 * all-zero weights split evenly. Pure, integer (bigint) arithmetic so large totals stay exact.
 *
 * @example
 * splitByWeights(10, [1, 1, 1]); // [4, 3, 3]
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const used = weights.some((weight) => weight > 0) ? weights.map((weight) => Math.max(0, weight)) : weights.map(() => 1);
  const sum = used.reduce((a, b) => a + BigInt(b), 0n);
  const whole = BigInt(total);
  const parts = used.map((weight) => (whole * BigInt(weight)) / sum);
  const remainders = used.map((weight, index) => ({ index, remainder: (whole * BigInt(weight)) % sum }));
  let left = Number(whole - parts.reduce((a, b) => a + b, 0n));
  remainders.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0) break;
    parts[index] += 1n;
    left -= 1;
  }
  return parts.map(Number);
}
