import type { AnthropicResponse, AnthropicResponseBlock, AnthropicStreamDelta, AnthropicStreamEvent } from './anthropic-types.js';

/**
 * Builds the message a stream of Anthropic events stands for, as the non-streamed API would have returned it:
 * blocks from their starts and deltas (text, thinking with its signature, tool input parsed from its JSON pieces,
 * citations), stop reason and cumulative usage from message_delta. Unknown delta types are ignored.
 */
export class AnthropicMessageAssembler {
  private message: AnthropicResponse | undefined;
  private readonly blocks = new Map<number, AnthropicResponseBlock>();
  private readonly json = new Map<number, string>();
  private stopped = false;

  add(event: AnthropicStreamEvent): void {
    switch (event.type) {
      case 'message_start':
        this.message = { ...event.message, content: [], usage: { ...event.message.usage } };
        return;
      case 'content_block_start':
        this.blocks.set(event.index, { ...event.content_block });
        return;
      case 'content_block_delta': {
        const block = this.blocks.get(event.index);
        const delta = event.delta;
        if (!block) return;
        if (delta.type === 'text_delta') block.text = `${block.text ?? ''}${delta.text ?? ''}`;
        else if (delta.type === 'thinking_delta') block.thinking = `${block.thinking ?? ''}${delta.thinking ?? ''}`;
        else if (delta.type === 'signature_delta') block.signature = delta.signature;
        else if (delta.type === 'input_json_delta') this.json.set(event.index, `${this.json.get(event.index) ?? ''}${delta.partial_json ?? ''}`);
        else if (delta.type === 'citations_delta') block.citations = [...((block.citations as unknown[] | undefined) ?? []), delta.citation];
        return;
      }
      case 'content_block_stop': {
        const block = this.blocks.get(event.index);
        const json = this.json.get(event.index);
        if (block && json !== undefined && json !== '') {
          try {
            block.input = JSON.parse(json);
          } catch {
            // Left as content_block_start gave it; a stream whose input does not parse is cut, and then not kept.
          }
        }
        return;
      }
      case 'message_delta':
        if (!this.message) return;
        this.message.stop_reason = event.delta.stop_reason;
        this.message.stop_sequence = event.delta.stop_sequence ?? null;
        for (const [field, value] of Object.entries(event.usage ?? {})) if (value !== null && value !== undefined) this.message.usage[field] = value;
        return;
      case 'message_stop':
        this.stopped = true;
        return;
      default:
        return;
    }
  }

  /** The whole message once message_stop arrived, else undefined. */
  toMessage(): AnthropicResponse | undefined {
    if (!this.message || !this.stopped) return undefined;
    const content = [...this.blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
    return { ...this.message, content };
  }
}

function startOf(block: AnthropicResponseBlock): AnthropicResponseBlock {
  if (block.type === 'text') return { ...block, text: '' };
  if (block.type === 'thinking') return { type: 'thinking', thinking: '', signature: '' };
  if (block.type === 'tool_use') return { ...block, input: {} };
  return block;
}

function deltasOf(block: AnthropicResponseBlock): AnthropicStreamDelta[] {
  if (block.type === 'text') return typeof block.text === 'string' && block.text !== '' ? [{ type: 'text_delta', text: block.text }] : [];
  if (block.type === 'thinking') {
    const deltas: AnthropicStreamDelta[] = [];
    if (typeof block.thinking === 'string' && block.thinking !== '') deltas.push({ type: 'thinking_delta', thinking: block.thinking });
    if (typeof block.signature === 'string') deltas.push({ type: 'signature_delta', signature: block.signature });
    return deltas;
  }
  if (block.type === 'tool_use') return [{ type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) }];
  return [];
}

/**
 * The events Anthropic would stream for a whole message (a cached answer replayed to a streaming client):
 * message_start, per block a start, its deltas and a stop (a ping after the first start), message_delta, message_stop.
 */
export function anthropicMessageEvents(message: AnthropicResponse): AnthropicStreamEvent[] {
  const { usage } = message;
  const events: AnthropicStreamEvent[] = [{ type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }];
  message.content.forEach((block, index) => {
    events.push({ type: 'content_block_start', index, content_block: startOf(block) });
    if (index === 0) events.push({ type: 'ping' });
    for (const delta of deltasOf(block)) events.push({ type: 'content_block_delta', index, delta });
    events.push({ type: 'content_block_stop', index });
  });
  if (message.content.length === 0) events.push({ type: 'ping' });
  events.push({ type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: { ...usage } });
  events.push({ type: 'message_stop' });
  return events;
}
