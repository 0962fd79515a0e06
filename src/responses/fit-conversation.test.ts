import { describe, expect, it } from 'vitest';
import type { ConversationItem } from '../wire/responses/responses-to-chat.js';
import { fitConversation } from './fit-conversation.js';

const user = (words: number): ConversationItem => ({ type: 'message', role: 'user', content: 'word '.repeat(words) });

describe('fitConversation', () => {
  it('keeps everything that fits, and with truncation off refuses what does not', () => {
    const items = [user(50), user(50)];
    expect(fitConversation(items, { context: 1_000, fixedTokens: 0 }, false)).toEqual([0, 1]);
    expect(fitConversation(items, { context: 80, fixedTokens: 0 }, false)).toBeUndefined();
  });

  it('drops the oldest items first, and the output of a dropped call with it', () => {
    const items: ConversationItem[] = [
      user(50),
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      user(50),
    ];
    expect(fitConversation(items, { context: 70, fixedTokens: 0 }, true)).toEqual([3]);
    expect(fitConversation(items, { context: 10, fixedTokens: 0 }, true)).toBeUndefined();
  });
});
