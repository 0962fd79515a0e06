import type { ChatMessage, ChatRequest, ContentPart } from '../../wire/chat-types.js';

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
  // Which processing tier (and price) serves the call, not what it answers.
  'service_tier',
]);

/**
 * Parameters sent at the value every provider defaults to: the same request as leaving them out. Temperature is not
 * here: its default differs between providers.
 */
const DEFAULT_VALUES: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['top_p', 1],
  ['presence_penalty', 0],
  ['frequency_penalty', 0],
  ['parallel_tool_calls', true],
]);

const TRAILING_LINE_SPACE = / +$/gm;
// Runs of spaces inside a line (after its first non-space character); leading indentation is kept,
// because it is meaning in Python, YAML and Markdown. Tabs are never touched: two tabs are an empty TSV field.
const INNER_SPACE_RUN = /(\S) {2,}/g;
const EXCESS_BLANK_LINES = /\n{3,}/g;
const LEADING_BLANK_LINES = /^(?:[ \t]*\n)+/;

// Below U+0300 every text is already in NFC (the first characters NFC can change are combining marks): testing
// for that skips a normalize() that cost 145 ms on 9 MB of ASCII.
const MAY_CHANGE_UNDER_NFC = /[^\u0000-\u02ff]/;

/**
 * Whitespace that cannot change what a model is asked: line-end style, trailing spaces, runs of spaces
 * between words (not tabs, not indentation), extra blank lines, leading blank lines and trailing space.
 * Unicode is NFC-normalised (composed vs decomposed accents are the same text); NFKC is not used because
 * it rewrites "x²" to "x2".
 */
export function normaliseText(text: string, options: NormaliseOptions = {}): string {
  let result = normaliseTextLocally(text, options);
  result = result.replace(LEADING_BLANK_LINES, '').trimEnd();
  // The first line's indentation is kept in multi-line text (a pasted code block); a lone line is trimmed.
  if (!result.includes('\n')) result = result.trimStart();
  return result;
}

/**
 * The steps of `normaliseText` that look at no more than one line and its neighbours, so a long text can be
 * normalised piece by piece (text-digest.ts); the steps about the whole text's start and end are left out.
 */
export function normaliseTextLocally(text: string, options: NormaliseOptions = {}): string {
  let result = MAY_CHANGE_UNDER_NFC.test(text) ? text.normalize('NFC') : text;
  result = result.replace(/\r\n?/g, '\n');
  result = result.replace(TRAILING_LINE_SPACE, '').replace(INNER_SPACE_RUN, '$1 ').replace(EXCESS_BLANK_LINES, '\n\n');
  return options.caseFold ? result.toLowerCase() : result;
}

type CanonicalPart = { type: 'text'; text: string } | Record<string, unknown>;

/** What a message text becomes in the canonical form: its normalised text, or a digest of it (the exact key). */
export type CanonicalText = (text: string) => string;

function canonicalPart(part: ContentPart, text: CanonicalText): CanonicalPart {
  if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: text(part.text) };
  if (part.type === 'image_url') {
    const image = (part as { image_url?: { url?: unknown; detail?: unknown } }).image_url;
    // An absent detail is OpenAI's 'auto'; any other field of the part is kept as sent.
    return { ...part, image_url: { ...image, detail: image?.detail ?? 'auto' } };
  }
  return { ...part };
}

/** A string and a single text part are the same content; other part lists keep their order and kinds. */
function canonicalContent(content: ChatMessage['content'], text: CanonicalText): string | CanonicalPart[] | null {
  if (content === undefined || content === null) return null;
  if (typeof content === 'string') return text(content);
  const parts = content.map((part) => canonicalPart(part, text));
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

function canonicalMessage(message: ChatMessage, renamer: ToolCallIdRenamer, text: CanonicalText): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(message)) {
    if (value === undefined || value === null) continue;
    if (field === 'content') result.content = canonicalContent(message.content, text);
    else if (field === 'tool_call_id' && typeof value === 'string') result.tool_call_id = renamer.rename(value);
    else if (field === 'tool_calls' && Array.isArray(value)) {
      result.tool_calls = message.tool_calls!.map((call) => ({ ...call, id: renamer.rename(call.id) }));
    } else result[field] = value;
  }
  if (result.content === undefined) result.content = null;
  return result;
}

/** Messages in canonical form; each text as `text` makes it (default: normalised). */
export function canonicalMessages(messages: readonly ChatMessage[], options: NormaliseOptions = {}, text: CanonicalText = (value) => normaliseText(value, options)): Array<Record<string, unknown>> {
  const renamer = new ToolCallIdRenamer();
  return messages.map((message) => canonicalMessage(message, renamer, text));
}

/** Every message text a canonical form holds (content strings and text parts), for digesting ahead of time. */
export function messageTexts(messages: readonly ChatMessage[]): string[] {
  const texts: string[] = [];
  for (const message of messages) {
    const content = message.content;
    if (typeof content === 'string') texts.push(content);
    else if (Array.isArray(content)) for (const part of content) if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
  }
  return texts;
}

/**
 * Every request parameter that may change the answer, with equivalent spellings made equal:
 * `null` is the provider default (same as absent), and so are `n: 1`, `logprobs: false`, `top_p: 1`, zero
 * penalties, `parallel_tool_calls: true` and `response_format: { type: 'text' }`; `stop: "x"` is `stop: ["x"]` (stop
 * sequences are a set, so they are sorted); `max_completion_tokens` is the newer name of `max_tokens`.
 */
export function answerChangingParams(request: ChatRequest): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    if (ANSWER_NEUTRAL_FIELDS.has(field) || value === undefined || value === null) continue;
    if (field === 'n' && value === 1) continue;
    if (field === 'logprobs' && value === false) continue;
    if (DEFAULT_VALUES.has(field) && DEFAULT_VALUES.get(field) === value) continue;
    if (field === 'response_format' && isTextFormat(value)) continue;
    if (field === 'stop') {
      const stops = (Array.isArray(value) ? [...value] : [value]).map(String).sort();
      if (stops.length > 0) params.stop = stops;
      continue;
    }
    params[field] = value;
  }
  // Both names bound the same output; when both are sent, max_completion_tokens wins, as everywhere in Frugal (fit-check.ts).
  if (params.max_completion_tokens !== undefined) {
    params.max_tokens = params.max_completion_tokens;
    delete params.max_completion_tokens;
  }
  return params;
}

function isTextFormat(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && (value as { type?: unknown }).type === 'text';
}
