import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatChunk, ChunkDelta, FinishReason } from '../../wire/chat-types.js';
import type { SseEvent } from '../../wire/sse/parse-sse.js';
import type { TokenUsage } from '../../wire/token-usage.js';
import { countTextTokens } from '../../tokens/count-tokens.js';
import { ANTHROPIC_EVENTS, ANTHROPIC_MESSAGE_FIELD, withProviderFinishReason, type ChunkWithAnthropicEvents } from '../../wire/anthropic/anthropic-native.js';
import { AnthropicMessageAssembler } from '../../wire/anthropic/anthropic-message-events.js';
import { anthropicStreamError } from './anthropic-error.js';
import type { AnthropicStreamEvent, AnthropicUsage } from '../../wire/anthropic/anthropic-types.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { openAIUsageOf } from './convert-anthropic-response.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

export interface AnthropicStreamOptions {
  provider: string;
  createdSeconds: number;
  /** Redacted from error messages. */
  secrets?: readonly (string | undefined)[];
  /**
   * Attach each Anthropic event to the chunk it produced (an empty-choices chunk when it produced none), for a
   * /v1/messages client to receive the upstream's events verbatim. Only for requests that came in natively.
   */
  keepEvents?: boolean;
}

export interface AnthropicStreamConverter {
  /** Converts one Anthropic event into the OpenAI chunks it stands for (often none); throws FrugalError on `error`. */
  push(event: AnthropicStreamEvent): ChatChunk[];
  /** Usage so far: input from message_start, output as the latest (cumulative) message_delta reported it. */
  usage(): TokenUsage | undefined;
  /** True once message_stop arrived: the answer is complete. */
  readonly finished: boolean;
}

type BlockState = { kind: 'text' | 'thinking' | 'other' } | { kind: 'tool'; toolIndex: number; sentArguments: boolean };

/**
 * Anthropic stream events → OpenAI chunks, event by event: message_start gives the role chunk, text and
 * thinking deltas become content / reasoning_content, each tool_use block becomes one tool call (index counted
 * over tool blocks only, as OpenAI does), message_delta gives the finish chunk, and message_stop the usage chunk
 * (`choices: []`), which OpenAI sends last with `stream_options.include_usage`.
 */
