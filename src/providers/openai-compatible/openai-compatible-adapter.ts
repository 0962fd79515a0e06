import type { Dispatcher } from 'undici';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse, OpenAIUsage } from '../../wire/chat-types.js';
import { callDeadline, createUpstreamDispatcher, transportError, upstreamTarget } from '../http/upstream-http.js';
import { DEFAULT_UPSTREAM_LIMITS, readCappedText, readErrorText, upstreamTooLarge, type UpstreamLimits } from '../http/upstream-limits.js';
import type { CallOptions, ChatResult, ChatStreamResult, EmbeddingResult, ProviderAdapter } from '../provider-adapter.js';
import { serializeRequest } from '../serialize-request.js';
import { announceUpstreamPeer, upstreamPeer } from '../../telemetry/upstream-peer.js';
import { keepWireText } from '../../wire/sse/chunk-wire-text.js';
import { SseDecoder } from '../../wire/sse/parse-sse.js';
import { usageFromOpenAI, type TokenUsage } from '../../wire/token-usage.js';
import { openAIStreamError, openAIUpstreamError } from './openai-error.js';

export interface OpenAICompatibleOptions {
  name: string;
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:8000/v1 (vLLM, Ollama, llama.cpp server). */
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  connections?: number;
  firstByteTimeoutMs?: number;
  /** Total time a call may take. */
  timeoutMs?: number;
  /** What one answer may make us read (default DEFAULT_UPSTREAM_LIMITS). */
  limits?: Partial<UpstreamLimits>;
  dispatcher?: Dispatcher;
}

/**
 * Any OpenAI-compatible upstream (OpenAI, DeepSeek, Qwen, GLM, Groq, vLLM, Ollama…): configuration, not code.
 * @example createOpenAICompatibleAdapter({ name: 'local', baseUrl: 'http://127.0.0.1:8000/v1' })
 */
