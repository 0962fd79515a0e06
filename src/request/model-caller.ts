import type { ModelEntry } from '../config/gateway-config.js';
import type { ChatRequest } from '../wire/chat-types.js';
import type { ChatOutcome, RequestContext } from './request-context.js';

export interface AttemptOptions {
  /** Aborts this attempt only (a hedge that lost, a first-token timeout); the client's signal still applies. */
  signal?: AbortSignal;
  /** Ask for a non-streamed answer even if the client streams (cascade tiers buffer to check quality). */
  buffered?: boolean;
  /** Request changes this attempt needs (e.g. logprobs for a confidence check); each is said in warnings. */
  overrides?: Partial<ChatRequest>;
  /** Skip (with a retryable error) a model whose context window or capabilities can't take the request. */
  fitCheck?: boolean;
}

/** Calls one model for a request. Every finished attempt adds its tokens and cost to `context.spend`. */
export type ModelCaller = (context: RequestContext, model: ModelEntry, options?: AttemptOptions) => Promise<ChatOutcome>;
