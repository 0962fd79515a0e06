import { FrugalError } from '../errors/frugal-error.js';
import { anthropicMessageOf } from '../wire/anthropic/anthropic-native.js';
import type { ChatRequest, ChatResponse } from '../wire/chat-types.js';
import { contentText } from '../tokens/count-tokens.js';
import { DEFAULT_CACHE_TTL_SECONDS } from './cache-store.js';

/** Request header that steers caching, and response header that reports what happened. */
export const CACHE_HEADER = 'x-frugal-cache';

/** What a client asked for in `x-frugal-cache` (comma-separated, like Cache-Control). */
export interface CacheDirectives {
  /** `no-cache`: do not answer from the cache, but the fresh answer may be stored. */
  noCache: boolean;
  /** `no-store`: neither read nor write the cache for this request. */
  noStore: boolean;
  /** `ttl=SECONDS`: keep the answer this long; also opts a request in that the temperature rule would refuse. */
  ttlSeconds: number | undefined;
}

const MAX_TTL_SECONDS = 365 * 86_400;
const TTL_DIRECTIVE = /^ttl=(\d{1,9})$/;

/**
 * Parses `x-frugal-cache: no-cache | no-store | ttl=SECONDS` (several may be combined with commas).
 * A directive it does not know is an error, not ignored: a client that believes it turned caching off
 * must not be served from the cache because of a typo.
 */
export function parseCacheHeader(value: string | string[] | undefined): CacheDirectives {
  const directives: CacheDirectives = { noCache: false, noStore: false, ttlSeconds: undefined };
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  for (const item of raw.split(',')) {
    const directive = item.trim().toLowerCase();
    if (directive === '') continue;
    if (directive === 'no-cache') directives.noCache = true;
    else if (directive === 'no-store') directives.noStore = true;
    else {
      const ttl = TTL_DIRECTIVE.exec(directive);
      const seconds = ttl ? Number(ttl[1]) : Number.NaN;
      if (!(seconds >= 1 && seconds <= MAX_TTL_SECONDS)) {
        throw new FrugalError(
          'invalid_request',
          `Invalid ${CACHE_HEADER} directive '${item.trim()}': expected no-cache, no-store or ttl=SECONDS (1 to ${MAX_TTL_SECONDS}).`,
          { param: CACHE_HEADER },
        );
      }
      directives.ttlSeconds = seconds;
    }
  }
  return directives;
}

export type CacheDecisionReason = 'cacheable' | 'opted_in' | 'no_store' | 'multiple_choices' | 'temperature';

export interface CacheDecision {
  /** Look the request up in the cache. */
  read: boolean;
  /** Store the fresh answer. */
  write: boolean;
  ttlSeconds: number;
  reason: CacheDecisionReason;
}

export interface CachePolicyOptions {
  /** Highest temperature whose answers are cached without an opt-in. */
  maxTemperature?: number;
  /** TTL when the request names none (the route's, or 24 h). */
  defaultTtlSeconds?: number;
}

/**
 * Whether a request may be answered from, and stored into, the cache. The rule, in order:
 *
 * 1. `n > 1` is never cached: the client asked for several different samples.
 * 2. `no-store` turns caching off for the request.
 * 3. A request is cacheable when its temperature is set and at most `maxTemperature` (0.3), because such
 *    answers barely vary. An absent temperature means the provider's default — 1 for OpenAI — so it is
 *    not cacheable unless the client opts in with `ttl=SECONDS`, which says "a stored answer is fine".
 * 4. `no-cache` skips the read but still stores the fresh answer (a refresh).
 *
 * @example
 * const decision = decideCaching(request, parseCacheHeader(headers['x-frugal-cache']));
 */
export function decideCaching(request: ChatRequest, directives: CacheDirectives, options: CachePolicyOptions = {}): CacheDecision {
  const maxTemperature = options.maxTemperature ?? 0.3;
  const ttlSeconds = directives.ttlSeconds ?? options.defaultTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS;
  const off = (reason: CacheDecisionReason): CacheDecision => ({ read: false, write: false, ttlSeconds, reason });
  if (typeof request.n === 'number' && request.n > 1) return off('multiple_choices');
  if (directives.noStore) return off('no_store');
  const temperature = request.temperature;
  const lowTemperature = typeof temperature === 'number' && temperature <= maxTemperature;
  if (!lowTemperature && directives.ttlSeconds === undefined) return off('temperature');
  return { read: !directives.noCache, write: true, ttlSeconds, reason: lowTemperature ? 'cacheable' : 'opted_in' };
}

/** Finish reasons of an answer that ended on its own: the only ones worth serving again. */
const COMPLETE_FINISH_REASONS: ReadonlySet<unknown> = new Set(['stop', 'tool_calls']);
/** Anthropic stop reasons (of a native answer) that say the turn is not over, though they map to `stop`. */
const UNFINISHED_ANTHROPIC_STOPS: ReadonlySet<unknown> = new Set(['pause_turn']);

/**
 * Whether an answer may be stored: every choice ended on its own (`stop` or `tool_calls`) and none is a refusal.
 * A truncated answer (`length`), a filtered one (`content_filter`), a refusal, an unknown or missing finish, or an
 * Anthropic turn paused by a server tool would otherwise be served again for a day to a client that retries
 * precisely because the answer was cut short or refused. Given the request, an answer that fails what it asked
 * for is not stored either: text that does not parse as JSON under `response_format` json_object / json_schema.
 */
export function isStorableAnswer(response: ChatResponse, request?: ChatRequest): boolean {
  if (!Array.isArray(response.choices) || response.choices.length === 0) return false;
  const wantsJson = request !== undefined && asksForJson(request);
  return response.choices.every((choice) => {
    if (!COMPLETE_FINISH_REASONS.has(choice.finish_reason)) return false;
    const message = choice.message as unknown as Record<string, unknown> | undefined;
    if (typeof message?.refusal === 'string' && message.refusal !== '') return false;
    if (wantsJson && choice.finish_reason === 'stop' && !isJsonText(contentText(choice.message?.content))) return false;
    return !UNFINISHED_ANTHROPIC_STOPS.has(anthropicMessageOf(message)?.stop_reason);
  });
}

function asksForJson(request: ChatRequest): boolean {
  const type = (request.response_format as { type?: unknown } | null | undefined)?.type;
  return type === 'json_object' || type === 'json_schema';
}

/** A model that ignored the JSON mode (or a cascade tier that slipped through) must not be replayed for a day. */
function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export type CacheStatus =
  | { kind: 'hit' }
  | { kind: 'semantic-hit'; similarity: number }
  | { kind: 'miss' }
  | { kind: 'bypass' };

/**
 * The response header value: `hit`, `semantic-hit;sim=0.95`, `miss` or `bypass`. The similarity is
 * truncated, not rounded, so a reported value never exceeds the real one (0.9199 is not shown as 0.92).
 */
export function formatCacheStatus(status: CacheStatus): string {
  if (status.kind !== 'semantic-hit') return status.kind;
  // The epsilon absorbs binary float error (0.95 * 1000 may be 949.99…), far below the shown precision.
  const truncated = Math.floor(Math.min(1, Math.max(0, status.similarity)) * 1000 + 1e-9) / 1000;
  return `semantic-hit;sim=${truncated}`;
}
