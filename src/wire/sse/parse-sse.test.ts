import { describe, expect, it } from 'vitest';
import { parseSse, SseDecoder, type SseLimits } from './parse-sse.js';

async function collect(pieces: string[], limits?: SseLimits) {
  const encoder = new TextEncoder();
  async function* source() {
    for (const piece of pieces) yield encoder.encode(piece);
  }
  const events = [];
  for await (const event of parseSse(source(), limits)) events.push(event);
  return events;
}

const limits = (maxBytes: number, maxEvents: number): SseLimits => ({ maxBytes, maxEvents, tooLarge: (what) => new Error(`too many ${what}`) });

describe('parseSse', () => {
  it('joins events split across chunks and multi-line data', async () => {
    const events = await collect(['data: {"a":', '1}\n\ndata: x\ndata: y\n', '\n']);
    expect(events).toEqual([
      { event: undefined, data: '{"a":1}' },
      { event: undefined, data: 'x\ny' },
    ]);
  });

  it('reads named events with CRLF line ends and skips comments', async () => {
    const events = await collect([': ping\r\n\r\nevent: message_start\r\ndata: {}\r\n\r\n']);
    expect(events).toEqual([{ event: 'message_start', data: '{}' }]);
  });

  it('delivers a last event whose blank line never came', async () => {
    const events = await collect(['data: one\n\ndata: two']);
    expect(events.map((e) => e.data)).toEqual(['one', 'two']);
  });

  it('stops a stream past its byte or event limit, so one endless event cannot fill memory', async () => {
    await expect(collect(['data: ', 'x'.repeat(100), 'x'.repeat(100)], limits(150, 10))).rejects.toThrow('too many bytes');
    await expect(collect(['data: 1\n\ndata: 2\n\ndata: 3\n\n'], limits(1000, 2))).rejects.toThrow('too many events');
    expect(await collect(['data: 1\n\ndata: 2\n\n'], limits(1000, 2))).toHaveLength(2);
  });
});

describe('SseDecoder', () => {
  it('gives the same events whichever way the bytes are split, multi-byte characters included', () => {
    const text = 'event: a\r\ndata: héllo 😀\ndata: two\n\n: comment\ndata: {"x":1}\n\ndata: last';
    const bytes = new TextEncoder().encode(text);
    const whole = new SseDecoder();
    const expected = [...whole.push(bytes), ...whole.end()];
    expect(expected).toEqual([
      { event: 'a', data: 'héllo 😀\ntwo' },
      { event: undefined, data: '{"x":1}' },
      { event: undefined, data: 'last' },
    ]);
    for (let size = 1; size <= 7; size += 1) {
      const decoder = new SseDecoder();
      const events = [];
      for (let at = 0; at < bytes.length; at += size) events.push(...decoder.push(bytes.subarray(at, at + size)));
      events.push(...decoder.end());
      expect(events, `pieces of ${size} bytes`).toEqual(expected);
    }
  });

  it('drops the name of an event that carried no data', () => {
    const decoder = new SseDecoder();
    expect([...decoder.push('event: ping\n\ndata: x\n\n')]).toEqual([{ event: undefined, data: 'x' }]);
  });
});
