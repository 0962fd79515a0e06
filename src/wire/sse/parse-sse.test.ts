import { describe, expect, it } from 'vitest';
import { parseSse, type SseLimits } from './parse-sse.js';

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
