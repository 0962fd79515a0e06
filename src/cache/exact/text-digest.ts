import { createHash } from 'node:crypto';
import { normaliseText, normaliseTextLocally, type NormaliseOptions } from './canonical-request.js';

/**
 * Texts above this many characters are normalised and hashed a chunk at a time, yielding to the event loop in
 * between: a 9 MB prompt took 400 ms of one uninterrupted slice (NFC alone 145 ms) while /healthz waited.
 * A 256 K-character chunk costs a few milliseconds.
 */
export const CHUNK_CHARS = 256 * 1024;

/** SHA-256 (hex) of the normalised text: what the exact-cache key holds for each message text. */
export function normalisedTextDigest(text: string, options: NormaliseOptions = {}): string {
  return createHash('sha256').update(normaliseText(text, options)).digest('hex');
}

/**
 * The same digest as `normalisedTextDigest`, computed in chunks with `pause()` (the event loop's turn) between
 * them. Chunks are cut only where normalising each piece alone gives the same text as normalising the whole
 * (see `safeCut`); the whole-text steps (leading blank lines, trailing space) run on the first and last piece.
 */
export async function normalisedTextDigestInChunks(text: string, options: NormaliseOptions = {}, pause: () => Promise<void> = nextTurn): Promise<string> {
  if (text.length <= CHUNK_CHARS) return normalisedTextDigest(text, options);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; ) {
    const end = safeCut(text, start + CHUNK_CHARS);
    pieces.push(normaliseTextLocally(text.slice(start, end), options));
    start = end;
    await pause();
  }
  pieces[0] = pieces[0].replace(/^(?:[ \t]*\n)+/, '');
  pieces[pieces.length - 1] = pieces[pieces.length - 1].trimEnd();
  // normaliseText trims a lone line's start: a text that has no line break left anywhere.
  if (!pieces.some((piece) => piece.includes('\n'))) pieces[0] = pieces[0].trimStart();
  const hash = createHash('sha256');
  for (const piece of pieces) {
    hash.update(piece);
    if (piece.length >= CHUNK_CHARS / 2) await pause();
  }
  return hash.digest('hex');
}

/**
 * The first index at or after `from` where the text can be cut: a single space or line feed between two
 * non-whitespace characters. No normalising rule looks across it (line-end style, trailing spaces, space runs,
 * blank-line runs, NFC composition, which never joins across a space). The end of the text when there is none.
 */
function safeCut(text: string, from: number): number {
  for (let index = from; index < text.length - 1; index += 1) {
    const code = text.charCodeAt(index);
    if ((code === 32 || code === 10) && !isWhitespace(text.charCodeAt(index - 1)) && !isWhitespace(text.charCodeAt(index + 1))) return index;
  }
  return text.length;
}

function isWhitespace(code: number): boolean {
  return code <= 32 || code === 0x85 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
