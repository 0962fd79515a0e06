import { describe, expect, it } from 'vitest';
import { hash32, stem, tokenize, wordKind } from './text-features.js';

const texts = (text: string) => tokenize(text).map((token) => token.text);

describe('tokenize', () => {
  it('lower-cases words and expands contractions', () => {
    expect(texts("What's the best way? I can't decide, it won't work")).toEqual(['what', 'the', 'best', 'way', 'i', 'can', 'not', 'decide', 'it', 'will', 'not', 'work']);
  });

  it('keeps programming names and symbols that make questions different', () => {
    expect(texts('C vs C++ vs C#')).toEqual(['c', 'vs', 'c++', 'vs', 'c#']);
    expect(texts('What does ~ mean? 50% @home')).toEqual(['what', 'does', '~', 'mean', '50', '%', '@', 'home']);
    expect(texts('difference between () and []')).toEqual(['difference', 'between', '()', 'and', '[]']);
  });

  it('drops sentence punctuation', () => {
    expect(texts('Really ?! Yes ... no')).toEqual(['really', 'yes', 'no']);
  });

  it('marks capitalised acronyms, unless the whole text is shouting', () => {
    expect(tokenize('Which IT company is best?').map((token) => token.acronym)).toEqual([false, true, false, false, false]);
    expect(tokenize('WHICH IT COMPANY IS BEST').some((token) => token.acronym)).toBe(false);
  });
});

describe('stem', () => {
  it.each([
    ['countries', 'country'],
    ['learning', 'learn'],
    ['running', 'run'],
    ['designed', 'design'],
    ['boxes', 'box'],
    ['cats', 'cat'],
    ['glass', 'glass'],
    ['status', 'status'],
    ['analysis', 'analysis'],
    ['c++', 'c++'],
    ['2014s', '2014s'],
  ])('%s → %s', (word, expected) => {
    expect(stem(word)).toBe(expected);
  });
});

describe('wordKind', () => {
  it('tells stop, person, meaning, number, symbol and content words apart', () => {
    expect(['the', 'your', 'why', 'not', '2014', 'c++', 'python'].map((word) => wordKind(word))).toEqual(['stop', 'person', 'meaning', 'meaning', 'number', 'symbol', 'content']);
    expect(wordKind('it', true)).toBe('content');
  });
});

describe('hash32', () => {
  it('is stable and seed-dependent', () => {
    expect(hash32('python', 1)).toBe(hash32('python', 1));
    expect(hash32('python', 1)).not.toBe(hash32('python', 2));
    expect(hash32('python', 1)).not.toBe(hash32('pythom', 1));
  });
});