export function createOpenAICompatibleAdapter(options: OpenAICompatibleOptions): ProviderAdapter {
  const { name, apiKey } = options;
  const base = options.baseUrl.replace(/\/+$/, '');
  const dispatcher =
    options.dispatcher ?? createUpstreamDispatcher({ connections: options.connections, headersTimeoutMs: options.firstByteTimeoutMs });
  const target = upstreamTarget(base, dispatcher);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const secrets = [apiKey];
  const peer = upstreamPeer('openai', base);
  const limits: UpstreamLimits = { ...DEFAULT_UPSTREAM_LIMITS, ...options.limits };
  const sseLimits = { maxBytes: limits.maxResponseBytes, maxEvents: limits.maxStreamEvents, tooLarge: (what: 'bytes' | 'events') => upstreamTooLarge(name, what === 'bytes' ? `a stream longer than ${limits.maxResponseBytes} bytes (max_response_mb)` : `more than ${limits.maxStreamEvents} stream events (max_stream_events)`) };

  /** The provider's `timeout_ms`, held by the call: see callDeadline for why not AbortSignal.timeout. */
  function deadline(signal: AbortSignal) {
    const timeoutMs = options.timeoutMs;
    return callDeadline(signal, timeoutMs, () => new FrugalError('upstream_timeout', `Provider '${name}' took longer than ${timeoutMs} ms.`, { retryable: true, upstreamFailure: true }));
  }

  async function post(path: string, body: unknown, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    // Serialised before the try: a request we cannot serialise is our side's problem, not an unreachable upstream.
    const text = serializeRequest(body);
    announceUpstreamPeer(peer);
    let response: Dispatcher.ResponseData;
    try {
      response = await target.request(path, { method: 'POST', headers, body: text, signal });
    } catch (error) {
      throw transportError(name, error, signal);
    }
    if (response.statusCode >= 400) {
      throw openAIUpstreamError(name, response.statusCode, await readErrorText(response), response.headers['retry-after'], secrets);
    }
    return response;
  }

  async function readJson<T>(response: Dispatcher.ResponseData, signal: AbortSignal): Promise<T> {
    return (await readJsonWithText<T>(response, signal)).parsed;
  }

  async function readJsonWithText<T>(response: Dispatcher.ResponseData, signal: AbortSignal): Promise<{ parsed: T; text: string }> {
    let text: string;
    try {
      text = await readCappedText(name, response, limits.maxResponseBytes);
    } catch (error) {
      throw transportError(name, error, signal);
    }
    try {
      return { parsed: JSON.parse(text) as T, text };
    } catch {
      throw new FrugalError('upstream_bad_response', `Provider '${name}' sent a response that is not valid JSON.`, { retryable: true, upstreamFailure: true });
    }
  }

  return {
    name,
    kind: 'openai',

    async chat(chatRequest: ChatRequest, { signal }: CallOptions): Promise<ChatResult> {
      const call = deadline(signal);
      try {
        const response = await post('/chat/completions', chatRequest, call.signal);
        const { parsed: body, text } = await readJsonWithText<ChatResponse>(response, call.signal);
        if (!Array.isArray(body?.choices)) {
          throw new FrugalError('upstream_bad_response', `Provider '${name}' sent a chat completion without choices.`, { retryable: true, upstreamFailure: true });
        }
        return { response: body, usage: body.usage ? usageFromOpenAI(body.usage) : undefined, warnings: [], wireText: text };
      } finally {
        call.done();
      }
    },

    async streamChat(chatRequest: ChatRequest, { signal }: CallOptions): Promise<ChatStreamResult> {
      const call = deadline(signal);
      const combined = call.signal;
      // Always ask for usage: a streamed call must be priced as exactly as a plain one.
      const upstreamRequest = { ...chatRequest, stream: true, stream_options: { ...chatRequest.stream_options, include_usage: true } };
      let response: Dispatcher.ResponseData;
      try {
        response = await post('/chat/completions', upstreamRequest, combined);
      } catch (error) {
        call.done();
        throw error;
      }
      let usage: TokenUsage | undefined;
      async function* chunks(): AsyncGenerator<ChatChunk> {
        let done = false;
        let finished = false;
        // The SSE decoder runs inside this loop rather than as a generator of its own: one async layer less
        // between the socket and the stages, for every event of every stream.
        const decoder = new SseDecoder(sseLimits);
        const body = response.body[Symbol.asyncIterator]();
        try {
          for (;;) {
            const piece = await body.next();
            for (const event of piece.done ? decoder.end() : decoder.push(piece.value as Uint8Array)) {
              // The answer is complete at [DONE]: end the stream now, in the same turn as its last chunks (so the
              // client's socket gets them and the end in one write), and read the rest of the body in the background.
              if (event.data === '[DONE]') {
                done = true;
                break;
              }
              let chunk: ChatChunk & { error?: { message?: string; type?: string; code?: string } };
              try {
                chunk = JSON.parse(event.data) as typeof chunk;
              } catch {
                throw new FrugalError('upstream_bad_response', `Provider '${name}' sent a stream event that is not valid JSON.`, { upstreamFailure: true });
              }
              if (chunk.error) throw openAIStreamError(name, chunk.error, secrets);
              if (chunk.usage) usage = usageFromOpenAI(chunk.usage as OpenAIUsage);
              if (chunk.choices?.some((choice) => choice.finish_reason)) finished = true;
              keepWireText(chunk, event.data);
              yield chunk;
            }
            if (done || piece.done) break;
          }
        } catch (error) {
          throw transportError(name, error, combined);
        } finally {
          // Read on to the end of the body rather than stop it: stopping destroys the socket's stream with an
          // AbortError, whose stack formatting alone cost ~3% of the gateway's CPU per stream, and the socket could
          // not be reused. Past [DONE] nothing is read for the answer; a failure there changes nothing.
          if (done) void drainBody(body);
          else response.body.destroy();
          call.done();
        }
        if (!done && !finished) {
          throw new FrugalError('upstream_bad_response', `Provider '${name}' ended the stream before it was complete.`, { upstreamFailure: true });
        }
      }
      return { chunks: chunks(), usage: () => usage, warnings: [] };
    },

    async embed(embeddingRequest: EmbeddingRequest, { signal }: CallOptions): Promise<EmbeddingResult> {
      const call = deadline(signal);
      let body: EmbeddingResponse;
      try {
        body = await readJson<EmbeddingResponse>(await post('/embeddings', embeddingRequest, call.signal), call.signal);
      } finally {
        call.done();
      }
      const usage = body.usage
        ? { promptTokens: body.usage.prompt_tokens ?? 0, completionTokens: 0, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false }
        : undefined;
      return { response: body, usage };
    },

    async checkHealth({ signal }: CallOptions): Promise<void> {
      let response: Dispatcher.ResponseData;
      try {
        response = await target.request('/models', { method: 'GET', headers, signal });
      } catch (error) {
        throw transportError(name, error, signal);
      }
      await response.body.dump();
      // Any answer below 500 means the server is up (a 401 or 404 still proves it is reachable).
      if (response.statusCode >= 500) {
        throw new FrugalError('upstream_error', `Provider '${name}' health check answered ${response.statusCode}.`, { status: response.statusCode, retryable: true, upstreamFailure: true });
      }
    },

    async close() {
      if (!options.dispatcher) await dispatcher.close();
    },
  };
}

/** Reads what is left of a stream after its end marker, so the connection goes back to the pool. */
async function drainBody(body: AsyncIterator<unknown>): Promise<void> {
  try {
    while (!(await body.next()).done);
  } catch {
    // The answer was complete; the connection is discarded by undici.
  }
}
