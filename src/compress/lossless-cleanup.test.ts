import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../wire/chat-types.js';
import { contentText } from '../tokens/count-tokens.js';
import { cleanupPrompt } from './lossless-cleanup.js';

const RULE = 'Always answer in British English and cite the document number.';
const DOC_A = 'Document [1](Title: Lighthouse) The northern lighthouse was first lit in the winter of 1871 and automated in 1989 by the authority.';
const DOC_B = 'Document [2](Title: Bridge) The harbour bridge opened in 1932 after eight years of work by two thousand people.';
const text = (message: ChatMessage) => contentText(message.content);

describe('cleanupPrompt', () => {
  it('removes a sentence already said earlier in the prompt and lists the change', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: `You are helpful. ${RULE}` },
      { role: 'user', content: `${RULE} Here is some context about bridges and lights.\n\nWhen was the light automated?` },
    ];
    const { messages: cleaned, changes } = cleanupPrompt(messages);
    expect(text(cleaned[0])).toBe(`You are helpful. ${RULE}`);
    expect(text(cleaned[1])).toBe('Here is some context about bridges and lights.\n\nWhen was the light automated?');
    expect(changes).toEqual([{ kind: 'repeated-sentence', messageIndex: 1, partIndex: null, removedChars: RULE.length, excerpt: RULE }]);
  });

  it('removes a retrieved document repeated under another number, one document per line', () => {
    const again = DOC_A.replace('[1]', '[3]');
    const messages: ChatMessage[] = [{ role: 'user', content: `Use the documents.\n\n${DOC_A}\n${DOC_B}\n${again}\n\nQuestion: when was the lighthouse automated?` }];
    const { messages: cleaned, changes } = cleanupPrompt(messages);
    expect(text(cleaned[0])).toBe(`Use the documents.\n\n${DOC_A}\n${DOC_B}\n\nQuestion: when was the lighthouse automated?`);
    expect(changes.map((change) => change.kind)).toEqual(['duplicate-chunk']);
  });

  it('removes a repeated paragraph, but not one whose figures differ', () => {
    const paragraph = DOC_A.slice(DOC_A.indexOf(')') + 2);
    const changed = paragraph.replace('1989', '1990');
    const messages: ChatMessage[] = [{ role: 'system', content: `${paragraph}\n\n${paragraph}\n\n${changed}` }, { role: 'user', content: 'When?' }];
    const { messages: cleaned } = cleanupPrompt(messages);
    expect(text(cleaned[0])).toBe(`${paragraph}\n\n${changed}`);
  });

  it('never touches the question, code blocks, assistant or tool messages, and never empties a message', () => {
    const code = '```\nconst  x = 1;\nconst  x = 1;\n```';
    const messages: ChatMessage[] = [
      { role: 'system', content: `${RULE}\n\n${code}` },
      { role: 'assistant', content: `${RULE}   with   spaces` },
      { role: 'tool', content: `${RULE}   with   spaces`, tool_call_id: 'call_1' },
      { role: 'user', content: RULE },
      { role: 'user', content: `Context first.\n\n${RULE}` },
    ];
    const { messages: cleaned, changes } = cleanupPrompt(messages);
    expect(text(cleaned[0])).toBe(`${RULE}\n\n${code}`);
    expect(cleaned[1]).toBe(messages[1]);
    expect(cleaned[2]).toBe(messages[2]);
    expect(text(cleaned[3])).toBe(RULE);
    expect(text(cleaned[4])).toBe(`Context first.\n\n${RULE}`);
    expect(changes).toEqual([]);
  });

  it('normalises whitespace in text parts and reports it', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Some   context.\n\n\n\nMore.' }, { type: 'text', text: 'What is it?' }] },
    ];
    const { messages: cleaned, changes } = cleanupPrompt(messages);
    expect(cleaned[0].content).toEqual([{ type: 'text', text: 'Some context.\n\nMore.' }, { type: 'text', text: 'What is it?' }]);
    expect(changes).toEqual([{ kind: 'whitespace', messageIndex: 0, partIndex: 0, removedChars: 4, excerpt: '' }]);
    expect(messages[0].content).toEqual([{ type: 'text', text: 'Some   context.\n\n\n\nMore.' }, { type: 'text', text: 'What is it?' }]);
  });
});
