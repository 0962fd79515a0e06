import { unstorableReason } from './storable-text.js';

/**
 * True only when `body` is certainly a valid chat request under chat-request-schema.ts: the common shape (text
 * messages, the usual sampling fields) checked by hand in a fraction of the schema's time. Anything else —
 * content parts, tools, stop lists, metadata, a value out of range — answers false and the schema decides, so
 * this never accepts what the schema refuses (a property test holds it to that), and every error message
 * still comes from the schema.
 */
export function plainValidChatRequest(body: unknown): boolean {
  if (!isPlainObject(body)) return false;
  const model = body.model;
  if (typeof model !== 'string' || model.length < 1 || !storable(model, MODEL_NAME_MAX)) return false;
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) if (!plainMessage(message)) return false;
  if (body.user !== undefined && !(typeof body.user === 'string' && storable(body.user, USER_MAX))) return false;
  if (!nullish(body.metadata)) return false;
  for (const field of SCHEMA_ONLY) if (body[field] !== undefined) return false;
  for (const field of BOOLEANS) if (!nullish(body[field]) && typeof body[field] !== 'boolean') return false;
  for (const [field, min, max, integer] of NUMBERS) {
    const value = body[field];
    if (nullish(value)) continue;
    if (typeof value !== 'number' || !(value >= min && value <= max) || (integer && !Number.isSafeInteger(value))) return false;
  }
  const streamOptions = body.stream_options;
  if (!nullish(streamOptions)) {
    if (!isPlainObject(streamOptions)) return false;
    if (streamOptions.include_usage !== undefined && typeof streamOptions.include_usage !== 'boolean') return false;
  }
  return true;
}

/** The schema's limits (chat-request-schema.ts). */
const MODEL_NAME_MAX = 256;
const USER_MAX = 256;
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
/** Fields whose shape only the schema checks: present, they take the slow path. */
const SCHEMA_ONLY = ['stop', 'tools', 'tool_choice', 'response_format'] as const;
const BOOLEANS = ['stream', 'logprobs'] as const;
/** Field, minimum, maximum, integer only. `max_tokens` and friends are positive: the minimum is 1. */
const NUMBERS: ReadonlyArray<readonly [string, number, number, boolean]> = [
  ['max_tokens', 1, Number.MAX_SAFE_INTEGER, true],
  ['max_completion_tokens', 1, Number.MAX_SAFE_INTEGER, true],
  ['temperature', 0, 2, false],
  ['top_p', 0, 1, false],
  ['n', 1, 128, true],
  ['seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true],
  ['top_logprobs', 0, 20, true],
];

function plainMessage(message: unknown): boolean {
  if (!isPlainObject(message)) return false;
  if (typeof message.role !== 'string' || !ROLES.has(message.role)) return false;
  const content = message.content;
  if (content !== undefined && content !== null && typeof content !== 'string') return false;
  if (message.tool_calls !== undefined) return false;
  if (message.name !== undefined && typeof message.name !== 'string') return false;
  if (message.tool_call_id !== undefined && typeof message.tool_call_id !== 'string') return false;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function nullish(value: unknown): boolean {
  return value === undefined || value === null;
}

function storable(text: string, max: number): boolean {
  return text.length <= max && unstorableReason(text) === undefined;
}
