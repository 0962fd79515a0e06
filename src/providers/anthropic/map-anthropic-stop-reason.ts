import type { FinishReason } from '../../wire/chat-types.js';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`. `pause_turn` (a server tool paused a long turn) and unknown
 * future reasons become 'stop': the answer so far is complete text, not a truncation or a tool call.
 */
export function mapAnthropicStopReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case null:
    case undefined:
      return null;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
    default:
      return 'stop';
  }
}
