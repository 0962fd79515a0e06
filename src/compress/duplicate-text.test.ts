import { describe, expect, it } from 'vitest';
import { chunkFingerprint, repeatsChunk, sentenceKey } from './duplicate-text.js';

const CHUNK =
  'The northern lighthouse was built from local granite and first lit in the winter of 1871. Its lamp was ' +
  'automated in 1989, and the last keeper moved to the village, where he ran the post office for many years.';

describe('sentenceKey', () => {
  it('ignores case, spacing, punctuation and list markers', () => {
    expect(sentenceKey('- Always answer in  JSON!')).toBe(sentenceKey('always answer in json.'));
    expect(sentenceKey('Answer in JSON.')).not.toBe(sentenceKey('Answer in YAML.'));
  });
});

describe('repeatsChunk', () => {
  it('matches the same chunk under another document number', () => {
    expect(repeatsChunk(chunkFingerprint(`Document [7](Title: Lighthouse) ${CHUNK}`), chunkFingerprint(`Document [2](Title: Lighthouse) ${CHUNK}`), 0.9)).toBe(true);
  });

  it('matches a near copy that adds nothing new', () => {
    const near = CHUNK.replace('for many years', 'for years');
    expect(repeatsChunk(chunkFingerprint(near), chunkFingerprint(CHUNK), 0.8)).toBe(true);
  });

  it('never matches a near copy that changes a number or a name', () => {
    expect(repeatsChunk(chunkFingerprint(CHUNK.replace('1989', '1991')), chunkFingerprint(CHUNK), 0.8)).toBe(false);
    expect(repeatsChunk(chunkFingerprint(CHUNK.replace('the village', 'Portree')), chunkFingerprint(CHUNK), 0.8)).toBe(false);
  });

  it('does not match different text', () => {
    const other = 'The southern lighthouse was never automated and still has a keeper who paints it every spring.';
    expect(repeatsChunk(chunkFingerprint(other), chunkFingerprint(CHUNK), 0.9)).toBe(false);
  });
});
