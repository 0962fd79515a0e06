import { describe, expect, it } from 'vitest';
import { readJsonlLines, type JsonlLine } from './read-jsonl-lines.js';

async function* chunks(...parts: Buffer[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield part;
}

async function read(parts: Buffer[], maxLineBytes = 1_000): Promise<JsonlLine[]> {
  const lines: JsonlLine[] = [];
  for await (const line of readJsonlLines(chunks(...parts), maxLineBytes)) lines.push(line);
  return lines;
}

describe('readJsonlLines', () => {
  it('numbers lines as an editor does, blank ones counted, CRLF endings and a missing final newline handled', async () => {
    expect(await read([Buffer.from('{"a":1}\r\n\r\n{"b":2}\n{"c":3}')])).toEqual([
      { lineNo: 1, text: '{"a":1}' },
      { lineNo: 2, text: '' },
      { lineNo: 3, text: '{"b":2}' },
      { lineNo: 4, text: '{"c":3}' },
    ]);
  });

  it('decodes a character split across chunks, and drops a leading byte-order mark', async () => {
    const text = Buffer.from('\ufeff{"q":"café"}\n');
    const split = text.indexOf(0xc3) + 1;
    expect(await read([text.subarray(0, split), text.subarray(split)])).toEqual([{ lineNo: 1, text: '{"q":"café"}' }]);
  });

  it('reports a line that is not UTF-8 instead of running it with replacement characters', async () => {
    expect(await read([Buffer.from('{"ok":1}\n'), Buffer.from('{"q":"caf\u00e9"}\n', 'latin1'), Buffer.from('{"ok":2}')])).toEqual([
      { lineNo: 1, text: '{"ok":1}' },
      { lineNo: 2, problem: 'not_utf8' },
      { lineNo: 3, text: '{"ok":2}' },
    ]);
  });

  it('reports a line past the limit, across chunks, and goes on with the next', async () => {
    const long = Buffer.alloc(600, 'x');
    expect(await read([long, long, Buffer.from('\n{"next":1}\n'), long, long], 1_000)).toEqual([
      { lineNo: 1, problem: 'too_long' },
      { lineNo: 2, text: '{"next":1}' },
      { lineNo: 3, problem: 'too_long' },
    ]);
  });
});
