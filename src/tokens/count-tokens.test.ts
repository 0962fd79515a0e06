import { describe, expect, it } from 'vitest';
import { countPromptTokens, countTextTokens } from './count-tokens.js';

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
});
