import { describe, expect, it } from 'vitest';
import { normaliseWhitespace } from './normalise-whitespace.js';

describe('normaliseWhitespace', () => {
  it('collapses runs of spaces and blank lines in prose and trims the ends', () => {
    expect(normaliseWhitespace('\n\nHello   world.  \t Bye.   \n\n\n\n\nNext  paragraph.\n\n')).toBe('Hello world. Bye.\n\nNext paragraph.');
  });

  it('leaves fenced code, tables and code-like indented lines byte-exact', () => {
    const code = '```py\ndef f():\n    return  1\n\n\n\nx  =  2\n```\n';
    const table = '| name   | cost |\n|--------|-----:|\n| a      |    1 |\n';
    const text = `Intro  text.\n\n${code}${table}    indented  code line\nAfter.`;
    expect(normaliseWhitespace(text)).toBe(`Intro text.\n\n${code}${table}    indented  code line\nAfter.`);
  });

  it('keeps list indentation', () => {
    expect(normaliseWhitespace('- item\n  - nested   item\n')).toBe('- item\n  - nested item');
  });
});
