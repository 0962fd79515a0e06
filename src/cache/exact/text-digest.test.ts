import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../wire/chat-types.js';
import { exactCacheKey, exactCacheKeyInChunks } from './cache-key.js';
import { CHUNK_CHARS, normalisedTextDigest, normalisedTextDigestInChunks } from './text-digest.js';

// Everything normalisation touches, repeated past several chunk boundaries: CRLF, trailing and inner space runs,
// blank-line runs, tabs, indentation, decomposed accents (NFC), a final sigma under case folding.
const TRICKY = 'Line one  with   runs \r\n\r\n\r\n\tTabbed\t\tfield   \n    indented code\nCafe\u0301 ΟΔΟΣ x²\n\n\n\nend ';

const texts: Record<string, string> = {
  'tricky, many chunks': `\n\n  ${TRICKY.repeat(Math.ceil((3 * CHUNK_CHARS) / TRICKY.length))}   \n\n`,
  'one long line': `   ${'word  and '.repeat(CHUNK_CHARS / 3)}  `,
  'no place to cut': 'x'.repeat(CHUNK_CHARS + 10),
};

describe('normalisedTextDigestInChunks', () => {
  for (const [name, text] of Object.entries(texts)) {
    for (const caseFold of [false, true]) {
      it(`gives the whole text's digest, yielding between chunks (${name}${caseFold ? ', case folded' : ''})`, async () => {
        let pauses = 0;
        const chunked = await normalisedTextDigestInChunks(text, { caseFold }, async () => void (pauses += 1));
        expect(chunked).toBe(normalisedTextDigest(text, { caseFold }));
        if (name !== 'no place to cut') expect(pauses).toBeGreaterThan(2);
      });
    }
  }
});

describe('exactCacheKeyInChunks', () => {
  it('gives the same key as exactCacheKey for a huge prompt', async () => {
    const request: ChatRequest = {
      model: 'gpt-4o-mini',
      temperature: 0,
      messages: [
        { role: 'system', content: texts['tricky, many chunks'] },
        { role: 'user', content: [{ type: 'text', text: texts['one long line'] }, { type: 'text', text: 'and a short one' }] },
      ],
    };
    expect(await exactCacheKeyInChunks(request, { scope: 'key:a' })).toBe(exactCacheKey(request, { scope: 'key:a' }));
  });
});
