import { describe, expect, it } from 'vitest';
import { decide, hashUnit } from './hash-unit.js';

describe('hashUnit', () => {
  it('is deterministic per seed and text, and differs with either', () => {
    expect(hashUnit(0, 'frg-1')).toBe(hashUnit(0, 'frg-1'));
    expect(hashUnit(0, 'frg-1')).not.toBe(hashUnit(1, 'frg-1'));
    expect(hashUnit(0, 'frg-1')).not.toBe(hashUnit(0, 'frg-2'));
  });

  it('spreads sequential ids evenly over [0, 1): each decile within 10 % of its share over 20 000 ids', () => {
    const deciles = new Array<number>(10).fill(0);
    for (let index = 0; index < 20_000; index += 1) {
      const unit = hashUnit(7, `req-${index}`);
      expect(unit).toBeGreaterThanOrEqual(0);
      expect(unit).toBeLessThan(1);
      deciles[Math.floor(unit * 10)] += 1;
    }
    for (const count of deciles) expect(Math.abs(count - 2_000)).toBeLessThan(200);
  });

  it('samples at the configured rate, and the purposes are independent of each other', () => {
    let sampled = 0;
    let both = 0;
    for (let index = 0; index < 20_000; index += 1) {
      const id = `frg-${index}`;
      const a = decide(0, 'sample', id, 0.1);
      const b = decide(0, 'judge', id, 0.5);
      if (a) sampled += 1;
      if (a && b) both += 1;
    }
    expect(sampled).toBeGreaterThan(1_800);
    expect(sampled).toBeLessThan(2_200);
    // Independent: half of the sampled ones are also judged (not all, not none).
    expect(both / sampled).toBeGreaterThan(0.44);
    expect(both / sampled).toBeLessThan(0.56);
    expect(decide(0, 'sample', 'x', 0)).toBe(false);
    expect(decide(0, 'sample', 'x', 1)).toBe(true);
  });
});
