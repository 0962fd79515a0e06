import type { Dispatcher } from 'undici';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk, ChatRequest } from '../../wire/chat-types.js';
import { callDeadline, createUpstreamDispatcher, transportError, upstreamTarget } from '../http/upstream-http.js';
import { DEFAULT_UPSTREAM_LIMITS, readCappedText, readErrorText, upstreamTooLarge, type UpstreamLimits } from '../http/upstream-limits.js';
import type { CallOptions, ChatResult, ChatStreamResult, EmbeddingResult, ProviderAdapter } from '../provider-adapter.js';
import { serializeRequest } from '../serialize-request.js';
import { announceUpstreamPeer, upstreamPeer } from '../../telemetry/upstream-peer.js';
import { parseSse } from '../../wire/sse/parse-sse.js';
import { tokenCount } from '../../wire/token-usage.js';
import { anthropicUpstreamError } from './anthropic-error.js';
import { convertAnthropicStream, createAnthropicStreamConverter } from './anthropic-stream.js';
import { ANTHROPIC_MESSAGE_FIELD, anthropicNativeOf } from '../../wire/anthropic/anthropic-native.js';
import type { AnthropicMessagesRequest, AnthropicResponse } from '../../wire/anthropic/anthropic-types.js';
import { convertAnthropicResponse } from './convert-anthropic-response.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages.js';
import { insertCacheBreakpoints } from './insert-cache-breakpoints.js';

interface PreparedRequest {
  body: AnthropicMessagesRequest;
  warnings: string[];
  /** anthropic-beta values the client sent (native requests only). */
  betas: readonly string[];
  /** True when the body is the client's own Messages request. */
  native: boolean;
}

const NOT_COUNTED = ['max_tokens', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'metadata', 'service_tier'];

/** The configured headers plus a client's betas (a configured anthropic-beta is kept, the client's appended). */
function withBetas(headers: Record<string, string>, betas: readonly string[]): Record<string, string> {
  if (betas.length === 0) return headers;
  const configured = headers['anthropic-beta'];
  return { ...headers, 'anthropic-beta': [...(configured ? [configured] : []), ...betas].join(',') };
}

/** The API version whose wire format the converters speak (and which still takes temperature and top_p). */
export const ANTHROPIC_VERSION = '2023-06-01';

export interface AnthropicAdapterOptions {
  name: string;
  /** https://api.anthropic.com, or a proxy speaking the same API; a trailing /v1 is accepted. */
  baseUrl?: string;
  apiKey?: string;
  /** Extra headers, e.g. anthropic-beta. */
  headers?: Record<string, string>;
  /** max_tokens sent when a client sets none (Anthropic requires one). Default 4096. */
  defaultMaxTokens?: number;
  connections?: number;
  firstByteTimeoutMs?: number;
  /** Total time a call may take. */
  timeoutMs?: number;
  /** What one answer may make us read (default DEFAULT_UPSTREAM_LIMITS). */
  limits?: Partial<UpstreamLimits>;
  dispatcher?: Dispatcher;
  /** Clock for `created` (ms since epoch); passed in so tests are exact. */
  now?: () => number;
  /** Insert `cache_control` breakpoints after long static prefixes (system prompt, tools) of at least this many tokens. */
  promptCachingMinTokens?: number;
}

/**
 * Anthropic's Messages API behind the one ProviderAdapter interface: OpenAI requests in, OpenAI responses and
 * chunks out, with every dropped parameter reported as a warning. The API key is sent only as x-api-key and
 * redacted from anything an upstream echoes back.
 * @example createAnthropicAdapter({ name: 'anthropic', apiKey: process.env.ANTHROPIC_API_KEY })
 */
