import type { ChatChunk, ChatRequest, ChatResponse } from '../wire/chat-types.js';
import type { TokenUsage } from '../wire/token-usage.js';
import { providerFinishReasonOf } from '../wire/anthropic/anthropic-native.js';
import { channels } from './events.js';
import { requestParametersOf, type RequestParameters } from './request-parameters.js';

/**
 * One upstream call as tracing sees it. Built only when someone listens (otherwise `beginUpstreamAttempt` returns
 * undefined and the model caller does nothing more). It carries request parameters and response facts, never
 * prompt or answer text, and never a key.
 */
export interface UpstreamAttemptEvent {
  readonly requestId: string;
  /** Configured provider and model names (bounded sets). */
  readonly provider: string;
  readonly model: string;
  /** The model id sent upstream. */
  readonly upstreamModel: string;
  /** gen_ai.operation.name of the call. */
  readonly operation: 'chat' | 'embeddings';
  readonly stream: boolean;
  /** Generation parameters as sent upstream (gen_ai.request.*). */
  readonly parameters: RequestParameters;
  /** performance.now() when the call began. */
  readonly startedHr: number;
  /** ms from the call's start to its first streamed chunk. */
  firstChunkMs: number | null;
  responseModel: string | undefined;
  responseId: string | undefined;
  /** One per choice, in choice order, once known: OpenAI's, which the request span maps for its caller. */
  finishReasons: string[];
  /** The same in the upstream's own words where its adapter kept them (Anthropic's end_turn…), for the attempt span. */
  providerFinishReasons: string[];
  usage: TokenUsage | undefined;
  costNanos: number;
  /** Set when the call (or its stream) failed. */
  error: unknown;
  /** We stopped it ourselves (a hedge that lost, a client that left): no failure of the upstream. */
  cancelled: boolean;
}

/** The attempt's event when a tracer listens; undefined (and nothing else done) otherwise. */
export function beginUpstreamAttempt(
  requestId: string,
  provider: string,
  model: string,
  request: Pick<ChatRequest, 'model' | 'stream'> & Readonly<Record<string, unknown>>,
  operation: UpstreamAttemptEvent['operation'] = 'chat',
): UpstreamAttemptEvent | undefined {
  if (!channels.upstreamAttemptStart.hasSubscribers) return undefined;
  return {
    requestId,
    provider,
    model,
    upstreamModel: request.model,
    operation,
    stream: request.stream === true,
    parameters: requestParametersOf(request),
    startedHr: performance.now(),
    firstChunkMs: null,
    responseModel: undefined,
    responseId: undefined,
    finishReasons: [],
    providerFinishReasons: [],
    usage: undefined,
    costNanos: 0,
    error: undefined,
    cancelled: false,
  };
}

/**
 * Runs the upstream call inside the attempt: subscribers bound to the start channel (a tracer's context storage)
 * see the attempt as current for everything the call does, e.g. the HTTP request that carries `traceparent`.
 */
export function runUpstreamAttempt<T>(event: UpstreamAttemptEvent, call: () => Promise<T>): Promise<T> {
  return channels.upstreamAttemptStart.runStores(event, call);
}

export function noteAttemptResponse(event: UpstreamAttemptEvent, response: ChatResponse): void {
  event.responseModel = response.model;
  event.responseId = response.id;
  event.finishReasons = response.choices.map((choice) => choice.finish_reason ?? 'none');
  event.providerFinishReasons = response.choices.map((choice) => providerFinishReasonOf(choice) ?? choice.finish_reason ?? 'none');
}

export function noteAttemptChunk(event: UpstreamAttemptEvent, chunk: ChatChunk): void {
  if (event.firstChunkMs === null) {
    event.firstChunkMs = performance.now() - event.startedHr;
    event.responseModel = chunk.model;
    event.responseId = chunk.id;
  }
  for (const choice of chunk.choices) {
    if (!choice.finish_reason) continue;
    event.finishReasons[choice.index] = choice.finish_reason;
    event.providerFinishReasons[choice.index] = providerFinishReasonOf(choice) ?? choice.finish_reason;
  }
}

export function endUpstreamAttempt(event: UpstreamAttemptEvent, usage: TokenUsage | undefined, costNanos: number, error: unknown, cancelled: boolean): void {
  event.usage = usage;
  event.costNanos = costNanos;
  event.error = error;
  event.cancelled = cancelled;
  if (channels.upstreamAttemptEnd.hasSubscribers) channels.upstreamAttemptEnd.publish(event);
}
