/** One physical line of a JSONL file: its text, or why it has none. */
export type JsonlLine = { lineNo: number; text: string } | { lineNo: number; problem: 'not_utf8' | 'too_long' };

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines numbered as an editor numbers them (1-based, blank lines counted), so an error
 * names the line the caller sees. Each line is decoded strictly: readline's decoder swaps bad bytes for U+FFFD and
 * would run a corrupted prompt. A line longer than `maxLineBytes` is skipped without being buffered — one 200 MB
 * line never sits in memory.
 */
export async function* readJsonlLines(bytes: AsyncIterable<Uint8Array>, maxLineBytes: number): AsyncGenerator<JsonlLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let lineNo = 0;
  const finish = (): JsonlLine => {
    lineNo += 1;
    const raw = Buffer.concat(parts);
    parts = [];
    size = 0;
    if (tooLong) {
      tooLong = false;
      return { lineNo, problem: 'too_long' };
    }
    // A CRLF file's lines end in \r: not part of the line.
    const body = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    try {
      return { lineNo, text: decoder.decode(body) };
    } catch {
      return { lineNo, problem: 'not_utf8' };
    }
  };
  const keep = (piece: Buffer) => {
    if (tooLong || piece.length === 0) return;
    size += piece.length;
    if (size > maxLineBytes) {
      tooLong = true;
      parts = [];
    } else parts.push(piece);
  };
  for await (const chunk of bytes) {
    let buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = buffer.indexOf(NEWLINE); at !== -1; at = buffer.indexOf(NEWLINE)) {
      keep(buffer.subarray(0, at));
      yield finish();
      buffer = buffer.subarray(at + 1);
    }
    keep(buffer);
  }
  if (size > 0 || tooLong) yield finish();
}
