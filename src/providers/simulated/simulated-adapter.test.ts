import { describe, expect, it } from 'vitest';
import { countTextTokens } from '../../tokens/count-tokens.js';
import type { ChatChunk } from '../../wire/chat-types.js';
import { createSimulatedAdapter, SIMULATED_FINGERPRINT } from './simulated-adapter.js';

const signal = new AbortController().signal;
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'Tell me something' }] };

describe('simulated provider', () => {
  it('answers deterministically, marked as simulated, with usage from the real tokenizer', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim', outputTokens: 10 });
    const first = await adapter.chat(request, { signal });
    const second = await adapter.chat(request, { signal });
    const text = first.response.choices[0].message.content!;
    expect(text).toBe(second.response.choices[0].message.content);
    expect(text.startsWith('[simulated]')).toBe(true);
    expect(first.response.system_fingerprint).toBe(SIMULATED_FINGERPRINT);
    expect(first.usage?.completionTokens).toBe(countTextTokens(text));
    expect(first.usage?.promptTokens).toBeGreaterThan(0);
  });

  it('respects max_tokens and reports finish_reason length when it cut the answer', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim', outputTokens: 40 });
    const result = await adapter.chat({ ...request, max_tokens: 5 }, { signal });
    expect(result.response.choices[0].finish_reason).toBe('length');
    expect(result.response.choices[0].message.content!.split(' ')).toHaveLength(5);
  });

  it('streams the same text it would answer, then a usage chunk', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim', outputTokens: 8 });
    const plain = await adapter.chat(request, { signal });
    const stream = await adapter.streamChat(request, { signal });
    const chunks: ChatChunk[] = [];
    for await (const chunk of stream.chunks) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(plain.response.choices[0].message.content);
    expect(chunks[chunks.length - 1].usage?.completion_tokens).toBe(plain.usage?.completionTokens);
    expect(stream.usage()).toEqual(plain.usage);
  });

  it('waits for the configured time to first token and can be cancelled', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim', ttftMs: 5_000 });
    const controller = new AbortController();
    const pending = adapter.chat(request, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'upstream_timeout' });
  });

  it('calls a forced tool and returns JSON when asked for JSON', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim' });
    const tools = [{ type: 'function' as const, function: { name: 'lookup' } }];
    const withTool = await adapter.chat({ ...request, tools, tool_choice: 'required' }, { signal });
    expect(withTool.response.choices[0].message.tool_calls?.[0].function.name).toBe('lookup');
    expect(withTool.response.choices[0].finish_reason).toBe('tool_calls');
    const json = await adapter.chat({ ...request, response_format: { type: 'json_object' } }, { signal });
    expect(JSON.parse(json.response.choices[0].message.content!)).toMatchObject({ simulated: true });
  });
});
