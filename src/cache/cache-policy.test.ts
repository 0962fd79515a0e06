import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import type { ChatRequest, ChatResponse } from '../wire/chat-types.js';
import { decideCaching, formatCacheStatus, isStorableAnswer, parseCacheHeader } from './cache-policy.js';

const request = (fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hi' }],
  ...fields,
});
const none = parseCacheHeader(undefined);

describe('parseCacheHeader', () => {
  it('reads nothing from an absent or empty header', () => {
    expect(parseCacheHeader(undefined)).toEqual({ noCache: false, noStore: false, ttlSeconds: undefined });
    expect(parseCacheHeader('')).toEqual({ noCache: false, noStore: false, ttlSeconds: undefined });
  });

  it('reads each directive, case-insensitively, alone or combined', () => {
    expect(parseCacheHeader('no-cache').noCache).toBe(true);
    expect(parseCacheHeader('No-Store').noStore).toBe(true);
    expect(parseCacheHeader('ttl=600').ttlSeconds).toBe(600);
    expect(parseCacheHeader(' no-cache , ttl=60 ')).toEqual({ noCache: true, noStore: false, ttlSeconds: 60 });
    expect(parseCacheHeader(['no-cache', 'ttl=5'])).toEqual({ noCache: true, noStore: false, ttlSeconds: 5 });
  });

  it.each(['nocache', 'no_store', 'ttl=0', 'ttl=-5', 'ttl=1.5', 'ttl=abc', 'ttl=', 'ttl=99999999999'])(
    'rejects %s with an invalid_request error naming the header',
    (value) => {
      try {
        parseCacheHeader(value);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(FrugalError);
        expect((error as FrugalError).code).toBe('invalid_request');
        expect((error as FrugalError).param).toBe('x-frugal-cache');
      }
    },
  );
});

describe('decideCaching', () => {
  it('caches a low-temperature request with the default 24 h TTL', () => {
    expect(decideCaching(request({ temperature: 0 }), none)).toEqual({ read: true, write: true, ttlSeconds: 86_400, reason: 'cacheable' });
    expect(decideCaching(request({ temperature: 0.3 }), none).reason).toBe('cacheable');
  });

  it('does not cache above 0.3, nor an absent temperature (the provider default of 1)', () => {
    expect(decideCaching(request({ temperature: 0.31 }), none)).toMatchObject({ read: false, write: false, reason: 'temperature' });
    expect(decideCaching(request(), none)).toMatchObject({ read: false, write: false, reason: 'temperature' });
    expect(decideCaching(request({ temperature: null }), none)).toMatchObject({ read: false, write: false });
  });

  it('caches a high-temperature request when the client opts in with ttl=', () => {
    expect(decideCaching(request(), parseCacheHeader('ttl=120'))).toEqual({ read: true, write: true, ttlSeconds: 120, reason: 'opted_in' });
  });

  it('never caches n > 1, even when opted in', () => {
    expect(decideCaching(request({ temperature: 0, n: 3 }), parseCacheHeader('ttl=60'))).toMatchObject({ read: false, write: false, reason: 'multiple_choices' });
    expect(decideCaching(request({ temperature: 0, n: 1 }), none).read).toBe(true);
  });

  it('skips the read but stores on no-cache, and does neither on no-store', () => {
    expect(decideCaching(request({ temperature: 0 }), parseCacheHeader('no-cache'))).toMatchObject({ read: false, write: true });
    expect(decideCaching(request({ temperature: 0 }), parseCacheHeader('no-store'))).toMatchObject({ read: false, write: false, reason: 'no_store' });
  });

  it('honours a configured temperature limit and default TTL', () => {
    const decision = decideCaching(request({ temperature: 0.5 }), none, { maxTemperature: 0.7, defaultTtlSeconds: 300 });
    expect(decision).toEqual({ read: true, write: true, ttlSeconds: 300, reason: 'cacheable' });
  });
});

describe('formatCacheStatus', () => {
  it('formats each outcome', () => {
    expect(formatCacheStatus({ kind: 'hit' })).toBe('hit');
    expect(formatCacheStatus({ kind: 'miss' })).toBe('miss');
    expect(formatCacheStatus({ kind: 'bypass' })).toBe('bypass');
    expect(formatCacheStatus({ kind: 'semantic-hit', similarity: 0.95 })).toBe('semantic-hit;sim=0.95');
  });

  it('truncates the similarity so it never reads higher than it was', () => {
    expect(formatCacheStatus({ kind: 'semantic-hit', similarity: 0.91999 })).toBe('semantic-hit;sim=0.919');
    expect(formatCacheStatus({ kind: 'semantic-hit', similarity: 1.0000001 })).toBe('semantic-hit;sim=1');
  });
});

describe('isStorableAnswer', () => {
  const answer = (choice: Record<string, unknown> = {}, message: Record<string, unknown> = {}): ChatResponse =>
    ({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hi', refusal: null, ...message }, ...choice }] }) as ChatResponse;

  it('stores answers that ended on their own: a stop or a tool call', () => {
    expect(isStorableAnswer(answer())).toBe(true);
    expect(isStorableAnswer(answer({ finish_reason: 'tool_calls' }, { content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }))).toBe(true);
  });

  it.each(['length', 'content_filter', null, 'function_call', 'something_new'])('never stores an answer that finished with %s', (finish) => {
    expect(isStorableAnswer(answer({ finish_reason: finish }))).toBe(false);
  });

  it('never stores a refusal, an answer without choices, or an Anthropic turn paused by a server tool', () => {
    expect(isStorableAnswer(answer({}, { content: null, refusal: 'I cannot help with that.' }))).toBe(false);
    expect(isStorableAnswer({ ...answer(), choices: [] })).toBe(false);
    const paused = { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'text', text: 'Searching…' }], stop_reason: 'pause_turn' };
    expect(isStorableAnswer(answer({}, { anthropic_message: paused }))).toBe(false);
    expect(isStorableAnswer(answer({}, { anthropic_message: { ...paused, stop_reason: 'end_turn' } }))).toBe(true);
  });
});
