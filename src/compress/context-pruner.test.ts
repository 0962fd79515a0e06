import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../wire/chat-types.js';
import { countPromptTokens } from '../tokens/count-tokens.js';
import { createContextPruner } from './context-pruner.js';
import { createMemorySummaryCache, type CompleteFn } from './summary-cache.js';

/** A recording double for the injected cheap model: every call is kept, each costs 1,500 nano-dollars. */
function fakeModel(summary = 'The user is planning a trip to Lisbon in May with a budget of 900 EUR.') {
  const calls: Array<{ messages: ChatMessage[]; model: string }> = [];
  const complete: CompleteFn = async (messages, model) => {
    calls.push({ messages, model });
    return { text: summary, costNanos: 1_500 };
  };
  return { complete, calls };
}

const SYSTEM: ChatMessage = { role: 'system', content: 'You are a travel assistant.' };
const filler = (turn: number) => `Turn ${turn}: ${'Here are many details about hotels, trams, pastries and viewpoints. '.repeat(12)}`;

function conversation(turns: number): ChatMessage[] {
  const messages: ChatMessage[] = [SYSTEM];
  for (let turn = 0; turn < turns; turn += 1) {
    messages.push({ role: 'user', content: `Question ${turn} about the trip?` }, { role: 'assistant', content: filler(turn) });
  }
  return messages;
}

describe('createContextPruner', () => {
  it('passes a conversation under the limit through without calling the model', async () => {
    const model = fakeModel();
    const prune = createContextPruner({ complete: model.complete, model: 'cheap-1', maxPromptTokens: 100_000 });
    const result = await prune(conversation(3));
    expect(result).toMatchObject({ pruned: false, skipped: 'within-limit', costNanos: 0 });
    expect(model.calls).toHaveLength(0);
  });

  it('keeps the system prompt first, summarises older turns and keeps the last exchanges verbatim', async () => {
    const model = fakeModel();
    const prune = createContextPruner({ complete: model.complete, model: 'cheap-1', maxPromptTokens: 500, keepLastExchanges: 2 });
    const messages = conversation(6);
    const result = await prune(messages);
    expect(result.pruned).toBe(true);
    expect(result.messages[0]).toEqual(SYSTEM);
    expect(result.messages[1].role).toBe('system');
    expect(String(result.messages[1].content)).toContain('Lisbon in May');
    expect(result.messages.slice(2)).toEqual(messages.slice(-4));
    expect(result.summarisedMessages).toBe(8);
    expect(result.tokensAfter).toBe(countPromptTokens(result.messages));
    expect(result.tokensAfter).toBeLessThan(result.tokensBefore);
    expect(result.costNanos).toBe(1_500);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0].model).toBe('cheap-1');
    const transcript = String(model.calls[0].messages[1].content);
    expect(transcript).toContain('Question 0 about the trip?');
    expect(transcript).not.toContain('Question 4 about the trip?');
  });

  it('reuses the cached summary on the next turn instead of paying again', async () => {
    const model = fakeModel();
    const prune = createContextPruner({ complete: model.complete, model: 'cheap-1', maxPromptTokens: 1_000, keepLastExchanges: 2 });
    const first = conversation(6);
    expect(await prune(first)).toMatchObject({ pruned: true, cacheHit: false, costNanos: 1_500 });
    // The client sends the whole history again plus one more exchange.
    const next = [...first, { role: 'user', content: 'And the weather?' }, { role: 'assistant', content: 'Mild.' }] satisfies ChatMessage[];
    const result = await prune(next);
    expect(result).toMatchObject({ pruned: true, cacheHit: true, costNanos: 0 });
    expect(model.calls).toHaveLength(1);
    expect(result.messages.slice(2)).toEqual(next.slice(-6));
  });

  it('extends an old summary with only the newly covered turns when the conversation outgrows it', async () => {
    const model = fakeModel();
    const cache = createMemorySummaryCache();
    const prune = createContextPruner({ complete: model.complete, model: 'cheap-1', cache, maxPromptTokens: 500, keepLastExchanges: 2 });
    await prune(conversation(6));
    const result = await prune(conversation(9));
    expect(result).toMatchObject({ pruned: true, cacheHit: false, costNanos: 1_500 });
    expect(model.calls).toHaveLength(2);
    const input = String(model.calls[1].messages[1].content);
    expect(input).toContain('Earlier summary:\nThe user is planning a trip to Lisbon');
    expect(input).not.toContain('Question 3 about the trip?');
    expect(input).toContain('Question 4 about the trip?');
    expect(input).not.toContain('Question 7 about the trip?');
  });

  it('never separates an assistant tool call from its tool results', async () => {
    const model = fakeModel();
    const prune = createContextPruner({ complete: model.complete, model: 'cheap-1', maxPromptTokens: 300, keepLastExchanges: 1 });
    const call: ChatMessage = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'search_hotels', arguments: '{"city":"Lisbon"}' } }],
    };
    const messages: ChatMessage[] = [
      SYSTEM,
      { role: 'user', content: filler(0) },
      { role: 'assistant', content: filler(1) },
      { role: 'user', content: 'Find me a hotel.' },
      call,
      // A user message between a call and its result is invalid input; it must not cut the pair apart.
      { role: 'user', content: 'Quickly please.' },
      { role: 'tool', tool_call_id: 'call_7', content: '[{"name":"Casa Azul","price":120}]' },
      { role: 'assistant', content: 'Casa Azul costs 120 EUR a night.' },
    ];
    const result = await prune(messages);
    expect(result.pruned).toBe(true);
    expect(result.messages.slice(2)).toEqual(messages.slice(3));
    const callIndex = result.messages.indexOf(call);
    expect(result.messages.slice(callIndex).some((message) => message.role === 'tool' && message.tool_call_id === 'call_7')).toBe(true);
  });

  it('does not prune when fewer exchanges exist than it must keep', async () => {
    const model = fakeModel();
    const prune = createContextPruner({ complete: model.complete, model: 'cheap-1', maxPromptTokens: 10, keepLastExchanges: 3 });
    const result = await prune(conversation(3));
    expect(result).toMatchObject({ pruned: false, skipped: 'too-few-exchanges' });
    expect(model.calls).toHaveLength(0);
  });

  it('pays but keeps the original when the summary is no shorter than what it replaces', async () => {
    const model = fakeModel('x '.repeat(5_000));
    const prune = createContextPruner({ complete: model.complete, model: 'cheap-1', maxPromptTokens: 300, keepLastExchanges: 1 });
    const messages = conversation(3);
    const result = await prune(messages);
    expect(result).toMatchObject({ pruned: false, costNanos: 1_500 });
    expect(result.messages).toEqual(messages);
  });
});
