import { FrugalError } from '../errors/frugal-error.js';
import { CALLER_FEEDBACK_SOURCES, type FeedbackSource } from './feedback-store.js';

/** A score as every accepted shape says it, before the request is looked up. */
export interface FeedbackSubmission {
  requestId: string;
  name: string;
  /** In [0, 1]. */
  score: number;
  comment: string | null;
  source: FeedbackSource;
  metadata: Record<string, unknown> | null;
}

export const DEFAULT_SCORE_NAME = 'default';
/** Long enough for a reviewer's note; a bound so a score row stays small. */
export const MAX_COMMENT_CHARS = 2_000;
/** Metadata as JSON text, at most this many characters. */
export const MAX_METADATA_CHARS = 4_096;

// The gateway's own request-id alphabet (request-scope.ts): an id outside it cannot name a row.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const SCORE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function invalid(param: string, message: string): FrugalError {
  return new FrugalError('invalid_request', `Invalid '${param}': ${message}`, { param });
}

function described(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : `"${value}"`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new FrugalError('invalid_request', 'The feedback body must be a JSON object.', { param: null });
  }
  return body as Record<string, unknown>;
}

function onlyFields(body: Record<string, unknown>, allowed: readonly string[]) {
  // A misspelt field (`socre`) would otherwise be a silent no-op.
  // The name is the client's text: bounded, so a megabyte-long key is not sent back twice (message and param).
  for (const field of Object.keys(body)) if (!allowed.includes(field)) throw invalid(field.length > 64 ? `${field.slice(0, 64)}…` : field, `unknown field; expected ${allowed.join(', ')}.`);
}

export function parseRequestId(value: unknown, param: string): string {
  if (value === undefined || value === null) throw invalid(param, 'required: the x-frugal-request-id of the reply to score.');
  if (typeof value !== 'string' || !REQUEST_ID.test(value)) {
    throw invalid(param, `expected a request id (1 to 128 letters, digits, '.', '_', ':' or '-'), got ${described(value)}.`);
  }
  return value;
}

function parseName(value: unknown): string {
  if (value === undefined || value === null) return DEFAULT_SCORE_NAME;
  if (typeof value !== 'string' || !SCORE_NAME.test(value)) {
    throw invalid('name', `expected a score name (1 to 64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit), got ${described(value)}.`);
  }
  return value;
}

// PostgreSQL's text columns refuse NUL (SQLite keeps it): refused on both, so a score is never a 500 on one backend.
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item));
  return false;
}

function parseComment(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid('comment', `expected a string, got ${described(value)}.`);
  if (value.length > MAX_COMMENT_CHARS) throw invalid('comment', `at most ${MAX_COMMENT_CHARS} characters, got ${value.length}.`);
  if (holdsNul(value)) throw invalid('comment', 'the NUL character (\\u0000) cannot be stored.');
  return value;
}

function parseSource(value: unknown): FeedbackSource {
  if (value === undefined || value === null) return 'user';
  if (typeof value !== 'string' || !(CALLER_FEEDBACK_SOURCES as readonly string[]).includes(value)) {
    throw invalid('source', `expected one of ${CALLER_FEEDBACK_SOURCES.join(', ')}, got ${described(value)}.`);
  }
  return value as FeedbackSource;
}

function parseMetadata(value: unknown, allowJsonText: boolean): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  let parsed = value;
  // Portkey documents metadata as "a JSON string" while its SDKs send an object: take both.
  if (allowJsonText && typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalid('metadata', 'expected an object or the JSON text of one.');
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('metadata', `expected an object, got ${described(parsed)}.`);
  const text = JSON.stringify(parsed);
  if (text.length > MAX_METADATA_CHARS) throw invalid('metadata', `at most ${MAX_METADATA_CHARS} characters as JSON, got ${text.length}.`);
  if (holdsNul(parsed)) throw invalid('metadata', 'the NUL character (\\u0000) cannot be stored.');
  return parsed as Record<string, unknown>;
}

function parseScore(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1) return value;
  throw invalid('score', `expected a number from 0 to 1 or a boolean thumb (true = 1, false = 0), got ${value === undefined ? 'nothing' : described(value)}.`);
}

/** Portkey's integer −10…10, mapped linearly onto [0, 1]: −10 → 0, 0 → 0.5, 10 → 1. */
export function portkeyValueToScore(value: number): number {
  return (value + 10) / 20;
}

function parsePortkey(body: Record<string, unknown>): FeedbackSubmission {
  onlyFields(body, ['trace_id', 'value', 'weight', 'metadata']);
  const requestId = parseRequestId(body.trace_id, 'trace_id');
  const { value, weight } = body;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -10 || value > 10) {
    throw invalid('value', `expected an integer from -10 to 10, got ${value === undefined ? 'nothing' : described(value)}.`);
  }
  if (weight !== undefined && (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1)) {
    throw invalid('weight', `expected a number from 0 to 1, got ${described(weight)}.`);
  }
  const metadata = parseMetadata(body.metadata, true);
  // The weight is kept with the score (reports average current scores unweighted).
  const kept = weight === undefined ? metadata : { ...metadata, weight };
  return { requestId, name: DEFAULT_SCORE_NAME, score: portkeyValueToScore(value), comment: null, source: 'user', metadata: kept };
}

/**
 * The body of `POST /v1/feedback`: Frugal's own `{ request_id, score, name?, comment?, source?, metadata? }`, or
 * Portkey's `{ trace_id, value: −10…10, weight?, metadata? }` (told apart by `trace_id`). A bad value is a 400
 * that names the field.
 *
 * @example
 * parseFeedbackBody({ request_id: 'frg-1', score: true }) // { requestId: 'frg-1', name: 'default', score: 1, … }
 */
export function parseFeedbackBody(input: unknown): { submission: FeedbackSubmission; shape: 'frugal' | 'portkey' } {
  const body = asObject(input);
  if (body.trace_id !== undefined && body.request_id === undefined) return { submission: parsePortkey(body), shape: 'portkey' };
  onlyFields(body, ['request_id', 'score', 'name', 'comment', 'source', 'metadata']);
  const requestId = parseRequestId(body.request_id, 'request_id');
  return {
    submission: {
      requestId,
      score: parseScore(body.score),
      name: parseName(body.name),
      comment: parseComment(body.comment),
      source: parseSource(body.source),
      metadata: parseMetadata(body.metadata, false),
    },
    shape: 'frugal',
  };
}

/** Helicone's `POST /v1/request/{id}/feedback` with `{ rating: boolean }`: a thumb on the default score. */
export function parseHeliconeFeedback(requestId: unknown, input: unknown): FeedbackSubmission {
  const body = asObject(input);
  onlyFields(body, ['rating']);
  if (typeof body.rating !== 'boolean') throw invalid('rating', `expected a boolean (true = thumbs up), got ${body.rating === undefined ? 'nothing' : described(body.rating)}.`);
  return { requestId: parseRequestId(requestId, 'requestId'), name: DEFAULT_SCORE_NAME, score: body.rating ? 1 : 0, comment: null, source: 'user', metadata: null };
}
