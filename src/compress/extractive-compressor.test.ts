import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../wire/chat-types.js';
import { contentText, countPromptTokens } from '../tokens/count-tokens.js';
import { compressExtractive, compressExtractiveSync } from './extractive-compressor.js';

const TOPICS = ['orchard', 'glacier', 'railway', 'violin', 'harbour', 'volcano', 'library', 'comet', 'desert', 'bakery'];

/** Ten small invented documents; the lighthouse one holds the answer. */
function documents(): string[] {
  const filler = TOPICS.map((topic, index) =>
    `Document [${index + 1}](Title: The ${topic}) The ${topic} was described by travellers in many letters. ` +
      `Local people say the ${topic} changed with every season. Records about the ${topic} fill several archive boxes. ` +
      `Visitors to the ${topic} often arrive in the late afternoon.`,
  );
  filler.splice(4, 0, 'Document [11](Title: The lighthouse) The lighthouse keeper kept a careful log. ' +
    'The lighthouse lamp was automated in 1989 by the coastal authority. After that, the keeper moved inland.');
  return filler;
}

const INSTRUCTION = 'Answer the question using only the documents below.';
const QUESTION = 'Question: in which year was the lighthouse lamp automated?\nAnswer:';

function ragPrompt(extra = ''): ChatMessage[] {
  return [
    { role: 'system', content: 'You are a careful assistant.' },
    { role: 'user', content: `${INSTRUCTION}\n\n${documents().join('\n')}${extra}\n\n${QUESTION}` },
  ];
}

describe('compressExtractiveSync', () => {
  it('halves a retrieval prompt and keeps the answer, the instruction and the question verbatim', () => {
    const messages = ragPrompt();
    const result = compressExtractiveSync(messages, { minPromptTokens: 0, targetRatio: 2 });
    const text = contentText(result.messages[1].content);
    expect(result.method).toBe('extractive');
    expect(text.startsWith(`${INSTRUCTION}\n\n`)).toBe(true);
    expect(text.endsWith(`\n\n${QUESTION}`)).toBe(true);
    expect(text).toContain('Document [11](Title: The lighthouse)');
    expect(text).toContain('The lighthouse lamp was automated in 1989 by the coastal authority.');
    expect(result.tokensBefore / result.tokensAfter).toBeGreaterThanOrEqual(2);
    expect(result.messages[0]).toEqual(messages[0]);
  });

  it('reports token counts within 2% of a whole-prompt count', () => {
    const messages = ragPrompt();
    const result = compressExtractiveSync(messages, { minPromptTokens: 0, targetRatio: 2 });
    const realBefore = countPromptTokens(messages);
    const realAfter = countPromptTokens(result.messages);
    expect(Math.abs(result.tokensBefore - realBefore) / realBefore).toBeLessThan(0.02);
    expect(Math.abs(result.tokensAfter - realAfter) / realAfter).toBeLessThan(0.02);
  });

  it('keeps sentences in their original order', () => {
    const result = compressExtractiveSync(ragPrompt(), { minPromptTokens: 0, targetRatio: 1.5 });
    const text = contentText(result.messages[1].content);
    const original = contentText(ragPrompt()[1].content);
    const kept = text.split(/(?<=\.) /).filter((piece) => original.includes(piece));
    const positions = kept.map((piece) => original.indexOf(piece));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('never drops a code block, however tight the budget', () => {
    const code = '\n\n```sql\nSELECT  year\nFROM    lamps;\n```';
    const result = compressExtractiveSync(ragPrompt(code), { minPromptTokens: 0, targetRatio: 8 });
    expect(contentText(result.messages[1].content)).toContain(code.trim());
  });

  it('keeps the JSON line whose key the question quotes, even at a 10× target', () => {
    const pairs = Array.from({ length: 60 }, (_, index) => `"k${index}-${(index * 7919).toString(16)}": "v${index}-${(index * 104729).toString(16)}"`);
    const content = `Extract the value for the key.\n\nJSON data:\n{${pairs.join(',\n ')}}\n\nKey: "k37-${(37 * 7919).toString(16)}"\nCorresponding value:`;
    const result = compressExtractiveSync([{ role: 'user', content }], { minPromptTokens: 0, targetRatio: 10 });
    expect(result.tokensBefore / result.tokensAfter).toBeGreaterThan(5);
    expect(contentText(result.messages[0].content)).toContain(pairs[37]);
  });

  it('respects a token budget', () => {
    const result = compressExtractiveSync(ragPrompt(), { minPromptTokens: 0, tokenBudget: 150 });
    expect(result.tokensAfter).toBeLessThanOrEqual(150);
    expect(countPromptTokens(result.messages)).toBeLessThanOrEqual(155);
  });

  it('passes small prompts, prompts within budget and prompts without a question through unchanged', () => {
    const messages = ragPrompt();
    const small = compressExtractiveSync(messages, { minPromptTokens: 100_000, targetRatio: 2 });
    expect(small).toMatchObject({ method: 'none', skipped: 'below-min-tokens', messages });
    expect(small.tokensAfter).toBe(small.tokensBefore);
    expect(compressExtractiveSync(messages, { minPromptTokens: 0, tokenBudget: 100_000 })).toMatchObject({ method: 'none', skipped: 'within-budget' });
    const noQuestion = [{ role: 'assistant', content: documents().join('\n') }] satisfies ChatMessage[];
    expect(compressExtractiveSync(noQuestion, { minPromptTokens: 0 })).toMatchObject({ method: 'none', skipped: 'no-user-message' });
  });

  it('reports nothing-to-drop when the context is all code', () => {
    const code = '```\n' + Array.from({ length: 40 }, (_, index) => `print("line ${index}")`).join('\n') + '\n```';
    const messages: ChatMessage[] = [{ role: 'user', content: `Look at this.\n\n${code}\n\nQuestion: what does line 7 print?` }];
    expect(compressExtractiveSync(messages, { minPromptTokens: 0, targetRatio: 2 })).toMatchObject({ method: 'none', skipped: 'nothing-to-drop', messages });
  });

  it('does not mutate its input', () => {
    const messages = ragPrompt();
    const copy = structuredClone(messages);
    compressExtractiveSync(messages, { minPromptTokens: 0, targetRatio: 3 });
    expect(messages).toEqual(copy);
  });
});

describe('compressExtractive with an embedder', () => {
  it('blends in embedding similarity: a sentence with no shared word can win through meaning', async () => {
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: `${Array.from({ length: 12 }, (_, index) => `Filler sentence number ${index} talks about nothing in particular.`).join(' ')} ` +
          'The beacon went unmanned in 1989.\n\nQuestion: when was the lighthouse automated?',
      },
    ];
    // An injected embedder double: "beacon" means "lighthouse" in this vector space.
    const embed = async (texts: string[]) => texts.map((text) => (/beacon|lighthouse/i.test(text) ? [1, 0] : [0, 1]));
    const lexicalOnly = compressExtractiveSync(messages, { minPromptTokens: 0, targetRatio: 4, minContextTokens: 10 });
    expect(contentText(lexicalOnly.messages[0].content)).not.toContain('beacon');
    const blended = await compressExtractive(messages, { minPromptTokens: 0, targetRatio: 4, minContextTokens: 10, embed });
    expect(contentText(blended.messages[0].content)).toContain('The beacon went unmanned in 1989.');
  });
});
