import { describe, expect, it } from 'vitest';
import { porterStem } from './porter-stem.js';

describe('porterStem', () => {
  it('gives the published outputs of the algorithm', () => {
    const cases: Record<string, string> = {
      caresses: 'caress', ponies: 'poni', cats: 'cat', agreed: 'agre', plastered: 'plaster', motoring: 'motor',
      sing: 'sing', hopping: 'hop', falling: 'fall', filing: 'file', happy: 'happi', sky: 'sky',
      relational: 'relat', conditional: 'condit', generalization: 'gener', oscillators: 'oscil', controlling: 'control',
    };
    for (const [word, stem] of Object.entries(cases)) expect(porterStem(word), word).toBe(stem);
  });

  it('conflates the forms of a verb', () => {
    expect(new Set(['died', 'dies'].map(porterStem)).size).toBe(1);
    expect(new Set(['starred', 'stars', 'starring'].map(porterStem)).size).toBe(1);
  });

  it('leaves short words, numbers and non-ASCII words alone', () => {
    expect(porterStem('is')).toBe('is');
    expect(porterStem('1901s')).toBe('1901s');
    expect(porterStem('größe')).toBe('größe');
  });
});