export function createAnthropicAdapter(options: AnthropicAdapterOptions): ProviderAdapter {
  const { name, apiKey } = options;
  const root = (options.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '').replace(/\/v1$/, '');
  const endpoint = `${root}/v1/messages`;
  const dispatcher =
    options.dispatcher ?? createUpstreamDispatcher({ connections: options.connections, headersTimeoutMs: options.firstByteTimeoutMs });
  const target = upstreamTarget(root, dispatcher);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...options.headers };
  if (apiKey) headers['x-api-key'] = apiKey;
  const secrets = [apiKey];
  const peer = upstreamPeer('anthropic', endpoint);
  const now = options.now ?? Date.now;
  const limits: UpstreamLimits = { ...DEFAULT_UPSTREAM_LIMITS, ...options.limits };
  const sseLimits = { maxBytes: limits.maxResponseBytes, maxEvents: limits.maxStreamEvents, tooLarge: (what: 'bytes' | 'events') => upstreamTooLarge(name, what === 'bytes' ? `a stream longer than ${limits.maxResponseBytes} bytes (max_response_mb)` : `more than ${limits.maxStreamEvents} stream events (max_stream_events)`) };

  /** The provider's `timeout_ms`, held by the call: see callDeadline for why not AbortSignal.timeout. */
  function deadline(signal: AbortSignal) {
    const timeoutMs = options.timeoutMs;
    return callDeadline(signal, timeoutMs, () => new FrugalError('upstream_timeout', `Provider '${name}' took longer than ${timeoutMs} ms.`, { retryable: true, upstreamFailure: true }));
  }

  async function post(body: unknown, signal: AbortSignal, betas: readonly string[] = [], path = '/v1/messages'): Promise<Dispatcher.ResponseData> {
    // Serialised before the try: a request we cannot serialise is our side's problem, not an unreachable upstream.
    const text = serializeRequest(body);
    announceUpstreamPeer(peer);
    let response: Dispatcher.ResponseData;
    try {
      response = await target.request(path, { method: 'POST', headers: withBetas(headers, betas), body: text, signal });
    } catch (error) {
      throw transportError(name, error, signal);
    }
    if (response.statusCode >= 400) {
      const bodyText = await readErrorText(response);
      throw anthropicUpstreamError(name, { status: response.statusCode, bodyText, headers: response.headers }, secrets, now());
    }
    return response;
  }

  /**
   * The client's own Messages body when it came in on /v1/messages and the conversation is still as sent: only the
   * model (the upstream id) and max_tokens (which spend control may set) are taken from the chat request.
   */
  function prepare(chatRequest: ChatRequest): PreparedRequest {
    const native = anthropicNativeOf(chatRequest);
    if (native?.matches(chatRequest.messages)) {
      const body: AnthropicMessagesRequest = { ...native.body, model: chatRequest.model, max_tokens: chatRequest.max_tokens ?? native.body.max_tokens };
      delete body.stream;
      return { body, warnings: [], betas: native.betas, native: true };
    }
    const translated = translate(chatRequest);
    // The thinking switch lives only in the native body (see messagesToChatRequest); the translation keeps it.
    if (native?.body.thinking !== undefined) translated.body.thinking = native.body.thinking;
    if (native) translated.warnings.push('sent a translation of the Messages request: the conversation was rewritten (token reduction), so cache_control and thinking blocks were not kept');
    return { ...translated, betas: native?.betas ?? [], native: false };
  }

  function translate(chatRequest: ChatRequest) {
    let converted: ReturnType<typeof convertToAnthropicMessages>;
    try {
      converted = convertToAnthropicMessages(chatRequest, { defaultMaxTokens: options.defaultMaxTokens });
    } catch (error) {
      // Tool arguments are stringified on the way; too deep a value is the request's fault (see serializeRequest).
      if (error instanceof RangeError) throw new FrugalError('invalid_request', 'The request is nested too deeply to be sent upstream.', { cause: error });
      throw error;
    }
    if (options.promptCachingMinTokens !== undefined) {
      const marked = insertCacheBreakpoints(converted.body, options.promptCachingMinTokens);
      if (marked.length > 0) converted.warnings.push(`added prompt-cache breakpoint after ${marked.join(' and ')}`);
    }
    return converted;
  }

  return {
    name,
    kind: 'anthropic',

    async chat(chatRequest: ChatRequest, { signal }: CallOptions): Promise<ChatResult> {
      const { body, warnings, betas, native } = prepare(chatRequest);
      const call = deadline(signal);
      let text: string;
      try {
        const response = await post(body, call.signal, betas);
        text = await readCappedText(name, response, limits.maxResponseBytes);
      } catch (error) {
        throw transportError(name, error, call.signal);
      } finally {
        call.done();
      }
      let message: AnthropicResponse;
      try {
        message = JSON.parse(text) as AnthropicResponse;
      } catch {
        throw new FrugalError('upstream_bad_response', `Provider '${name}' sent a response that is not valid JSON.`, { retryable: true, upstreamFailure: true });
      }
      if (message?.type !== 'message' || !Array.isArray(message.content)) {
        throw new FrugalError('upstream_bad_response', `Provider '${name}' sent a response that is not a message.`, { retryable: true, upstreamFailure: true });
      }
      const converted = convertAnthropicResponse(message, Math.floor(now() / 1000));
      // A native request is answered with Anthropic's own message (signatures, redacted thinking, citations).
      if (native) converted.choices[0].message[ANTHROPIC_MESSAGE_FIELD] = message;
      // No usage reported stays unknown (the pipeline estimates), never zero.
      return { response: converted, usage: message.usage ? convertAnthropicUsage(message.usage) : undefined, warnings };
    },

    async streamChat(chatRequest: ChatRequest, { signal }: CallOptions): Promise<ChatStreamResult> {
      const { body, warnings, betas, native } = prepare(chatRequest);
      const call = deadline(signal);
      const combined = call.signal;
      let response: Dispatcher.ResponseData;
      try {
        response = await post({ ...body, stream: true }, combined, betas);
      } catch (error) {
        call.done();
        throw error;
      }
      const converter = createAnthropicStreamConverter({ provider: name, createdSeconds: Math.floor(now() / 1000), secrets, keepEvents: native });

      async function* convert(): AsyncGenerator<ChatChunk> {
        let complete = false;
        try {
          yield* convertAnthropicStream(parseSse(response.body, sseLimits), converter, name);
          complete = true;
        } catch (error) {
          throw transportError(name, error, combined);
        } finally {
          // Stops the upstream generating (and billing) tokens nobody will read.
          if (!complete) response.body.destroy();
          call.done();
        }
      }

      // Wait for message_start before resolving: Anthropic often reports overload as an `error` event right after
      // the 200, and failing here, before any chunk reached the client, lets the pipeline fall back.
      const chunks = convert();
      const first = await chunks.next();
      async function* replay(): AsyncGenerator<ChatChunk> {
        if (first.done) return;
        yield first.value;
        yield* chunks;
      }
      return { chunks: replay(), usage: () => converter.usage(), warnings };
    },

    async countTokens(chatRequest: ChatRequest, { signal }: CallOptions): Promise<number> {
      const { body, betas } = prepare(chatRequest);
      const countBody: Record<string, unknown> = { ...body };
      // count_tokens takes the prompt only; sampling and output fields are refused there.
      for (const field of NOT_COUNTED) delete countBody[field];
      const call = deadline(signal);
      let text: string;
      try {
        const response = await post(countBody, call.signal, betas, '/v1/messages/count_tokens');
        text = await readCappedText(name, response, limits.maxResponseBytes);
      } catch (error) {
        throw transportError(name, error, call.signal);
      } finally {
        call.done();
      }
      let counted: { input_tokens?: unknown };
      try {
        counted = JSON.parse(text) as { input_tokens?: unknown };
      } catch {
        counted = {};
      }
      // A negative, fractional or non-numeric count is no count (tokenCount reads absent as 0, hence the null check).
      const inputTokens = counted?.input_tokens == null ? undefined : tokenCount(counted.input_tokens);
      if (inputTokens === undefined) {
        throw new FrugalError('upstream_bad_response', `Provider '${name}' sent a token count without a usable input_tokens.`, { retryable: true, upstreamFailure: true });
      }
      return inputTokens;
    },

    async embed(): Promise<EmbeddingResult> {
      throw new FrugalError('not_supported', `Provider '${name}' (Anthropic) has no embeddings API.`, { param: 'model' });
    },

    async close() {
      if (!options.dispatcher) await dispatcher.close();
    },
  };
}
