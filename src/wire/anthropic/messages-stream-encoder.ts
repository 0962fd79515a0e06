import type { ChatChunk, FinishReason, OpenAIUsage } from '../chat-types.js';
import { usageFromOpenAI, type TokenUsage } from '../token-usage.js';
import { anthropicEventsOf, anthropicMessageOf } from './anthropic-native.js';
import { anthropicMessageEvents } from './anthropic-message-events.js';
import type { AnthropicStreamEvent } from './anthropic-types.js';
import { anthropicMessageId, anthropicStopOf, toAnthropicUsage } from './chat-response-to-messages.js';

export interface MessagesStreamEncoderOptions {
  /** Prompt usage for message_start before the upstream reports it (the pipeline's count): clients show cost from it. */
  estimatedInput: TokenUsage;
  /** The client's stop_sequences, to recognise the one an upstream says matched. */
  stopSequences?: readonly string[];
}

export interface MessagesStreamEncoder {
  /** The Anthropic events one chunk stands for (often none). */
  push(chunk: ChatChunk): AnthropicStreamEvent[];
  /** The closing events once the chunks ended cleanly; `usage` is the call's final count when the pipeline knows it. */
  finish(usage: TokenUsage | undefined): AnthropicStreamEvent[];
}

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; toolIndex: number; sentInput: boolean };

/**
 * Chat chunks → the events of a streamed Messages response, in Anthropic's order: message_start (with input
 * usage), then per block content_block_start, deltas and content_block_stop (a ping after the first start), then
 * message_delta (stop_reason, usage) and message_stop. Thinking (`reasoning_content`) gets its own block, never
 * text inside another. A tool call's arguments stream as input_json_delta; a call without arguments still sends
 * `{}`, so no client sees a tool_use block with no input. Blocks never interleave: a new one closes the last.
 * A refusal streams as text; the stop reason is decided as for a whole answer (see anthropicStopOf).
 *
 * When an Anthropic upstream served a native request, each chunk carries the upstream's own events, and those
 * are passed on verbatim (signatures, redacted thinking, citations and server tools intact).
 */
