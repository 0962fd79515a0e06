import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { countPromptTokens, countTextTokens } from './count-tokens.js';

const exactCount = (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: (text: string, options: object) => number }).countTokens;
const PROSE = 'The quick brown fox, aged 42, jumps over the lazy dog.\n  Indented line with  two spaces; then "quotes" and (brackets).\n\n';

describe('token counting', () => {
  it('counts text with the o200k tokenizer', () => {
    expect(countTextTokens('')).toBe(0);
    expect(countTextTokens('hello world')).toBe(2);
  });

  it('counts special-token text in user input as plain text instead of failing', () => {
    expect(countTextTokens('a <|endoftext|> b')).toBeGreaterThan(3);
  });

  it('adds per-message overhead and counts multi-part text', () => {
    const plain = countPromptTokens([{ role: 'user', content: 'hello world' }]);
    expect(plain).toBe(2 + 3 + 3);
    const parts = countPromptTokens([{ role: 'user', content: [{ type: 'text', text: 'hello' }, { type: 'text', text: ' world' }] }]);
    expect(parts).toBe(plain);
  });

  it('counts any text in bounded time: BPE is quadratic in the length of one word', () => {
    // 200 000 letters in one "word" took about 36 s to count whole; CJK text has no spaces at all.
    expect(countTextTokens('a'.repeat(200_000))).toBeGreaterThan(20_000);
    const cjk = Array.from({ length: 64 * 1024 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20_000))).join('');
    expect(countTextTokens(cjk)).toBeGreaterThan(64 * 1024);
    // Counted in pieces, prose still counts exactly; above the sampling size, within a few percent.
    const plain = { disallowedSpecial: new Set() };
    expect(countTextTokens(PROSE.repeat(200))).toBe(exactCount(PROSE.repeat(200), plain));
    const huge = PROSE.repeat(20_000);
    expect(Math.abs(countTextTokens(huge) - exactCount(huge, plain)) / exactCount(huge, plain)).toBeLessThan(0.03);
  });
});
