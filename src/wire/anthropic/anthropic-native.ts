import type { ChatChunk, ChatMessage, ChatRequest } from '../chat-types.js';
import type { AnthropicMessagesRequest, AnthropicResponse, AnthropicStreamEvent } from './anthropic-types.js';

/** The ChatRequest field that carries a Messages request's original body (see AnthropicNativeRequest). */
export const ANTHROPIC_NATIVE_FIELD = 'anthropic_native';

/**
 * The original Messages body of a request that came in on /v1/messages, riding along its ChatRequest so that an
 * Anthropic upstream receives it as the client sent it (cache_control, thinking blocks with signatures, server
 * tools, betas), while every other upstream gets the translation.
 *
 * - JSON.stringify leaves the field out (`toJSON` answers undefined), so no OpenAI-compatible upstream sees it;
 * - the exact cache key walks own enumerable fields, so it sees `api` and `extras`: Messages requests never share
 *   entries with chat-completions requests, and requests that differ only in what the translation drops differ;
 * - object spreads keep it (`{ ...request, model }`), so it survives the pipeline's copies of the request.
 * The body stays in a private field: never in a key, a log line or an upstream body other than Anthropic's.
 */
export class AnthropicNativeRequest {
  readonly api = 'anthropic-messages';
  /** What the translation cannot express (cache_control, thinking signatures, server tools, betas, unknown fields). */
  readonly extras: unknown[];
  readonly #body: AnthropicMessagesRequest;
  readonly #betas: readonly string[];
  readonly #messages: readonly ChatMessage[];

  constructor(body: AnthropicMessagesRequest, betas: readonly string[], translatedMessages: readonly ChatMessage[], extras: unknown[]) {
    this.#body = body;
    this.#betas = betas;
    this.#messages = translatedMessages;
    this.extras = extras;
  }

  get body(): AnthropicMessagesRequest {
    return this.#body;
  }

  get betas(): readonly string[] {
    return this.#betas;
  }

  /**
   * True while `messages` is still the translation this body was made with. A stage that rewrites the
   * conversation (context pruning, compression) replaces the array, and then the native body is stale.
   */
  matches(messages: readonly ChatMessage[]): boolean {
    return messages === this.#messages;
  }

  toJSON(): undefined {
    return undefined;
  }
}

/** The native body a ChatRequest carries, if it came in on /v1/messages. */
export function anthropicNativeOf(request: ChatRequest): AnthropicNativeRequest | undefined {
  const value = request[ANTHROPIC_NATIVE_FIELD];
  return value instanceof AnthropicNativeRequest ? value : undefined;
}

/**
 * The Anthropic events a chunk stands for, when an Anthropic upstream served a native request. A symbol key:
 * invisible to JSON.stringify (so a chat-completions client never sees it), kept by object spreads.
 */
export const ANTHROPIC_EVENTS: unique symbol = Symbol.for('frugal.anthropic-events');

export type ChunkWithAnthropicEvents = ChatChunk & { [ANTHROPIC_EVENTS]?: AnthropicStreamEvent[] };

export function anthropicEventsOf(chunk: ChatChunk): AnthropicStreamEvent[] | undefined {
  return (chunk as ChunkWithAnthropicEvents)[ANTHROPIC_EVENTS];
}

/**
 * The assistant-message field where an Anthropic upstream puts its own whole message for a native request. A plain
 * field on purpose: the response cache stores it (a streamed answer's last delta carries it, and the stream
 * assembler keeps it), and a replay puts it on the first chunk, so a cached answer keeps its thinking signatures.
 */
export const ANTHROPIC_MESSAGE_FIELD = 'anthropic_message';

/** The Anthropic message a chat message carries (see ANTHROPIC_MESSAGE_FIELD), if any. */
export function anthropicMessageOf(message: Record<string, unknown> | undefined): AnthropicResponse | undefined {
  const value = message?.[ANTHROPIC_MESSAGE_FIELD] as AnthropicResponse | undefined;
  return value?.type === 'message' && Array.isArray(value.content) ? value : undefined;
}

/**
 * A choice's finish reason in the upstream's own words (Anthropic's `stop_reason`: end_turn, max_tokens,
 * stop_sequence, pause_turn…), set by the Anthropic adapter beside OpenAI's `finish_reason`. The upstream attempt's
 * span reports it, as the GenAI conventions ask for the provider's reasons, while clients get OpenAI's. A
 * non-enumerable symbol: never serialised or copied, so no client, cache entry or upstream sees it.
 */
export const PROVIDER_FINISH_REASON: unique symbol = Symbol.for('frugal.provider-finish-reason');

type WithProviderReason = { [PROVIDER_FINISH_REASON]?: string };

/** Marks a choice with the upstream's own finish reason (see PROVIDER_FINISH_REASON); returns the choice. */
export function withProviderFinishReason<T extends object>(choice: T, reason: string | null | undefined): T {
  // Not enumerable: deep equality (tests, the cache's comparisons) and spreads see the choice as it was.
  if (typeof reason === 'string') Object.defineProperty(choice, PROVIDER_FINISH_REASON, { value: reason, enumerable: false, configurable: true });
  return choice;
}

/** The upstream's own finish reason of a choice, when its adapter kept one. */
export function providerFinishReasonOf(choice: object): string | undefined {
  return (choice as WithProviderReason)[PROVIDER_FINISH_REASON];
}
