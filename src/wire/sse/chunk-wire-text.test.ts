import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkJson, keepWireText } from './chunk-wire-text.js';
import { parseSse, type SseEvent } from './parse-sse.js';
import { formatSseData } from './write-sse.js';

/** Chunks shaped like OpenAI's, with any text in them (quotes, newlines, emoji, lone surrogates' escapes). */
const chunkArbitrary = fc.record({
  id: fc.string(),
  object: fc.constant('chat.completion.chunk'),
  created: fc.integer({ min: 0 }),
  model: fc.string(),
  choices: fc.array(
    fc.record({
      index: fc.nat(4),
      delta: fc.record({ role: fc.constantFrom('assistant', undefined), content: fc.option(fc.string({ unit: 'grapheme' })) }, { requiredKeys: [] }),
      finish_reason: fc.constantFrom(null, 'stop', 'length', 'tool_calls'),
    }),
    { maxLength: 3 },
  ),
  usage: fc.option(fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), total_tokens: fc.nat() })),
  extra: fc.jsonValue(),
});

/** How an upstream may lay out the same JSON: compact, spaced, or across lines. */
const layoutArbitrary = fc.constantFrom<(value: unknown) => string>(
  (value) => JSON.stringify(value),
  (value) => JSON.stringify(value, null, 2),
  (value) => JSON.stringify(value).replace(/,"/g, ', "'),
);

async function events(text: string): Promise<SseEvent[]> {
  async function* body() {
    yield text;
  }
  const seen: SseEvent[] = [];
  for await (const event of parseSse(body())) seen.push(event);
  return seen;
}

/** The adapter's side (parse, remember) and the writer's (format), through the real SSE parser. */
async function throughGateway(wire: string): Promise<{ parsed: object; written: string }> {
  const [event] = await events(`data: ${wire.split('\n').join('\ndata: ')}\n\n`);
  const parsed = JSON.parse(event.data) as object;
  keepWireText(parsed, event.data);
  return { parsed, written: formatSseData(chunkJson(parsed)) };
}

describe('chunk wire text', () => {
  it("writes what re-serialising the parsed chunk would write, whatever the upstream's layout", async () => {
    await fc.assert(
      fc.asyncProperty(chunkArbitrary, layoutArbitrary, async (chunk, layout) => {
        const { parsed, written } = await throughGateway(layout(chunk));
        const slow = formatSseData(JSON.stringify(parsed));
        // The same events on the client's side: one event, the same JSON value.
        const [fast] = await events(written);
        const [reference] = await events(slow);
        expect(JSON.parse(fast.data)).toEqual(JSON.parse(reference.data));
        expect(written.endsWith('\n\n') && written.indexOf('\n') === written.length - 2).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("forwards a one-line chunk as the upstream's exact bytes", async () => {
    const wire = '{"id":"c1", "choices":[{"index":0,"delta":{"content":"caf\\u00e9"},"finish_reason":null}],"usage":null}';
    const { written } = await throughGateway(wire);
    expect(written).toBe(`data: ${wire}\n\n`);
  });

  it('re-serialises a chunk whose data spanned several lines', async () => {
    const chunk = { id: 'c1', choices: [{ index: 0, delta: { content: 'hi' } }] };
    const { written } = await throughGateway(JSON.stringify(chunk, null, 2));
    expect(written).toBe(`data: ${JSON.stringify(chunk)}\n\n`);
  });

  it('serialises a changed copy, never the original text', async () => {
    const { parsed } = await throughGateway('{"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}');
    const original = parsed as { usage: Record<string, number> };
    const changed = { ...original, usage: { ...original.usage, cost: 0.5 } };
    expect(JSON.parse(chunkJson(changed))).toEqual({ id: 'c1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, cost: 0.5 } });
    expect(chunkJson(original)).toBe('{"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}');
  });

  it('serialises an object it never saw', () => {
    expect(chunkJson({ a: 1 })).toBe('{"a":1}');
  });
});
