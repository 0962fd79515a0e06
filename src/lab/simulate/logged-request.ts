import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatRequest } from '../../wire/chat-types.js';

/** One request of a log to replay, as read from a JSONL line. */
export interface LoggedRequest {
  /** 1-based line of the log, for error messages. */
  line: number;
  request: ChatRequest;
  /** What the provider reported, when the log has it. Any part may be missing. */
  usage: { promptTokens: number | undefined; completionTokens: number | undefined; cachedPromptTokens: number } | undefined;
  /** When the request was made, ms since the epoch. */
  ts: number | undefined;
  /** The virtual key that sent it (cache scope), when known. */
  keyId: string | undefined;
  /** x-frugal-cache and x-frugal-task as the client sent them. */
  cacheHeader: string | undefined;
  taskHint: string | undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

function lineError(line: number, message: string): FrugalError {
  return new FrugalError('invalid_request', `log line ${line}: ${message}`);
}

function tokenCount(value: unknown, line: number, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw lineError(line, `${field} must be a non-negative integer`);
  return value;
}

function timestamp(value: unknown, line: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw lineError(line, `ts must be ms since the epoch or an ISO date, got ${JSON.stringify(value)}`);
  return ms;
}

/**
 * A log line: `{ "request": {...}, "usage"?: {...}, "ts"?: ms | ISO, "key_id"?: "...", "headers"?: {...} }`, or a
 * bare OpenAI chat request (a line with `messages` at the top). Usage is OpenAI's shape (prompt_tokens,
 * completion_tokens, prompt_tokens_details.cached_tokens); a `response` with a `usage` counts too.
 */
export function parseLoggedRequest(text: string, line: number): LoggedRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw lineError(line, `not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(value)) throw lineError(line, 'expected a JSON object');
  const bare = Array.isArray(value.messages);
  const request = bare ? value : value.request;
  if (!isObject(request) || typeof request.model !== 'string' || !Array.isArray(request.messages)) {
    throw lineError(line, 'expected an OpenAI chat request (model, messages) or { "request": {...} }');
  }
  const rawUsage = bare ? undefined : (value.usage ?? (isObject(value.response) ? value.response.usage : undefined));
  let usage: LoggedRequest['usage'];
  if (isObject(rawUsage)) {
    const details = isObject(rawUsage.prompt_tokens_details) ? rawUsage.prompt_tokens_details : {};
    usage = {
      promptTokens: tokenCount(rawUsage.prompt_tokens, line, 'usage.prompt_tokens'),
      completionTokens: tokenCount(rawUsage.completion_tokens, line, 'usage.completion_tokens'),
      cachedPromptTokens: tokenCount(details.cached_tokens, line, 'usage.prompt_tokens_details.cached_tokens') ?? 0,
    };
  } else if (rawUsage !== undefined && rawUsage !== null) {
    throw lineError(line, 'usage must be an object');
  }
  const headers = !bare && isObject(value.headers) ? value.headers : {};
  const header = (name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined);
  return {
    line,
    request: request as ChatRequest,
    usage,
    ts: bare ? undefined : timestamp(value.ts, line),
    keyId: !bare && typeof value.key_id === 'string' ? value.key_id : undefined,
    cacheHeader: header('x-frugal-cache'),
    taskHint: header('x-frugal-task'),
  };
}
