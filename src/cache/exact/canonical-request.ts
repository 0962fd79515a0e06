import type { ChatMessage, ChatRequest, ContentPart } from '../../providers/chat-types.js';

export interface NormaliseOptions {
  /** Fold case of message text. Off by default: "US" and "us" can be different questions. */
  caseFold?: boolean;
}

/**
 * Request fields that cannot change the answer. Everything else — including parameters this file has never
 * heard of — is part of the key, because a wrong cached answer costs more than a miss.
 * `stream`/`stream_options` only change the wire format: a streamed and a plain request share an entry.
 */
const ANSWER_NEUTRAL_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'user',
  'safety_identifier',
  'metadata',
  'store',
  'prompt_cache_key',
]);

const TRAILING_LINE_SPACE = / +$/gm;
// Runs of spaces inside a line (after its first non-space character); leading indentation is kept,
// because it is meaning in Python, YAML and Markdown. Tabs are never touched: two tabs are an empty TSV field.
const INNER_SPACE_RUN = /(\S) {2,}/g;
const EXCESS_BLANK_LINES = /\n{3,}/g;
const LEADING_BLANK_LINES = /^(?:[ \t]*\n)+/;

/**
 * Whitespace that cannot change what a model is asked: line-end style, trailing spaces, runs of spaces
 * between words (not tabs, not indentation), extra blank lines, leading blank lines and trailing space.
 * Unicode is NFC-normalised (composed vs decomposed accents are the same text); NFKC is not used because
 * it rewrites "x²" to "x2".
 */
export function normaliseText(text: string, options: NormaliseOptions = {}): string {
  let result = text.normalize('NFC').replace(/\r\n?/g, '\n');
  result = result.replace(TRAILING_LINE_SPACE, '').replace(INNER_SPACE_RUN, '$1 ').replace(EXCESS_BLANK_LINES, '\n\n');
  result = result.replace(LEADING_BLANK_LINES, '').trimEnd();
  // The first line's indentation is kept in multi-line text (a pasted code block); a lone line is trimmed.
  if (!result.includes('\n')) result = result.trimStart();
  return options.caseFold ? result.toLowerCase() : result;
}

type CanonicalPart = { type: 'text'; text: string } | Record<string, unknown>;

function canonicalPart(part: ContentPart, options: NormaliseOptions): CanonicalPart {
  if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: normaliseText(part.text, options) };
  if (part.type === 'image_url') {
    const image = (part as { image_url?: { url?: unknown; detail?: unknown } }).image_url;
    // An absent detail is OpenAI's 'auto'; any other field of the part is kept as sent.
    return { ...part, image_url: { ...image, detail: image?.detail ?? 'auto' } };
  }
  return { ...part };
}

/** A string and a single text part are the same content; other part lists keep their order and kinds. */
function canonicalContent(content: ChatMessage['content'], options: NormaliseOptions): string | CanonicalPart[] | null {
  if (content === undefined || content === null) return null;
  if (typeof content === 'string') return normaliseText(content, options);
  const parts = content.map((part) => canonicalPart(part, options));
  if (parts.length === 1 && parts[0].type === 'text') return (parts[0] as { text: string }).text;
  return parts;
}

/**
 * Tool-call ids are opaque random strings chosen by the provider; renaming them consistently (first seen →
 * "call_0") changes nothing the model can act on, and lets the same tool conversation hit across sessions.
 */
class ToolCallIdRenamer {
  private readonly names = new Map<string, string>();
  rename(id: string): string {
    let name = this.names.get(id);
    if (name === undefined) {
      name = `call_${this.names.size}`;
      this.names.set(id, name);
    }
    return name;
  }
}

function canonicalMessage(message: ChatMessage, renamer: ToolCallIdRenamer, options: NormaliseOptions): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(message)) {
    if (value === undefined || value === null) continue;
    if (field === 'content') result.content = canonicalContent(message.content, options);
    else if (field === 'tool_call_id' && typeof value === 'string') result.tool_call_id = renamer.rename(value);
    else if (field === 'tool_calls' && Array.isArray(value)) {
      result.tool_calls = message.tool_calls!.map((call) => ({ ...call, id: renamer.rename(call.id) }));
    } else result[field] = value;
  }
  if (result.content === undefined) result.content = null;
  return result;
}

export function canonicalMessages(messages: readonly ChatMessage[], options: NormaliseOptions = {}): Array<Record<string, unknown>> {
  const renamer = new ToolCallIdRenamer();
  return messages.map((message) => canonicalMessage(message, renamer, options));
}

/**
 * Every request parameter that may change the answer, with equivalent spellings made equal:
 * `null` is the provider default (same as absent), `n: 1` is the default everywhere, `logprobs: false` is
 * the default, and `stop: "x"` is `stop: ["x"]` (stop sequences are a set, so they are sorted).
 */
export function answerChangingParams(request: ChatRequest): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    if (ANSWER_NEUTRAL_FIELDS.has(field) || value === undefined || value === null) continue;
    if (field === 'n' && value === 1) continue;
    if (field === 'logprobs' && value === false) continue;
    if (field === 'stop') {
      const stops = (Array.isArray(value) ? [...value] : [value]).map(String).sort();
      if (stops.length > 0) params.stop = stops;
      continue;
    }
    params[field] = value;
  }
  return params;
}
