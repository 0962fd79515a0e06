import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../wire/chat-types.js';
import { locateContext, questionOffset } from './locate-context.js';

const INSTRUCTION = 'Answer the question using only the documents below.';
const DOCUMENTS = [
  'Document [1](Title: Harbour Bridge) The harbour bridge opened in 1932 after eight years of work. It carries rail and road traffic.',
  'Document [2](Title: Lighthouse) The lighthouse on the northern cape was automated in 1989. Its keeper moved to the village.',
].join('\n');
const QUESTION = 'Question: when was the lighthouse automated\nAnswer:';
const options = { minContextTokens: 10 };

describe('locateContext', () => {
  it('splits the last user message into instruction, documents and question', () => {
    const content = `${INSTRUCTION}\n\n${DOCUMENTS}\n\n${QUESTION}`;
    const located = locateContext([{ role: 'user', content }], options);
    if ('failure' in located) throw new Error(located.failure);
    expect(located.question).toBe(QUESTION);
    expect(located.regions).toHaveLength(1);
    const [region] = located.regions;
    expect(region.head).toBe(`${INSTRUCTION}\n\n`);
    expect(region.context).toBe(`${DOCUMENTS}\n\n`);
    expect(region.tail).toBe(QUESTION);
    expect(region.head + region.context + region.tail).toBe(content);
  });

  it('finds a marked question even without a blank line before it', () => {
    const content = `${DOCUMENTS}\nQuestion: when was the bridge opened?`;
    const located = locateContext([{ role: 'user', content }], options);
    if ('failure' in located) throw new Error(located.failure);
    expect(located.question).toBe('Question: when was the bridge opened?');
    expect(located.regions[0].context).toBe(`${DOCUMENTS}\n`);
  });

  it('keeps a trailing label or code block attached to the question paragraph before it', () => {
    const content = `${DOCUMENTS}\n\nWhich of these opened first, and when exactly?\n\nAnswer:`;
    expect(content.slice(questionOffset(content))).toBe('Which of these opened first, and when exactly?\n\nAnswer:');
  });

  it('finds documents in the system message and leaves assistant and tool messages alone', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: `${INSTRUCTION}\n\n${DOCUMENTS}` },
      { role: 'assistant', content: DOCUMENTS },
      { role: 'tool', content: DOCUMENTS, tool_call_id: 'call_1' },
      { role: 'user', content: 'When was the lighthouse automated?' },
    ];
    const located = locateContext(messages, options);
    if ('failure' in located) throw new Error(located.failure);
    expect(located.question).toBe('When was the lighthouse automated?');
    expect(located.regions.map((region) => region.messageIndex)).toEqual([0]);
    expect(located.regions[0].head).toBe(`${INSTRUCTION}\n\n`);
  });

  it('leaves a long system prompt of rules alone: without a document label it is instructions, not context', () => {
    const rules = Array.from({ length: 30 }, (_, index) => `Rule ${index}: always follow policy number ${index} when answering.`).join('\n');
    const located = locateContext([{ role: 'system', content: rules }, { role: 'user', content: `${DOCUMENTS}\n\n${QUESTION}` }], options);
    if ('failure' in located) throw new Error(located.failure);
    expect(located.regions.map((region) => region.messageIndex)).toEqual([1]);
  });

  it('starts a system prompt\'s context after a label line that names it', () => {
    const content = `You are a support bot. Be brief.\nUse the following context to answer:\n${DOCUMENTS}`;
    const located = locateContext([{ role: 'system', content }, { role: 'user', content: 'When was the lighthouse automated?' }], options);
    if ('failure' in located) throw new Error(located.failure);
    expect(located.regions[0].head).toBe('You are a support bot. Be brief.\nUse the following context to answer:');
    expect(located.regions[0].context).toBe(`\n${DOCUMENTS}`);
  });

  it('reads multi-part content, taking the question from the last text part', () => {
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: DOCUMENTS },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          { type: 'text', text: 'When was the lighthouse automated?' },
        ],
      },
    ];
    const located = locateContext(messages, options);
    if ('failure' in located) throw new Error(located.failure);
    expect(located.regions.map((region) => [region.messageIndex, region.partIndex])).toEqual([[0, 0]]);
  });

  it('refuses a long unmarked last paragraph without a question mark: there is no question to rank by', () => {
    const article = Array.from({ length: 40 }, (_, index) => `Sentence number ${index} of the pasted article goes on.`).join(' ');
    expect(locateContext([{ role: 'user', content: `Summarise this article.\n\n${article}` }], options)).toEqual({ failure: 'no-question' });
  });

  it('reports no context when the candidate text is below the minimum size, and no user message', () => {
    expect(locateContext([{ role: 'user', content: `Short doc here.\n\n${QUESTION}` }], { minContextTokens: 100 })).toEqual({ failure: 'no-context' });
    expect(locateContext([{ role: 'system', content: DOCUMENTS }], options)).toEqual({ failure: 'no-user-message' });
  });
});
