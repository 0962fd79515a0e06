import { describe, expect, it } from 'vitest';
import type { AnthropicMessagesRequest } from '../../wire/anthropic/anthropic-types.js';
import { insertCacheBreakpoints } from './insert-cache-breakpoints.js';

const base = (extra: Partial<AnthropicMessagesRequest>): AnthropicMessagesRequest => ({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'q' }], ...extra });
const tool = (name: string, size: number) => ({ name, description: 'd'.repeat(size), input_schema: { type: 'object' } });

describe('Anthropic cache breakpoints', () => {
  it('marks a long system prompt, which also covers the tools before it', () => {
    const body = base({ system: 'S'.repeat(5000), tools: [tool('a', 10)] });
    expect(insertCacheBreakpoints(body, 1024)).toEqual(['system']);
    expect(body.system).toEqual([{ type: 'text', text: 'S'.repeat(5000), cache_control: { type: 'ephemeral' } }]);
    expect(body.tools?.[0].cache_control).toBeUndefined();
  });

  it('marks the last tool when only the tools are long', () => {
    const body = base({ tools: [tool('a', 3000), tool('b', 2000)] });
    expect(insertCacheBreakpoints(body, 1024)).toEqual(['tools']);
    expect(body.tools?.[1].cache_control).toEqual({ type: 'ephemeral' });
    expect(body.tools?.[0].cache_control).toBeUndefined();
  });

  it('leaves short prefixes alone: Anthropic would not cache them anyway', () => {
    const body = base({ system: 'short', tools: [tool('a', 100)] });
    expect(insertCacheBreakpoints(body, 1024)).toEqual([]);
    expect(body.system).toBe('short');
  });
});
