import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../wire/chat-types.js';
import { contentText, countPromptTokens } from '../tokens/count-tokens.js';
import { createAbstractiveCompressor } from './abstractive-compressor.js';
import type { CompleteFn } from './summary-cache.js';

const SUMMARY = 'Lighthouse: first lit 1871, automated 1989. Bridge: opened 1932.';

function fakeModel(reply = SUMMARY) {
  const calls: ChatMessage[][] = [];
  let release: (() => void) | undefined;
  const complete: CompleteFn = async (messages) => {
    calls.push(messages);
    if (release === undefined) return { text: reply, costNanos: 2_000 };
    await new Promise<void>((resolve) => {
      const previous = release!;
      release = () => {
        previous();
        resolve();
      };
    });
    return { text: reply, costNanos: 2_000 };
  };
  return { complete, calls, hold: () => (release = () => undefined), releaseAll: () => release?.() };
}

const DOCUMENTS = Array.from({ length: 20 }, (_, index) =>
  `Paragraph ${index}: the northern lighthouse was first lit in 1871 and automated in 1989, while the harbour bridge opened in 1932.`).join('\n\n');
const CODE = '```\nlamp.on()\n```';

function request(question: string): ChatMessage[] {
  return [{ role: 'user', content: `Use the notes below.\n\n${DOCUMENTS}\n\n${CODE}\n\nQuestion: ${question}` }];
}

describe('createAbstractiveCompressor', () => {
  it('replaces long context by a summary, keeping instruction, code and question verbatim', async () => {
    const model = fakeModel();
    const compress = createAbstractiveCompressor({ complete: model.complete, model: 'cheap-1', minContextTokens: 50 });
    const result = await compress(request('when was the light automated?'));
    expect(contentText(result.messages[0].content)).toBe(`Use the notes below.\n\n${SUMMARY}\n\n${CODE}\n\nQuestion: when was the light automated?`);
    expect(result).toMatchObject({ method: 'abstractive', costNanos: 2_000, calls: 1, cacheHits: 0 });
    expect(result.tokensAfter).toBe(countPromptTokens(result.messages));
    const sent = contentText(model.calls[0][1].content);
    expect(sent).toContain('Paragraph 19');
    expect(sent).not.toContain('lamp.on()');
    expect(sent).not.toContain('Question:');
  });

  it('reuses the summary for another question about the same documents without paying again', async () => {
    const model = fakeModel();
    const compress = createAbstractiveCompressor({ complete: model.complete, model: 'cheap-1', minContextTokens: 50 });
    await compress(request('when was the light automated?'));
    const second = await compress(request('when did the bridge open?'));
    expect(second).toMatchObject({ method: 'abstractive', costNanos: 0, calls: 0, cacheHits: 1 });
    expect(model.calls).toHaveLength(1);
  });

  it('makes concurrent requests over the same documents share one call', async () => {
    const model = fakeModel();
    model.hold();
    const compress = createAbstractiveCompressor({ complete: model.complete, model: 'cheap-1', minContextTokens: 50 });
    const first = compress(request('one?'));
    const second = compress(request('two?'));
    await new Promise((resolve) => setImmediate(resolve));
    model.releaseAll();
    const results = await Promise.all([first, second]);
    expect(model.calls).toHaveLength(1);
    expect(results.map((result) => result.costNanos).sort()).toEqual([0, 2_000]);
  });

  it('leaves short context alone and ignores a summary longer than its source', async () => {
    const model = fakeModel();
    const compress = createAbstractiveCompressor({ complete: model.complete, model: 'cheap-1', minContextTokens: 100_000 });
    expect(await compress(request('q?'))).toMatchObject({ method: 'none', skipped: 'no-context', costNanos: 0 });
    expect(model.calls).toHaveLength(0);

    const verbose = fakeModel(DOCUMENTS + DOCUMENTS);
    const wordy = createAbstractiveCompressor({ complete: verbose.complete, model: 'cheap-1', minContextTokens: 50 });
    const result = await wordy(request('q?'));
    expect(result).toMatchObject({ method: 'none', costNanos: 2_000 });
    expect(result.messages).toEqual(request('q?'));
  });
});
