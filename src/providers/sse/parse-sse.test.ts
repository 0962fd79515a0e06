import { describe, expect, it } from 'vitest';
import { parseSse } from './parse-sse.js';

async function collect(pieces: string[]) {
  const encoder = new TextEncoder();
  async function* source() {
    for (const piece of pieces) yield encoder.encode(piece);
  }
  const events = [];
  for await (const event of parseSse(source())) events.push(event);
  return events;
}

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
});
