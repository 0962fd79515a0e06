import { describe, expect, it } from 'vitest';
import { perTokenToPerMillion } from './per-token-price.js';

describe('perTokenToPerMillion', () => {
  it('moves the decimal point in the text, where float math would give 0.20833332999999998', () => {
    expect(2.0833333e-7 * 1e6).not.toBe(0.20833333);
    expect(perTokenToPerMillion('2.0833333e-07').exact).toBe('0.20833333');
    expect(perTokenToPerMillion('2.5e-06')).toEqual({ usdPerMillion: '2.5', rounded: false, exact: '2.5' });
    expect(perTokenToPerMillion('0.0000025').usdPerMillion).toBe('2.5');
    expect(perTokenToPerMillion('1e-05').usdPerMillion).toBe('10');
    expect(perTokenToPerMillion('1.375E-6').usdPerMillion).toBe('1.375');
    expect(perTokenToPerMillion('7.5e-08').usdPerMillion).toBe('0.075');
    expect(perTokenToPerMillion('1e-12').usdPerMillion).toBe('0.000001');
    expect(perTokenToPerMillion('0').usdPerMillion).toBe('0');
    expect(perTokenToPerMillion('3').usdPerMillion).toBe('3000000');
  });

  it('rounds half-up to 6 decimals per 1M tokens and says so', () => {
    expect(perTokenToPerMillion('2.0833333e-07')).toEqual({ usdPerMillion: '0.208333', rounded: true, exact: '0.20833333' });
    expect(perTokenToPerMillion('1.2345675e-06')).toEqual({ usdPerMillion: '1.234568', rounded: true, exact: '1.2345675' });
    expect(perTokenToPerMillion('4.9e-13')).toEqual({ usdPerMillion: '0', rounded: true, exact: '0.00000049' });
  });

  it('refuses what is not a non-negative decimal', () => {
    for (const text of ['-1e-06', 'abc', '', '1e', '0x10']) expect(() => perTokenToPerMillion(text)).toThrow(RangeError);
  });
});
