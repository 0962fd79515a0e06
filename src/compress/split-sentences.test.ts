import { describe, expect, it } from 'vitest';
import { splitSentences } from './split-sentences.js';

const sentences = (text: string) => splitSentences(text).map((span) => text.slice(span.start, span.end));

describe('splitSentences', () => {
  it('splits after terminal punctuation followed by a capital, digit or quote', () => {
    expect(sentences('The bridge opened in 1932. It cost $4 million! Was it worth it? "Yes," said the mayor.')).toEqual([
      'The bridge opened in 1932.',
      'It cost $4 million!',
      'Was it worth it?',
      '"Yes," said the mayor.',
    ]);
  });

  it('does not split after abbreviations, initials or inside numbers', () => {
    expect(sentences('Dr. Smith met J. R. R. Tolkien in the U.S. Army. Pi is about 3.14 here.')).toEqual([
      'Dr. Smith met J. R. R. Tolkien in the U.S. Army.',
      'Pi is about 3.14 here.',
    ]);
  });

  it('does not split before a lower-case word and trims surrounding whitespace', () => {
    expect(sentences('  see fig. above. e.g. this one.  ')).toEqual(['see fig. above. e.g. this one.']);
  });

  it('keeps closing quotes and brackets with their sentence', () => {
    expect(sentences('He said "stop." Then (quietly.) Another.')).toEqual(['He said "stop."', 'Then (quietly.)', 'Another.']);
  });
});
