import { catalogEntryOf } from '../../src/errors/error-codes.js';
import type { RawReply } from './raw-http.js';


/**
 * What every reply must be, whatever was sent, with only the simulated provider behind the gateway (no upstream
 * can fail, so any 5xx is Frugal's own): a success, or a 4xx in OpenAI's error shape
 * `{"error":{"message","type","param","code"}}` whose code is in the catalog with that status. A stream that
 * started must end with `[DONE]` or an error event that is not a server error either.
 * Throws a message naming what broke, for fast-check to report with the counterexample.
 */
export function expectWellFormedReply(reply: RawReply, what: string | (() => string)): void {
  try {
    checkReply(reply);
  } catch (error) {
    // The request is described only on failure: bodies run to megabytes.
    throw new Error(`${(error as Error).message}: ${typeof what === 'string' ? what : what()} → ${reply.status} ${reply.body.slice(0, 300)}`);
  }
}

function checkReply(reply: RawReply): void {
  if (reply.status >= 200 && reply.status < 300) {
    const type = reply.headers['content-type'] ?? '';
    if (type.includes('text/event-stream')) expectWellFormedStream(reply.body);
    else if (type.includes('application/json')) parseJson(reply.body);
    return;
  }
  if (reply.status < 400 || reply.status >= 500) throw new Error('status outside 2xx/4xx');
  expectErrorBody(parseJson(reply.body), reply.status);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('body is not JSON');
  }
}

function expectErrorBody(body: unknown, status: number | undefined): void {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (error === null || typeof error !== 'object') throw new Error("not OpenAI's error shape (no error object)");
  const { message, type, param, code } = error;
  const shaped = typeof message === 'string' && typeof type === 'string' && 'param' in error && (param === null || typeof param === 'string') && 'code' in error && (code === null || typeof code === 'string');
  if (!shaped) throw new Error("not OpenAI's error shape {message, type, param, code}");
  const entry = typeof code === 'string' ? catalogEntryOf(code) : undefined;
  if (entry === undefined) throw new Error(`error code '${String(code)}' is not in the error-code catalog`);
  const expected = entry.status;
  if (status !== undefined && status !== expected) throw new Error(`status ${status} differs from the catalog's ${expected} for '${code}'`);
  if (expected >= 500) throw new Error(`a server-side error '${code}'`);
}

function expectWellFormedStream(text: string): void {
  const events = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim());
  const last = events.at(-1);
  if (last === undefined) throw new Error('an empty event stream');
  for (const event of events) {
    if (event === '[DONE]') continue;
    const parsed = parseJson(event) as { error?: unknown };
    if (parsed.error !== undefined) expectErrorBody(parsed, undefined);
  }
  const endsWithError = last !== '[DONE]' && (JSON.parse(last) as { error?: unknown }).error !== undefined;
  if (last !== '[DONE]' && !endsWithError) throw new Error('the stream ended without [DONE] or an error event');
}
