import type { ChatChunk, ChatRequest, ChatResponse } from '../wire/chat-types.js';
import type { TokenUsage } from '../wire/token-usage.js';
import { contentText, countPromptTokens, countTextTokens } from '../tokens/count-tokens.js';

/** Counts usage with our tokenizer when the provider reported none; the result is marked estimated. */
export function estimateUsage(request: ChatRequest, completionText: string): TokenUsage {
  return {
    promptTokens: countPromptTokens(request.messages, request.tools),
    completionTokens: countTextTokens(completionText),
    cachedPromptTokens: 0,
    cacheCreationTokens: 0,
    reasoningTokens: 0,
    estimated: true,
  };
}

export function responseText(response: ChatResponse): string {
  let text = '';
  for (const choice of response.choices) {
    text += contentText(choice.message?.content);
    for (const call of choice.message?.tool_calls ?? []) text += call.function.name + call.function.arguments;
  }
  return text;
}

/** Appends what a chunk generated to `parts`, so an interrupted stream can still be counted. */
export function collectChunkText(chunk: ChatChunk, parts: string[]): boolean {
  let produced = false;
  for (const choice of chunk.choices) {
    const delta = choice.delta;
    if (!delta) continue;
    if (typeof delta.content === 'string' && delta.content !== '') {
      parts.push(delta.content);
      produced = true;
    }
    if (delta.tool_calls) {
      for (const call of delta.tool_calls) {
        if (call.function?.name) parts.push(call.function.name);
        if (call.function?.arguments) parts.push(call.function.arguments);
      }
      produced = true;
    }
  }
  return produced;
}
