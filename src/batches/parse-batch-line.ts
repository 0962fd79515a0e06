import type { BatchEndpoint, LineResult } from './batch-types.js';

export type ParsedLine = { ok: true; customId: string; body: Record<string, unknown> } | { ok: false; customId: string | null; code: string; message: string; param: string | null };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One line of a batch input file, checked the way OpenAI documents it: `{"custom_id", "method": "POST", "url",
 * "body"}`, the url being the batch's endpoint and custom_id unique in the file. A line that fails here fails the
 * batch at validation, as OpenAI's does (accept-batch.ts). The body itself is checked next (check-line-body.ts)
 * with the endpoint's own limits and validation, so every endpoint checks bodies one way.
 */
export function parseBatchLine(text: string, endpoint: BatchEndpoint, seen: Set<string>): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, customId: null, code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null };
  }
  if (!isObject(value)) return { ok: false, customId: null, code: 'invalid_json_line', message: 'Each line must be a JSON object.', param: null };
  const customId = typeof value.custom_id === 'string' && value.custom_id !== '' ? value.custom_id : null;
  const fail = (code: string, message: string, param: string): ParsedLine => ({ ok: false, customId, code, message, param });
  if (customId === null) return fail('missing_required_parameter', "The line has no 'custom_id' (a non-empty string).", 'custom_id');
  if (seen.has(customId)) return fail('duplicate_custom_id', `The custom_id '${customId}' appears more than once in this file: each request needs its own.`, 'custom_id');
  seen.add(customId);
  if (value.method !== 'POST') return fail('invalid_method', "The line's 'method' must be 'POST'.", 'method');
  if (value.url !== endpoint) return fail('mismatched_endpoint', `The line's 'url' must be the batch's endpoint '${endpoint}'.`, 'url');
  if (!isObject(value.body)) return fail('missing_required_parameter', "The line has no 'body' object.", 'body');
  if (typeof value.body.model !== 'string' || value.body.model === '') return fail('missing_required_parameter', "The line's body has no 'model'.", 'body.model');
  if (value.body.stream === true) return fail('invalid_request', 'Batch lines cannot stream: remove stream: true.', 'body.stream');
  return { ok: true, customId, body: value.body };
}

/** A line that never ran (invalid, expired, cancelled), as its error-file line. */
export function failedLine(customId: string | null, code: string, message: string): LineResult {
  return { ok: false, line: { custom_id: customId, response: null, error: { code, message } }, costNanos: 0 };
}

/** A line that ran: 2xx answers go to the output file, others to the error file, both with the response. */
export function answeredLine(customId: string | null, statusCode: number, requestId: string, body: unknown, costNanos: number): LineResult {
  return { ok: statusCode >= 200 && statusCode < 300, line: { custom_id: customId, response: { status_code: statusCode, request_id: requestId, body }, error: null }, costNanos };
}

export const EXPIRED_MESSAGE = 'This request could not be executed before the completion window expired.';
export const CANCELLED_MESSAGE = 'This request was not executed because the batch was cancelled.';
