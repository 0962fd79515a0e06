import { describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import { requestParametersOf } from '../request-parameters.js';
import type { UpstreamAttemptEvent } from '../upstream-attempt-event.js';
import { attemptEndAttributes, errorType, finishReasonsForCaller, requestBodyAttributes, routingEventOf } from './genai-attributes.js';

function attempt(overrides: Partial<UpstreamAttemptEvent> = {}): UpstreamAttemptEvent {
  return {
    requestId: 'frg-1',
    provider: 'anthropic',
    model: 'claude-haiku',
    upstreamModel: 'claude-haiku-4-5',
    operation: 'chat',
    stream: false,
    parameters: requestParametersOf({}),
    startedHr: 0,
    firstChunkMs: null,
    responseModel: undefined,
    responseId: undefined,
    finishReasons: [],
    providerFinishReasons: [],
    usage: { promptTokens: 1200, completionTokens: 40, cachedPromptTokens: 1000, cacheCreationTokens: 150, reasoningTokens: 25, estimated: false },
    costNanos: 1_250_000,
    error: undefined,
    cancelled: false,
    ...overrides,
  };
}

describe('GenAI span attributes', () => {
  it('reports cache read and cache creation tokens beside input tokens, and the cost in USD', () => {
    expect(attemptEndAttributes(attempt())).toMatchObject({
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 40,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.cache_creation.input_tokens': 150,
      'gen_ai.usage.reasoning.output_tokens': 25,
      'frugal.cost_usd': 0.00125,
    });
  });

  it('marks an attempt we cancelled (a losing hedge) as cancelled, not as an upstream error', () => {
    const cancelled = attemptEndAttributes(attempt({ error: new FrugalError('upstream_timeout', 'cancelled'), cancelled: true, usage: undefined }));
    expect(cancelled['frugal.attempt.cancelled']).toBe(true);
    expect(cancelled['error.type']).toBeUndefined();
    const failed = attemptEndAttributes(attempt({ error: new FrugalError('upstream_error', 'boom', { upstreamCode: 'overloaded_error' }), usage: undefined }));
    expect(failed['error.type']).toBe('overloaded_error');
  });

  it('fills a finish reason the stream never sent for a choice with none', () => {
    const reasons: string[] = [];
    reasons[1] = 'length';
    expect(attemptEndAttributes(attempt({ finishReasons: reasons, providerFinishReasons: reasons }))['gen_ai.response.finish_reasons']).toEqual(['none', 'length']);
  });

  it('gives the attempt the provider’s own finish reasons (Anthropic’s), not the OpenAI ones clients get', () => {
    const attributes = attemptEndAttributes(attempt({ finishReasons: ['stop'], providerFinishReasons: ['end_turn'] }));
    expect(attributes['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
  });

  it('names the error by its code, never its message', () => {
    expect(errorType(new FrugalError('upstream_timeout', 'Provider x timed out with key sk-123'))).toBe('upstream_timeout');
    expect(errorType(new TypeError('sk-123 leaked'))).toBe('TypeError');
  });

  it('turns hedges and fallbacks into span events with their parties', () => {
    expect(routingEventOf({ type: 'hedge', route: 'fast', primary: 'a', hedge: 'b', winner: 'b' })).toEqual({
      name: 'frugal.route.hedge',
      attributes: { 'frugal.route': 'fast', 'frugal.primary': 'a', 'frugal.hedge': 'b', 'frugal.winner': 'b' },
    });
    expect(routingEventOf({ type: 'fallback', route: 'safe', from: 'a', reason: 'upstream_error' }).name).toBe('frugal.route.fallback');
  });

  it('reads model and sampling parameters from a body, never its messages', () => {
    const attributes = requestBodyAttributes({ model: 'x'.repeat(1000), messages: [{ role: 'user', content: 'secret prompt' }], max_output_tokens: 9, top_p: 0.5 });
    expect(attributes).toEqual({ 'gen_ai.request.model': 'x'.repeat(256), 'gen_ai.request.max_tokens': 9, 'gen_ai.request.top_p': 0.5 });
  });

  it('reads the parameters of each API shape: Chat Completions, Responses and Messages', () => {
    expect(requestBodyAttributes({ model: 'm', stop: 'END', n: 1, seed: 0, response_format: { type: 'text' } })).toEqual({
      'gen_ai.request.model': 'm',
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.seed': 0,
      'gen_ai.output.type': 'text',
    });
    expect(requestBodyAttributes({ model: 'm', input: 'hi', text: { format: { type: 'json_schema', name: 'x', schema: {} } }, max_output_tokens: 5 })).toEqual({
      'gen_ai.request.model': 'm',
      'gen_ai.request.max_tokens': 5,
      'gen_ai.output.type': 'json',
    });
    expect(requestBodyAttributes({ model: 'm', max_tokens: 9, stop_sequences: ['a'], top_k: 3, temperature: 1 })).toEqual({
      'gen_ai.request.model': 'm',
      'gen_ai.request.max_tokens': 9,
      'gen_ai.request.stop_sequences': ['a'],
      'gen_ai.request.top_k': 3,
      'gen_ai.request.temperature': 1,
    });
  });

  it('bounds stop sequences, which are the caller\'s text', () => {
    const stops = requestBodyAttributes({ stop_sequences: Array.from({ length: 50 }, () => 'y'.repeat(1000)) })['gen_ai.request.stop_sequences'] as string[];
    expect(stops).toHaveLength(16);
    expect(stops[0]).toHaveLength(256);
  });

  it('answers a Messages caller in Anthropic stop reasons and everyone else in OpenAI finish reasons', () => {
    expect(finishReasonsForCaller('/v1/messages', ['stop', 'length', 'tool_calls', 'none'])).toEqual(['end_turn', 'max_tokens', 'tool_use', 'none']);
    expect(finishReasonsForCaller('/v1/chat/completions', ['stop', 'length'])).toEqual(['stop', 'length']);
  });

  it('never exports a key a caller pasted as the model', () => {
    const attributes = requestBodyAttributes({ model: 'fk-vk_abcdef123456-SECRETSECRETSECRET', max_tokens: 5 });
    expect(attributes['gen_ai.request.model']).toBe('[redacted]');
    expect(JSON.stringify(attributes)).not.toContain('SECRETSECRET');
  });
});
