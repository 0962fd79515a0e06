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

  it('calls a forced tool with arguments from its schema and returns JSON when asked for JSON', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim' });
    const tools = [{ type: 'function' as const, function: { name: 'lookup' } }];
    const withTool = await adapter.chat({ ...request, tools, tool_choice: 'required' }, { signal });
    expect(withTool.response.choices[0].message.tool_calls?.[0].function).toEqual({ name: 'lookup', arguments: '{}' });
    expect(withTool.response.choices[0].finish_reason).toBe('tool_calls');
    const json = await adapter.chat({ ...request, response_format: { type: 'json_object' } }, { signal });
    expect(JSON.parse(json.response.choices[0].message.content!)).toMatchObject({ simulated: true });
  });

  it('answers n distinct choices, choice 0 being the n = 1 answer', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim' });
    const single = await adapter.chat(request, { signal });
    const three = await adapter.chat({ ...request, n: 3 }, { signal });
    const texts = three.response.choices.map((choice) => choice.message.content);
    expect(three.response.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(texts[0]).toBe(single.response.choices[0].message.content);
    expect(new Set(texts).size).toBe(3);
    const counted = texts.reduce((sum, text) => sum + countTextTokens(text!), 0);
    expect(three.usage?.completionTokens).toBe(counted);
  });

  it('returns logprobs with top_logprobs for every piece, whole and streamed', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim', outputTokens: 6 });
    const asked = { ...request, logprobs: true, top_logprobs: 3 };
    const whole = await adapter.chat(asked, { signal });
    const { content } = whole.response.choices[0].logprobs as { content: Array<{ token: string; logprob: number; top_logprobs: Array<{ token: string; logprob: number }> }> };
    expect(content.map((entry) => entry.token).join('')).toBe(whole.response.choices[0].message.content);
    for (const entry of content) {
      expect(entry.logprob).toBeLessThan(0);
      expect(entry.top_logprobs).toHaveLength(3);
      expect(entry.top_logprobs[0]).toMatchObject({ token: entry.token, logprob: entry.logprob });
      expect(entry.top_logprobs[1].logprob).toBeLessThan(entry.top_logprobs[0].logprob);
    }
    const stream = await adapter.streamChat(asked, { signal });
    const streamed: unknown[] = [];
    for await (const chunk of stream.chunks) for (const choice of chunk.choices) streamed.push(...((choice.logprobs as { content?: unknown[] } | null)?.content ?? []));
    expect(streamed).toEqual(content);
    const plain = await adapter.chat(request, { signal });
    expect(plain.response.choices[0].logprobs).toBeNull();
  });

  it('ends the text before the first stop sequence', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim' });
    const whole = (await adapter.chat(request, { signal })).response.choices[0].message.content!;
    const stopWord = ` ${whole.split(' ')[3]} `;
    const stopped = await adapter.chat({ ...request, stop: ['NEVER', stopWord] }, { signal });
    expect(stopped.response.choices[0].message.content).toBe(whole.slice(0, whole.indexOf(stopWord)));
    expect(stopped.response.choices[0].finish_reason).toBe('stop');
  });

  it('cuts a JSON answer at max_tokens and says so with finish_reason length', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim' });
    const schema = { type: 'object', properties: { items: { type: 'array', minItems: 5, items: { type: 'string', minLength: 10 } } }, required: ['items'] };
    const result = await adapter.chat({ ...request, max_tokens: 4, response_format: { type: 'json_schema', json_schema: { name: 'list', schema } } }, { signal });
    expect(result.response.choices[0].finish_reason).toBe('length');
    expect(() => JSON.parse(result.response.choices[0].message.content!)).toThrow();
  });

  it('refuses embeddings larger than it sizes, and a schema that would demand a huge value', async () => {
    const adapter = createSimulatedAdapter({ name: 'sim' });
    await expect(adapter.embed({ model: 'e', input: 'x', dimensions: 100_000 }, { signal })).rejects.toMatchObject({ code: 'invalid_request', param: 'dimensions' });
    const huge = { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'string' } } };
    await expect(adapter.chat({ ...request, response_format: { type: 'json_schema', json_schema: { name: 'h', schema: huge } } }, { signal })).rejects.toMatchObject({ code: 'invalid_request', param: 'response_format' });
  });
});