export function createAnthropicStreamConverter(options: AnthropicStreamOptions): AnthropicStreamConverter {
  let id = '';
  let model = '';
  let started = false;
  let finished = false;
  let finishSent = false;
  let usage: AnthropicUsage | undefined;
  let outputCounted = false;
  const assembler = options.keepEvents ? new AnthropicMessageAssembler() : undefined;
  // What was generated so far: a stream cut before message_delta reports only message_start's output_tokens (1).
  const generated: string[] = [];
  let toolCount = 0;
  const blocks = new Map<number, BlockState>();

  function chunk(delta: ChunkDelta, finishReason: FinishReason = null): ChatChunk {
    return { id, object: 'chat.completion.chunk', created: options.createdSeconds, model, system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
  }

  function notStarted(type: string): FrugalError {
    return new FrugalError('upstream_bad_response', `Provider '${options.provider}' sent '${type}' before message_start.`, { retryable: true, upstreamFailure: true });
  }

  function mergeUsage(update: AnthropicUsage | undefined) {
    if (!update) return;
    const merged: AnthropicUsage = { ...usage };
    // Counts in message_delta are cumulative; a field left out or null keeps what message_start said. A count of
    // another type is kept too, so that convertAnthropicUsage refuses it rather than message_start's value passing.
    for (const [field, value] of Object.entries(update)) if (value !== undefined && value !== null && typeof value !== 'object') merged[field] = value;
    usage = merged;
  }

  function carry(event: AnthropicStreamEvent, chunks: ChatChunk[]): ChatChunk[] {
    const result = chunks.length > 0 ? chunks : [{ id, object: 'chat.completion.chunk' as const, created: options.createdSeconds, model, system_fingerprint: null, choices: [] }];
    (result[0] as ChunkWithAnthropicEvents)[ANTHROPIC_EVENTS] = [event];
    return result;
  }

  function push(event: AnthropicStreamEvent): ChatChunk[] {
    const chunks = convert(event);
    if (!options.keepEvents || event.type === 'error') return chunks;
    assembler?.add(event);
    const whole = event.type === 'message_stop' ? assembler?.toMessage() : undefined;
    // The whole message rides on a delta of its own, so that the response cache keeps it (see ANTHROPIC_MESSAGE_FIELD).
    return carry(event, whole ? [chunk({ [ANTHROPIC_MESSAGE_FIELD]: whole }), ...chunks] : chunks);
  }

  function convert(event: AnthropicStreamEvent): ChatChunk[] {
    if (event.type === 'content_block_delta' && !outputCounted) {
      const text = event.delta.text ?? event.delta.thinking ?? event.delta.partial_json;
      if (typeof text === 'string') generated.push(text);
    }
    switch (event.type) {
      case 'ping':
        return [];
      case 'error':
        throw anthropicStreamError(options.provider, event, options.secrets ?? []);
      case 'message_start': {
        if (started) return [];
        started = true;
        id = event.message.id;
        model = event.message.model;
        mergeUsage(event.message.usage);
        return [chunk({ role: 'assistant', content: '' })];
      }
      case 'content_block_start': {
        if (!started) throw notStarted(event.type);
        const block = event.content_block;
        if (block.type === 'tool_use') {
          const toolIndex = toolCount++;
          const input = block.input;
          const prefilled = typeof input === 'object' && input !== null && Object.keys(input).length > 0;
          blocks.set(event.index, { kind: 'tool', toolIndex, sentArguments: prefilled });
          const call = { index: toolIndex, id: String(block.id), type: 'function' as const, function: { name: String(block.name), arguments: prefilled ? JSON.stringify(input) : '' } };
          return [chunk({ tool_calls: [call] })];
        }
        if (block.type === 'text') {
          blocks.set(event.index, { kind: 'text' });
          return typeof block.text === 'string' && block.text !== '' ? [chunk({ content: block.text })] : [];
        }
        if (block.type === 'thinking') {
          blocks.set(event.index, { kind: 'thinking' });
          return typeof block.thinking === 'string' && block.thinking !== '' ? [chunk({ reasoning_content: block.thinking })] : [];
        }
        blocks.set(event.index, { kind: 'other' });
        return [];
      }
      case 'content_block_delta': {
        if (!started) throw notStarted(event.type);
        const block = blocks.get(event.index);
        const delta = event.delta;
        if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') return [chunk({ content: delta.text })];
        if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking !== '') {
          return [chunk({ reasoning_content: delta.thinking })];
        }
        if (delta.type === 'input_json_delta' && block?.kind === 'tool' && typeof delta.partial_json === 'string' && delta.partial_json !== '') {
          block.sentArguments = true;
          return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: delta.partial_json } }] })];
        }
        return [];
      }
      case 'content_block_stop': {
        const block = blocks.get(event.index);
        // A tool called without arguments streams no JSON at all; clients JSON.parse the arguments, so send '{}'.
        if (block?.kind === 'tool' && !block.sentArguments) {
          block.sentArguments = true;
          return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: '{}' } }] })];
        }
        return [];
      }
      case 'message_delta': {
        if (!started) throw notStarted(event.type);
        mergeUsage(event.usage);
        if (event.usage?.output_tokens !== undefined && event.usage.output_tokens !== null) outputCounted = true;
        const finishReason = mapAnthropicStopReason(event.delta?.stop_reason);
        if (finishReason === null || finishSent) return [];
        finishSent = true;
        const finish = chunk({}, finishReason);
        withProviderFinishReason(finish.choices[0], event.delta?.stop_reason);
        return [finish];
      }
      case 'message_stop': {
        if (!started) throw notStarted(event.type);
        finished = true;
        const result = finishSent ? [] : [chunk({}, 'stop')];
        finishSent = true;
        if (usage) {
          result.push({ id, object: 'chat.completion.chunk', created: options.createdSeconds, model, system_fingerprint: null, choices: [], usage: openAIUsageOf(usage) });
        }
        return result;
      }
      default:
        // Anthropic's versioning policy: new event types may appear and must be ignored.
        return [];
    }
  }

  function currentUsage(): TokenUsage | undefined {
    if (!usage) return undefined;
    // Unusable counts: undefined, and the pipeline estimates with a warning (see openAIUsageOf).
    const converted = convertAnthropicUsage(usage);
    if (outputCounted || converted === undefined) return converted;
    // Cut short (client gone, upstream broke): the output so far, counted by us, so the row is priced on what was generated.
    return { ...converted, completionTokens: Math.max(converted.completionTokens, countTextTokens(generated.join(''))), estimated: true };
  }

  return {
    push,
    usage: currentUsage,
    get finished() {
      return finished;
    },
  };
}

/**
 * Parsed SSE events → OpenAI chunks. Throws FrugalError for `error` events, unparsable data, and a stream that
 * ends before message_stop (a cut connection must not pass for a complete answer).
 */
export async function* convertAnthropicStream(events: AsyncIterable<SseEvent>, converter: AnthropicStreamConverter, provider: string): AsyncGenerator<ChatChunk> {
  for await (const sse of events) {
    // Read on to the end after message_stop so the connection goes back to the keep-alive pool.
    if (converter.finished) continue;
    let event: AnthropicStreamEvent;
    try {
      event = JSON.parse(sse.data) as AnthropicStreamEvent;
    } catch {
      throw new FrugalError('upstream_bad_response', `Provider '${provider}' sent a stream event that is not valid JSON.`, { retryable: true, upstreamFailure: true });
    }
    if (typeof event !== 'object' || event === null) {
      throw new FrugalError('upstream_bad_response', `Provider '${provider}' sent a stream event that is not an object.`, { retryable: true, upstreamFailure: true });
    }
    // The SSE event name and the data's type agree on Anthropic; an `event: error` line wins if they do not.
    if (sse.event === 'error' && event.type !== 'error') event = { type: 'error', error: { type: 'api_error', message: sse.data } };
    yield* converter.push(event);
  }
  if (!converter.finished) {
    throw new FrugalError('upstream_bad_response', `Provider '${provider}' ended the stream before it was complete.`, { retryable: true, upstreamFailure: true });
  }
}
