import { describe, expect, it } from 'vitest';
import { bm25Scores, queryPrefixFilter, searchTerms } from './bm25.js';

describe('searchTerms', () => {
  it('lower-cases, drops stopwords, stems and folds accents', () => {
    expect(searchTerms('Who won the Nobel Prizes in 1901?')).toEqual(['won', 'nobel', 'prize', '1901']);
    expect(searchTerms('Röntgen died')).toEqual(searchTerms('rontgen dies'));
  });

  it('splits identifiers into their alphanumeric runs', () => {
    expect(searchTerms('key a54e2eed-e625')).toEqual(['kei', 'a54e2eed', 'e625']);
  });
});

describe('bm25Scores', () => {
  const documents = [
    searchTerms('The cat sat on the mat.'),
    searchTerms('Physics prizes were first awarded in 1901 to Röntgen.'),
    searchTerms('The first train ran in 1830.'),
    searchTerms('A prize for a cat show.'),
  ];

  it('ranks the document that shares the rare query terms first', () => {
    const scores = bm25Scores(documents, searchTerms('first physics prize'));
    const best = scores.indexOf(Math.max(...scores));
    expect(best).toBe(1);
    expect(scores[0]).toBe(0);
  });

  it('weighs a rare term above a common one', () => {
    // "first" is in two documents, "train" in one: the train document wins a query that has both words once.
    const scores = bm25Scores(documents, searchTerms('first train'));
    expect(scores[2]).toBeGreaterThan(scores[1]);
    expect(scores[1]).toBeGreaterThan(0);
  });

  it('scores nothing for an empty query or an empty collection', () => {
    expect([...bm25Scores(documents, [])]).toEqual([0, 0, 0, 0]);
    expect(bm25Scores([], ['cat']).length).toBe(0);
  });
});

describe('queryPrefixFilter', () => {
  it('skips stemming words that cannot match without changing any score', () => {
    const texts = [
      'The relational database was conditionally generalized by engineers.',
      'Engineers generalise relations; conditions vary with databases.',
      'Eyes eyed the skies while ponies galloped past the dying fire.',
    ];
    const query = searchTerms('generalization of relational conditions for dying ponies');
    const mayMatch = queryPrefixFilter(query);
    expect(mayMatch('generalized')).toBe(true);
    expect(mayMatch('engineers')).toBe(false);
    const full = bm25Scores(texts.map((text) => searchTerms(text)), query);
    const filtered = bm25Scores(texts.map((text) => searchTerms(text, mayMatch)), query);
    expect([...filtered]).toEqual([...full]);
    expect(full.every((score) => score > 0)).toBe(true);
  });
});
