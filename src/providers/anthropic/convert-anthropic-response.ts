import type { ChatResponse, ToolCall } from '../../wire/chat-types.js';
import { usageToOpenAI } from '../../wire/token-usage.js';
import type { AnthropicResponse } from '../../wire/anthropic/anthropic-types.js';
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
    choices: [{ index: 0, message: assistant, logprobs: null, finish_reason: mapAnthropicStopReason(message.stop_reason) ?? 'stop' }],
    system_fingerprint: null,
  };
  // Usage the upstream did not report stays absent (unknown), never zeros.
  if (message.usage) response.usage = usageToOpenAI(convertAnthropicUsage(message.usage));
  return response;
}
