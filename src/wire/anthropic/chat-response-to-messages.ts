import type { ChatResponse, FinishReason, ToolCall } from '../chat-types.js';
import { tokenCount, type TokenUsage } from '../token-usage.js';
import { anthropicMessageOf } from './anthropic-native.js';
import type { AnthropicResponse, AnthropicResponseBlock, AnthropicUsage } from './anthropic-types.js';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`. OpenAI says 'stop' both for the end of a turn and for a stop
 * sequence; `stopSequence` (the one that matched, when the upstream said) tells them apart.
 */
export function toAnthropicStopReason(finishReason: FinishReason | undefined, stopSequence: string | null = null): AnthropicStopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return stopSequence === null ? 'end_turn' : 'stop_sequence';
  }
}

/** What ended the answer, in Anthropic's terms: the `stop_reason` and `stop_sequence` of a message. */
export interface AnthropicStop {
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
}

/** What an OpenAI-shaped answer said about its end, beyond `finish_reason`. */
export interface AnswerEnd {
  finishReason: FinishReason | undefined;
  /** The choice's `stop_reason`: vLLM (and servers built on it) name the stop string that matched there. */
  upstreamStopReason?: unknown;
  calledTools: boolean;
  refused: boolean;
}

/**
 * The stop of a translated answer. Agent loops run tools only on `tool_use`, so an answer holding tool calls is
 * `tool_use` even when the upstream said 'stop' (Ollama, vLLM and several others do); a refusal is `refusal`; a
 * stop string the upstream names (vLLM's `stop_reason`) is `stop_sequence` when it is one the client asked for.
 * OpenAI itself never says which stop sequence matched, so its stops stay `end_turn`.
 */
export function anthropicStopOf(end: AnswerEnd, stopSequences: readonly string[]): AnthropicStop {
  if (end.finishReason === 'length') return { stop_reason: 'max_tokens', stop_sequence: null };
  if (end.calledTools) return { stop_reason: 'tool_use', stop_sequence: null };
  if (end.refused) return { stop_reason: 'refusal', stop_sequence: null };
  const matched = typeof end.upstreamStopReason === 'string' && stopSequences.includes(end.upstreamStopReason) ? end.upstreamStopReason : null;
  const finishReason = end.finishReason === 'tool_calls' || end.finishReason === 'function_call' ? 'stop' : end.finishReason;
  return { stop_reason: toAnthropicStopReason(finishReason, matched), stop_sequence: matched };
}

/**
 * Usage in Anthropic's terms: `input_tokens` is only the part of the prompt neither read from nor written to the
 * prompt cache (TokenUsage counts the prompt whole, as OpenAI does).
 */
export function toAnthropicUsage(usage: TokenUsage | undefined): Required<Pick<AnthropicUsage, 'input_tokens' | 'output_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens'>> {
  if (!usage) return { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedPromptTokens - usage.cacheCreationTokens),
    cache_creation_input_tokens: usage.cacheCreationTokens,
    cache_read_input_tokens: usage.cachedPromptTokens,
    output_tokens: usage.completionTokens,
  };
}

/**
 * Tool arguments as the object Anthropic's `input` is. Models behind OpenAI-compatible APIs sometimes send
 * arguments that are not a JSON object; they are kept under `_raw` rather than lost or passed off as `{}`.
 */
export function parseToolInput(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to _raw.
  }
  return { _raw: text };
}

/**
 * True when the upstream's own usage holds counts an SDK can read as numbers. A count that is a non-numeric
 * string, a fraction or negative was not priced (the pipeline estimated, with a warning): the client then gets
 * the estimate the ledger row holds, never the upstream's broken value.
 */
function pricedCountsOf(message: AnthropicResponse): boolean {
  const usage = message.usage ?? {};
  const counts = [usage.input_tokens, usage.output_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens];
  return counts.every((count) => count === undefined || count === null || (typeof count === 'number' && tokenCount(count) !== undefined));
}

export function anthropicMessageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/**
 * A chat completion → the Messages API response. When an Anthropic upstream answered a native request, its own
 * message is returned (thinking signatures, redacted thinking and citations intact); otherwise it is rebuilt:
 * `reasoning_content` → a thinking block first, text → a text block, a refusal → a text block (stop reason
 * `refusal`), tool_calls → tool_use blocks with parsed input. `usage` is the pipeline's count for the call (with
 * cache writes, which OpenAI's usage shape cannot carry); `stopSequences` are the client's, to recognise a match.
 */
export function chatResponseToMessages(response: ChatResponse, usage: TokenUsage | undefined, stopSequences: readonly string[] = []): AnthropicResponse {
  const choice = response.choices[0];
  const message = choice?.message;
  const native = anthropicMessageOf(message);
  if (native) return pricedCountsOf(native) ? native : { ...native, usage: { ...native.usage, ...toAnthropicUsage(usage) } };
  const content: AnthropicResponseBlock[] = [];
  if (typeof message?.reasoning_content === 'string' && message.reasoning_content !== '') {
    content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  }
  const text = typeof message?.content === 'string' ? message.content : '';
  if (text !== '') content.push({ type: 'text', text });
  // OpenAI puts a refusal in its own field, content null: without this the client gets an empty answer.
  const refusal = typeof message?.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
  if (refusal !== undefined) content.push({ type: 'text', text: refusal });
  const toolCalls = (message?.tool_calls ?? []) as ToolCall[];
  for (const call of toolCalls) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolInput(call.function.arguments) });
  }
  const stop = anthropicStopOf({ finishReason: choice?.finish_reason, upstreamStopReason: choice?.stop_reason, calledTools: toolCalls.length > 0, refused: refusal !== undefined }, stopSequences);
  return {
    id: anthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    ...stop,
    usage: toAnthropicUsage(usage),
  };
}
