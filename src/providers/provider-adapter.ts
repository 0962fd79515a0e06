import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse } from '../wire/chat-types.js';
import type { TokenUsage } from '../wire/token-usage.js';

export type ProviderKind = 'openai' | 'anthropic' | 'simulated';

export interface CallOptions {
  /** Aborted when the client goes away or a timeout fires; adapters must stop upstream work on it. */
  signal: AbortSignal;
}

export interface ChatResult {
  /** OpenAI-shaped response; `model` is what the upstream reported. */
  response: ChatResponse;
  /** Usage as the provider reported it; undefined when it reported none (the pipeline then estimates). */
  usage: TokenUsage | undefined;
  /** Anything the adapter changed or dropped from the request, said out loud (e.g. "dropped logprobs"). */
  warnings: string[];
  /** The upstream's own JSON text of `response`, when `response` is exactly it parsed (an OpenAI-shaped upstream). */
  wireText?: string;
}

export interface ChatStreamResult {
  /**
   * OpenAI-shaped chunks, in order. When the provider reports usage, the last chunk carries it
   * (`choices: []`, `usage: {...}`), as OpenAI does with `stream_options.include_usage`.
   * Errors after the first chunk are thrown from the iterator as FrugalError.
   */
  chunks: AsyncIterable<ChatChunk>;
  /** Usage reported so far: reflects every chunk yielded before the call. */
  usage(): TokenUsage | undefined;
  warnings: string[];
}

export interface EmbeddingResult {
  response: EmbeddingResponse;
  usage: TokenUsage | undefined;
}

/**
 * The one interface every provider implements. `request.model` is already the upstream model id.
 * Adapters throw FrugalError (codes upstream_*), with `retryable` and `retryAfterSeconds` set, and
 * never log or echo API keys.
 */
export interface ProviderAdapter {
  readonly name: string;
  readonly kind: ProviderKind;
  chat(request: ChatRequest, options: CallOptions): Promise<ChatResult>;
  /** Resolves once the upstream accepted the call (before any chunk), so failures before the first byte can fail over. */
  streamChat(request: ChatRequest, options: CallOptions): Promise<ChatStreamResult>;
  embed(request: EmbeddingRequest, options: CallOptions): Promise<EmbeddingResult>;
  /** The request's input tokens as the provider's own tokenizer counts them (no tokens spent). Optional. */
  countTokens?(request: ChatRequest, options: CallOptions): Promise<number>;
  /** A cheap liveness probe (no tokens spent); throws FrugalError when the upstream is down. Optional. */
  checkHealth?(options: CallOptions): Promise<void>;
  close(): Promise<void>;
}