export function createMessagesStreamEncoder(options: MessagesStreamEncoderOptions): MessagesStreamEncoder {
  let mode: 'unknown' | 'native' | 'replay' | 'translated' = 'unknown';
  let open: OpenBlock | undefined;
  let nextIndex = 0;
  let pinged = false;
  let finishReason: FinishReason | undefined;
  let upstreamStopReason: unknown;
  let refused = false;
  let reportedUsage: OpenAIUsage | undefined;
  let nativeStopped = false;
  const closedTools = new Set<number>();

  function start(chunk: ChatChunk): AnthropicStreamEvent[] {
    const usage = { ...toAnthropicUsage(options.estimatedInput), output_tokens: 1 };
    const message = { id: anthropicMessageId(chunk.id), type: 'message' as const, role: 'assistant' as const, model: chunk.model, content: [], stop_reason: null, stop_sequence: null, usage };
    return [{ type: 'message_start', message }];
  }

  function close(events: AnthropicStreamEvent[]): void {
    if (!open) return;
    if (open.kind === 'tool') {
      if (!open.sentInput) events.push({ type: 'content_block_delta', index: open.index, delta: { type: 'input_json_delta', partial_json: '{}' } });
      closedTools.add(open.toolIndex);
    }
    events.push({ type: 'content_block_stop', index: open.index });
    open = undefined;
  }

  function begin(events: AnthropicStreamEvent[], block: OpenBlock, contentBlock: AnthropicStreamEvent & { type: 'content_block_start' }): void {
    close(events);
    open = block;
    events.push(contentBlock);
    if (!pinged) {
      pinged = true;
      events.push({ type: 'ping' });
    }
  }

  function ensure(events: AnthropicStreamEvent[], kind: 'text' | 'thinking'): number {
    if (open?.kind === kind) return open.index;
    const index = nextIndex++;
    const contentBlock = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    begin(events, { kind, index }, { type: 'content_block_start', index, content_block: contentBlock });
    return index;
  }

  function translate(chunk: ChatChunk): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    if (chunk.usage) reportedUsage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue;
      const delta = choice.delta ?? {};
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') {
        events.push({ type: 'content_block_delta', index: ensure(events, 'thinking'), delta: { type: 'thinking_delta', thinking: delta.reasoning_content } });
      }
      if (typeof delta.content === 'string' && delta.content !== '') {
        events.push({ type: 'content_block_delta', index: ensure(events, 'text'), delta: { type: 'text_delta', text: delta.content } });
      }
      // OpenAI streams a refusal in its own field; Anthropic's client reads it as text, ended by stop reason refusal.
      if (typeof delta.refusal === 'string' && delta.refusal !== '') {
        refused = true;
        events.push({ type: 'content_block_delta', index: ensure(events, 'text'), delta: { type: 'text_delta', text: delta.refusal } });
      }
      for (const call of delta.tool_calls ?? []) {
        const current = open?.kind === 'tool' && open.toolIndex === call.index ? open : undefined;
        let block = current;
        if (!block && !closedTools.has(call.index)) {
          const index = nextIndex++;
          block = { kind: 'tool', index, toolIndex: call.index, sentInput: false };
          const contentBlock = { type: 'tool_use', id: call.id ?? `toolu_${index}`, name: call.function?.name ?? '', input: {} };
          begin(events, block, { type: 'content_block_start', index, content_block: contentBlock });
        }
        // OpenAI-compatible upstreams finish one call's arguments before the next call starts; a late fragment of a
        // closed call cannot be placed in Anthropic's format and is left out rather than corrupt the next call's input.
        const text = call.function?.arguments;
        if (block && typeof text === 'string' && text !== '') {
          block.sentInput = true;
          events.push({ type: 'content_block_delta', index: block.index, delta: { type: 'input_json_delta', partial_json: text } });
        }
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const stopReason = (choice as { stop_reason?: unknown }).stop_reason;
      if (stopReason !== undefined && stopReason !== null) upstreamStopReason = stopReason;
    }
    return events;
  }

  return {
    push(chunk) {
      if (mode === 'unknown') {
        // A stored Anthropic answer replayed (cache hit, buffered cascade tier): its own message on the first chunk.
        const stored = anthropicEventsOf(chunk) ? undefined : anthropicMessageOf(chunk.choices?.[0]?.delta);
        if (stored) {
          mode = 'replay';
          return anthropicMessageEvents(stored);
        }
        mode = anthropicEventsOf(chunk) ? 'native' : 'translated';
        if (mode === 'translated') return [...start(chunk), ...translate(chunk)];
      }
      if (mode === 'replay') return [];
      if (mode === 'native') {
        const events = anthropicEventsOf(chunk) ?? [];
        if (events.some((event) => event.type === 'message_stop')) nativeStopped = true;
        return events;
      }
      return translate(chunk);
    },
    finish(usage) {
      if (mode === 'replay') return [];
      if (mode === 'native') return nativeStopped ? [] : [{ type: 'message_stop' }];
      const events: AnthropicStreamEvent[] = [];
      if (mode === 'unknown') events.push(...start({ id: 'msg_empty', object: 'chat.completion.chunk', created: 0, model: '', choices: [] }));
      if (!pinged) events.push({ type: 'ping' });
      close(events);
      const final = usage ?? (reportedUsage ? usageFromOpenAI(reportedUsage) : undefined);
      const stop = anthropicStopOf({ finishReason: finishReason ?? 'stop', upstreamStopReason, calledTools: closedTools.size > 0, refused }, options.stopSequences ?? []);
      events.push({ type: 'message_delta', delta: stop, usage: toAnthropicUsage(final ?? options.estimatedInput) });
      events.push({ type: 'message_stop' });
      return events;
    },
  };
}
