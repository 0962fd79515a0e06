import { describe, expect, it } from 'vitest';
import { formatUsdForFinance } from './format-usd-for-finance.js';

describe('formatUsdForFinance', () => {
  it('prints cents with thousands separators, rounding half away from zero', () => {
    expect(formatUsdForFinance(1_234_567_890_000n)).toBe('$1,234.57');
    expect(formatUsdForFinance(1_234_564_999_999n)).toBe('$1,234.56');
    expect(formatUsdForFinance(5_000_000n)).toBe('$0.01');
    expect(formatUsdForFinance(-1_005_000_000n)).toBe('-$1.01');
    expect(formatUsdForFinance(0n)).toBe('$0.00');
    expect(formatUsdForFinance(1_000_000_000_000_000n)).toBe('$1,000,000.00');
  });

  it('never prints a zero for an amount that is not zero', () => {
    expect(formatUsdForFinance(4_999_999n)).toBe('<$0.01');
    expect(formatUsdForFinance(-1n)).toBe('>-$0.01');
    expect(formatUsdForFinance(400_000n, 4)).toBe('$0.0004');
    expect(formatUsdForFinance(40_000n, 4)).toBe('<$0.0001');
  });
});
