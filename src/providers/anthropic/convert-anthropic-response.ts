import type { ChatResponse, OpenAIUsage, ToolCall } from '../../wire/chat-types.js';
import { usageToOpenAI } from '../../wire/token-usage.js';
import { withProviderFinishReason } from '../../wire/anthropic/anthropic-native.js';
import type { AnthropicResponse, AnthropicUsage } from '../../wire/anthropic/anthropic-types.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

/**
 * Anthropic Messages response → OpenAI chat completion. Text blocks are joined into `content`; tool_use blocks
 * become `tool_calls` with JSON-string arguments; thinking stays out of `content` and is offered as
 * `reasoning_content` (the field DeepSeek and vLLM use), redacted thinking and server-tool blocks are left out.
 * `createdSeconds` is passed in so the result is exact in tests.
 */
export function convertAnthropicResponse(message: AnthropicResponse, createdSeconds: number): ChatResponse {
  const texts: string[] = [];
  const thinking: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'thinking' && typeof block.thinking === 'string') thinking.push(block.thinking);
    else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const text = texts.join('');
  const assistant: ChatResponse['choices'][number]['message'] = {
    role: 'assistant',
    // OpenAI sends null content when the answer is only tool calls.
    content: text === '' && toolCalls.length > 0 ? null : text,
  };
  if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
  if (thinking.length > 0) assistant.reasoning_content = thinking.join('');
  const response: ChatResponse = {
    id: message.id,
    object: 'chat.completion',
    created: createdSeconds,
    model: message.model,
    choices: [withProviderFinishReason({ index: 0, message: assistant, logprobs: null, finish_reason: mapAnthropicStopReason(message.stop_reason) ?? 'stop' }, message.stop_reason)],
    system_fingerprint: null,
  };
  // Usage the upstream did not report stays absent (unknown), never zeros.
  if (message.usage) response.usage = openAIUsageOf(message.usage);
  return response;
}

/**
 * Anthropic usage in OpenAI's shape. Counts that cannot be priced are kept as the upstream sent them, as an
 * OpenAI-compatible upstream's would be: the pipeline sees that usage was reported yet unusable, estimates and
 * warns (usableUsage) instead of silently pricing zeros.
 */
export function openAIUsageOf(usage: AnthropicUsage): OpenAIUsage {
  const converted = convertAnthropicUsage(usage);
  if (converted) return usageToOpenAI(converted);
  return { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens } as unknown as OpenAIUsage;
}
