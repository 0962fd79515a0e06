import { describe, expect, it } from 'vitest';
import { splitBlocks, splitParagraphs } from './text-blocks.js';

describe('splitBlocks', () => {
  it('separates prose, fenced code and tables, and joins back to the exact input', () => {
    const text = 'Intro line.\n\n```ts\nconst a  =  1;\n\n\nconst b = 2;\n```\nMiddle.\n| a | b |\n|---|---|\n| 1 | 2 |\nEnd.';
    const blocks = splitBlocks(text);
    expect(blocks.map((block) => block.kind)).toEqual(['prose', 'code', 'prose', 'table', 'prose']);
    expect(blocks[1].text).toBe('```ts\nconst a  =  1;\n\n\nconst b = 2;\n```\n');
    expect(blocks[3].text).toBe('| a | b |\n|---|---|\n| 1 | 2 |\n');
    expect(blocks.map((block) => block.text).join('')).toBe(text);
  });

  it('runs an unclosed fence to the end and closes a ~~~ fence only with ~~~', () => {
    expect(splitBlocks('a\n```\ncode\nmore').map((block) => block.kind)).toEqual(['prose', 'code']);
    const tilde = splitBlocks('~~~\n```\nstill code\n~~~\nafter');
    expect(tilde.map((block) => block.kind)).toEqual(['code', 'prose']);
    expect(tilde[1].text).toBe('after');
  });

  it('does not take a single piped line or pipes in prose for a table', () => {
    expect(splitBlocks('use a | b to pipe\nnext line').map((block) => block.kind)).toEqual(['prose']);
    expect(splitBlocks('x | y | z\nfoo | bar | baz').map((block) => block.kind)).toEqual(['prose']);
    expect(splitBlocks('x | y\n--- | ---\n1 | 2').map((block) => block.kind)).toEqual(['table']);
  });
});

describe('splitParagraphs', () => {
  it('splits at blank lines and keeps every character in text or separator', () => {
    const prose = '\n\nFirst para\nsame para.\n\n  \n  Indented second.\n\nThird.\n\n';
    const paragraphs = splitParagraphs(prose);
    expect(paragraphs.map((paragraph) => paragraph.text)).toEqual(['', 'First para\nsame para.', '  Indented second.', 'Third.']);
    expect(paragraphs.map((paragraph) => paragraph.text + paragraph.separator).join('')).toBe(prose);
  });

  it('returns whitespace-only prose as one separator', () => {
    expect(splitParagraphs('\n \n')).toEqual([{ text: '', separator: '\n \n' }]);
    expect(splitParagraphs('')).toEqual([]);
  });
});
