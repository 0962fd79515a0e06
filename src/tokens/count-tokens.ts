import { createRequire } from 'node:module';
import type { ChatMessage, ContentPart } from '../wire/chat-types.js';

/**
 * Token counts with a real tokenizer (o200k_base, GPT-4o's). Used when a provider reports no usage, so the
 * ledger row is marked `estimated`; other providers' tokenizers differ by a few percent.
 */
// User text may contain "<|endoftext|>" and friends: counted as plain text, never an error.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

type CountTokens = (text: string, options: typeof PLAIN_TEXT) => number;
let tokenizer: CountTokens | undefined;

/**
 * The tokenizer's tables take ~80 MB and a noticeable start-up; a gateway whose providers report usage may
 * never need them, so they load on the first count (synchronously, so callers stay simple).
 */
function loadTokenizer(): CountTokens {
  tokenizer ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: CountTokens }).countTokens;
  return tokenizer;
}

// BPE is quadratic in the length of one pre-token: 64 K random CJK characters (one "word") took 15 s to count.
// Text is therefore counted in pieces of at most PIECE_CHARS, cut at a space that starts a pre-token anyway
// (so the count is the whole text's); a run of LONG_RUN_CHARS without whitespace is cut where it stands
// (one token too many at most per cut, on base64 or CJK text without spaces).
const PIECE_CHARS = 256;
const LONG_RUN_CHARS = 64;
// Even linear, the tokenizer takes up to ~1 µs per character of random text, on the event loop. Longer texts
// are not counted whole: SAMPLE_WINDOWS evenly spaced windows are, and their count is scaled to the length.
const EXACT_CHARS = 32 * 1024;
const SAMPLE_WINDOWS = 16;
const WINDOW_CHARS = 1024;

/**
 * o200k tokens in `text`: exact up to EXACT_CHARS characters (bar long runs without spaces), above that an
 * estimate from evenly spaced windows (within a few percent on prose), so a 9 MB prompt costs what 16 KB does.
 */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  const count = loadTokenizer();
  if (text.length <= EXACT_CHARS) return countPieces(text, 0, text.length, count);
  let sampledChars = 0;
  let sampledTokens = 0;
  const stride = Math.floor(text.length / SAMPLE_WINDOWS);
  for (let window = 0; window < SAMPLE_WINDOWS; window += 1) {
    const start = window === 0 ? 0 : pieceEnd(text, window * stride, text.length);
    const end = pieceEnd(text, Math.min(text.length, start + WINDOW_CHARS), text.length);
    sampledChars += end - start;
    sampledTokens += countPieces(text, start, end, count);
  }
  return Math.ceil((sampledTokens * text.length) / Math.max(1, sampledChars));
}

function countPieces(text: string, from: number, to: number, count: CountTokens): number {
  let total = 0;
  for (let start = from; start < to; ) {
    const end = pieceEnd(text, start, to);
    total += count(text.slice(start, end), PLAIN_TEXT);
    start = end;
  }
  return total;
}

/**
 * Where a piece starting at `start` ends (never past `to`): the last pre-token-starting space within
 * PIECE_CHARS, or earlier if a run without whitespace grows past LONG_RUN_CHARS.
 */
function pieceEnd(text: string, start: number, to: number): number {
  const limit = Math.min(to, start + PIECE_CHARS);
  if (limit === to && to - start <= LONG_RUN_CHARS) return to;
  let lastCut = -1;
  let runStart = start;
  for (let index = start + 1; index < limit; index += 1) {
    const code = text.charCodeAt(index);
    if (isSpace(code)) {
      runStart = index;
      if (code === 32 && startsPreToken(text, index)) lastCut = index;
    } else if (index - runStart >= LONG_RUN_CHARS) {
      return lastCut > start ? lastCut : avoidSplitPair(text, index);
    }
  }
  if (limit === to) return to;
  return lastCut > start ? lastCut : avoidSplitPair(text, limit);
}

// A single space between two non-space characters always begins a new o200k pre-token (" word", " 42", " ?").
function startsPreToken(text: string, index: number): boolean {
  return !isSpace(text.charCodeAt(index - 1)) && !isSpace(text.charCodeAt(index + 1));
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x3000 || (code >= 0x2000 && code <= 0x200a);
}

/** Never cut between the halves of a surrogate pair: each half alone would count as a replacement character. */
function avoidSplitPair(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index + 1 : index;
}

// OpenAI's chat format adds a few tokens per message and for the reply's priming.
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;
const TOKENS_PER_IMAGE = 85;

export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  return text;
}

export function countPromptTokens(messages: readonly ChatMessage[], tools?: readonly unknown[]): number {
  let total = REPLY_PRIMING;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + countTextTokens(contentText(message.content));
    if (Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'image_url') total += TOKENS_PER_IMAGE;
    }
    if (message.name) total += 1 + countTextTokens(message.name);
    if (message.tool_calls) total += countTextTokens(JSON.stringify(message.tool_calls));
  }
  if (tools && tools.length > 0) total += countTextTokens(JSON.stringify(tools));
  return total;
}
