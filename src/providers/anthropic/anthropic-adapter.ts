import { request, type Dispatcher } from 'undici';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk, ChatRequest } from '../chat-types.js';
import { createUpstreamDispatcher, transportError } from '../http/upstream-http.js';
import type { CallOptions, ChatResult, ChatStreamResult, EmbeddingResult, ProviderAdapter } from '../provider-adapter.js';
import { parseSse } from '../sse/parse-sse.js';
import { anthropicUpstreamError } from './anthropic-error.js';
import { convertAnthropicStream, createAnthropicStreamConverter } from './anthropic-stream.js';
import type { AnthropicResponse } from './anthropic-types.js';
import { convertAnthropicResponse } from './convert-anthropic-response.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages.js';
import { insertCacheBreakpoints } from './insert-cache-breakpoints.js';

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
  const endpoint = `${(options.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/messages`;
  const dispatcher =
    options.dispatcher ?? createUpstreamDispatcher({ connections: options.connections, headersTimeoutMs: options.firstByteTimeoutMs });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...options.headers };
  if (apiKey) headers['x-api-key'] = apiKey;
  const secrets = [apiKey];
  const now = options.now ?? Date.now;

  function callSignal(signal: AbortSignal): AbortSignal {
    return options.timeoutMs === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]);
  }

  async function post(body: unknown, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(endpoint, { method: 'POST', headers, body: JSON.stringify(body), dispatcher, signal });
    } catch (error) {
      throw transportError(name, error, signal);
    }
    if (response.statusCode >= 400) {
      const bodyText = await response.body.text().catch(() => '');
      throw anthropicUpstreamError(name, { status: response.statusCode, bodyText, headers: response.headers }, secrets, now());
    }
    return response;
  }

  function prepare(chatRequest: ChatRequest) {
    const converted = convertToAnthropicMessages(chatRequest, { defaultMaxTokens: options.defaultMaxTokens });
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
      const { body, warnings } = prepare(chatRequest);
      const combined = callSignal(signal);
      const response = await post(body, combined);
      let text: string;
      try {
        text = await response.body.text();
      } catch (error) {
        throw transportError(name, error, combined);
      }
      let message: AnthropicResponse;
      try {
        message = JSON.parse(text) as AnthropicResponse;
      } catch {
        throw new FrugalError('upstream_bad_response', `Provider '${name}' sent a response that is not valid JSON.`, { retryable: true });
      }
      if (message?.type !== 'message' || !Array.isArray(message.content)) {
        throw new FrugalError('upstream_bad_response', `Provider '${name}' sent a response that is not a message.`, { retryable: true });
      }
      const converted = convertAnthropicResponse(message, Math.floor(now() / 1000));
      // No usage reported stays unknown (the pipeline estimates), never zero.
      return { response: converted, usage: message.usage ? convertAnthropicUsage(message.usage) : undefined, warnings };
    },

    async streamChat(chatRequest: ChatRequest, { signal }: CallOptions): Promise<ChatStreamResult> {
      const { body, warnings } = prepare(chatRequest);
      const combined = callSignal(signal);
      const response = await post({ ...body, stream: true }, combined);
      const converter = createAnthropicStreamConverter({ provider: name, createdSeconds: Math.floor(now() / 1000), secrets });

      async function* convert(): AsyncGenerator<ChatChunk> {
        let complete = false;
        try {
          yield* convertAnthropicStream(parseSse(response.body), converter, name);
          complete = true;
        } catch (error) {
          throw transportError(name, error, combined);
        } finally {
          // Stops the upstream generating (and billing) tokens nobody will read.
          if (!complete) response.body.destroy();
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

    async embed(): Promise<EmbeddingResult> {
      throw new FrugalError('not_supported', `Provider '${name}' (Anthropic) has no embeddings API.`, { param: 'model' });
    },

    async close() {
      if (!options.dispatcher) await dispatcher.close();
    },
  };
}
