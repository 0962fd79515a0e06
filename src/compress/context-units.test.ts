import { describe, expect, it } from 'vitest';
import { joinUnits, segmentContext } from './context-units.js';

describe('segmentContext', () => {
  it('cuts retrieved documents into a header and sentences, one section per document', () => {
    const text = 'Document [1](Title: Bridge) It opened in 1932. It carries trains.\nDocument [2](Title: Cape) The light was automated in 1989.\n\n';
    const { units, leading } = segmentContext(text);
    expect(leading).toBe('');
    expect(units.map((unit) => [unit.kind, unit.text, unit.section])).toEqual([
      ['header', 'Document [1](Title: Bridge)', 0],
      ['sentence', 'It opened in 1932.', 0],
      ['sentence', 'It carries trains.', 0],
      ['header', 'Document [2](Title: Cape)', 1],
      ['sentence', 'The light was automated in 1989.', 1],
    ]);
    expect(joinUnits(segmentContext(text), units.map(() => true))).toBe(text);
  });

  it('keeps JSON key/value lines whole and records their keys', () => {
    const text = 'JSON data:\n{"k-1": "v-1",\n "k-2": "v-2"}';
    const { units } = segmentContext(text);
    expect(units.map((unit) => [unit.kind, unit.key])).toEqual([['header', undefined], ['line', 'k-1'], ['line', 'k-2']]);
    expect(new Set(units.map((unit) => unit.section)).size).toBe(1);
  });

  it('keeps a repeated-label few-shot exemplar as one unit', () => {
    const shot = (n: number) => `Question: what is ${n} + ${n}?\nLet's think step by step\n${n} + ${n} = ${2 * n}.\nThe answer is ${2 * n}`;
    const { units } = segmentContext(`${shot(1)}\n\n${shot(2)}\n\nQuestion: a lone question line`);
    expect(units.map((unit) => unit.kind)).toEqual(['exemplar', 'exemplar', 'sentence']);
    expect(units[0].text).toBe(shot(1));
  });

  it('keeps code blocks and tables verbatim, with the label line above them in their section', () => {
    const text = 'Example:\n```py\nx  =  1\n```\nAfter the code.';
    const { units } = segmentContext(text);
    expect(units.map((unit) => unit.kind)).toEqual(['header', 'code', 'sentence']);
    expect(units[1].text).toBe('```py\nx  =  1\n```');
    expect(units[0].section).toBe(units[1].section);
  });

  it('joins hard-wrapped lines into one sentence', () => {
    const { units } = segmentContext('The committee met on the\nfirst day of spring. Then it adjourned.');
    expect(units.map((unit) => unit.text)).toEqual(['The committee met on the\nfirst day of spring.', 'Then it adjourned.']);
  });
});

describe('joinUnits', () => {
  const text = 'First one. First two.\n\nSecond one. Second two.\n\nThird one.';

  it('puts the widest dropped whitespace between kept units, so paragraphs never run together', () => {
    const segmented = segmentContext(text);
    const keep = segmented.units.map((unit) => unit.text === 'First one.' || unit.text === 'Second two.');
    expect(joinUnits(segmented, keep)).toBe('First one.\n\nSecond two.\n\n');
  });

  it('returns an empty string when nothing is kept', () => {
    const segmented = segmentContext(text);
    expect(joinUnits(segmented, segmented.units.map(() => false))).toBe('');
  });
});

describe('section numbering', () => {
  it('continues from firstSection, so the regions of one prompt never share a section', () => {
    const { units, sectionCount } = segmentContext('One sentence here.\n\nAnother paragraph here.', 5);
    expect(units.map((unit) => unit.section)).toEqual([5, 6]);
    expect(sectionCount).toBe(7);
  });
});
