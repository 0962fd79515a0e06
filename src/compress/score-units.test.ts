import { describe, expect, it } from 'vitest';
import { segmentContext } from './context-units.js';
import { blendScores, cosine, lexicalScores, mustKeep, queryAnchors } from './score-units.js';

describe('queryAnchors', () => {
  it('takes quoted strings and identifier-like tokens, not ordinary words or years', () => {
    expect(queryAnchors('Key: "3f2a-77b1"')).toEqual(['3f2a-77b1']);
    expect(queryAnchors('What is the status of order ORD-55821 and `retry_limit`?')).toEqual(['retry_limit', 'ORD-55821']);
    expect(queryAnchors('who won the prize in 1901')).toEqual([]);
  });
});

describe('mustKeep', () => {
  it('keeps the JSON line whose key the question quotes, and code blocks', () => {
    const { units } = segmentContext('{"aa-1": "x",\n "bb-2": "y",\n "cc-3": "z"}\n\n```\ncode\n```');
    expect(mustKeep(units, ['bb-2'])).toEqual([false, true, false, true]);
  });

  it('does not force an anchor that appears in many units: it is a topic, not a pointer', () => {
    const text = Array.from({ length: 5 }, (_, index) => `Sentence ${index} mentions COVID-19 again.`).join(' ');
    const { units } = segmentContext(text);
    expect(mustKeep(units, ['COVID-19']).some(Boolean)).toBe(false);
    expect(mustKeep(units.slice(0, 2), ['COVID-19'])).toEqual([true, true]);
  });
});

describe('lexicalScores', () => {
  const text = [
    'Document [1](Title: Lighthouse) The keeper retired early. The light was automated in 1989.',
    'Document [2](Title: Bridge) The bridge opened in 1932. Trains cross it daily.',
  ].join('\n');

  it('ranks the matching sentence first and headers not at all', () => {
    const { units, sectionCount } = segmentContext(text);
    const scores = lexicalScores(units, sectionCount, 'when was the light automated', 0);
    const best = units[scores.indexOf(Math.max(...scores))];
    expect(best.text).toBe('The light was automated in 1989.');
    expect(units.filter((unit, index) => unit.kind === 'header' && scores[index] !== 0)).toEqual([]);
  });

  it('lifts the other sentences of the relevant document through the section weight', () => {
    const { units, sectionCount } = segmentContext(text);
    const keeper = units.findIndex((unit) => unit.text === 'The keeper retired early.');
    const trains = units.findIndex((unit) => unit.text === 'Trains cross it daily.');
    const withoutSection = lexicalScores(units, sectionCount, 'lighthouse automated', 0);
    expect(withoutSection[keeper]).toBe(withoutSection[trains]);
    const withSection = lexicalScores(units, sectionCount, 'lighthouse automated', 1);
    expect(withSection[keeper]).toBeGreaterThan(withSection[trains]);
  });
});

describe('embedding blend', () => {
  it('computes cosine for unnormalised vectors and blends with the given weight', () => {
    expect(cosine([2, 0], [5, 0])).toBeCloseTo(1);
    expect(cosine([1, 0], [0, 3])).toBe(0);
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect([...blendScores(Float64Array.from([1, 0]), Float64Array.from([0, -0.5]), 0.5)]).toEqual([0.5, 0]);
  });
});
