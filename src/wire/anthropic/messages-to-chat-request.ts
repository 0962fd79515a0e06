import type { ChatMessage, ChatRequest, ContentPart, ToolChoice, ToolDefinition } from '../chat-types.js';
import { ANTHROPIC_NATIVE_FIELD, AnthropicNativeRequest } from './anthropic-native.js';
import type { AnthropicMessagesRequest, AnthropicToolChoice } from './anthropic-types.js';

export interface TranslatedMessagesRequest {
  /** The chat request every stage and every non-Anthropic upstream works with; carries the native body. */
  request: ChatRequest;
  /** What the translation could not express, for when a non-Anthropic model serves (an Anthropic one gets it all). */
  warnings: string[];
}

type Json = Record<string, unknown>;

// Top-level Messages fields the translation expresses; any other is kept only in the native body (and the extras).
const TRANSLATED = new Set(['model', 'messages', 'max_tokens', 'system', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k', 'tools', 'tool_choice', 'metadata', 'thinking']);

/**
 * A Messages API request → the chat request the pipeline runs, with the original body attached (see
 * AnthropicNativeRequest). `system` becomes a system message; text, image, PDF and plain-text or custom-content
 * document blocks become content parts;
 * tool_use blocks become tool_calls (input as a JSON string), tool_result blocks tool messages; thinking blocks
 * exist only in the native body, as does the `thinking` switch; `metadata.user_id` becomes `user`; `top_k` is passed on.
 * @example messagesToChatRequest({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }, [])
 *   // → { request: { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }], anthropic_native }, warnings: [] }
 */
export function messagesToChatRequest(body: AnthropicMessagesRequest, betas: readonly string[]): TranslatedMessagesRequest {
  const warnings = new Set<string>();
  const extras: unknown[] = betas.length > 0 ? [['betas', [...betas].sort()]] : [];
  const messages: ChatMessage[] = [];

  if (typeof body.system === 'string') {
    if (body.system !== '') messages.push({ role: 'system', content: body.system });
  } else if (Array.isArray(body.system) && body.system.length > 0) {
    body.system.forEach((block, index) => noteExtras(block as unknown as Json, ['system', index], extras));
    messages.push({ role: 'system', content: body.system.map((block) => block.text).join('\n') });
  }
  body.messages.forEach((message, index) => {
    if (message.role === 'user') messages.push(...userMessages(message.content, index, extras, warnings));
    else messages.push(assistantMessage(message.content, index, extras, warnings));
  });

  const request: ChatRequest = { model: body.model, messages, max_tokens: body.max_tokens };
  // Usage chunks must reach the Messages encoder: message_delta reports the call's usage.
  if (body.stream === true) Object.assign(request, { stream: true, stream_options: { include_usage: true } });
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  if (typeof body.top_k === 'number') request.top_k = body.top_k;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) request.stop = body.stop_sequences;
  const userId = (body.metadata as { user_id?: unknown } | undefined)?.user_id;
  if (typeof userId === 'string' && userId !== '') request.user = userId;
  if (body.thinking !== undefined) {
    // Not a chat field: OpenAI and most compatible servers refuse unknown parameters, and Claude Code sends it routinely.
    extras.push(['thinking', body.thinking]);
    warnings.add("dropped 'thinking' (only Anthropic models take it)");
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const tools = toolsOf(body.tools as unknown as Json[], extras, warnings);
    if (tools.length > 0) request.tools = tools;
  }
  if (body.tool_choice !== undefined && request.tools) {
    const { choice, parallel } = toolChoiceOf(body.tool_choice);
    request.tool_choice = choice;
    if (parallel === false) request.parallel_tool_calls = false;
  } else if (body.tool_choice !== undefined) {
    // OpenAI refuses tool_choice without tools (400), e.g. when every tool was a server tool dropped above.
    extras.push(['tool_choice', body.tool_choice]);
    warnings.add("dropped 'tool_choice' (no tool the model can call)");
  }
  for (const [field, value] of Object.entries(body)) {
    if (TRANSLATED.has(field) || value === undefined) continue;
    extras.push(['field', field, value]);
    warnings.add(`dropped '${field}' (only Anthropic models take it)`);
  }
  request[ANTHROPIC_NATIVE_FIELD] = new AnthropicNativeRequest(body, betas, messages, extras);
  return { request, warnings: [...warnings] };
}

/** Records what a block carries beyond what the translation keeps, at its position. */
function noteExtras(block: Json, at: unknown[], extras: unknown[]): void {
  if (block.cache_control !== undefined && block.cache_control !== null) extras.push(['cache_control', ...at, block.cache_control]);
}

function userMessages(content: AnthropicMessagesRequest['messages'][number]['content'], index: number, extras: unknown[], warnings: Set<string>): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  // OpenAI wants tool results as tool messages right after the assistant's calls, before the user's own words.
  const toolMessages: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  (content as unknown as Json[]).forEach((block, blockIndex) => {
    noteExtras(block, ['messages', index, blockIndex], extras);
    if (block.type === 'tool_result') {
      const result = toolResultContent(block.content, parts);
      if (block.is_error === true) {
        extras.push(['is_error', index, blockIndex]);
        warnings.add('dropped is_error of a tool_result (only Anthropic models take it)');
      }
      toolMessages.push({ role: 'tool', tool_call_id: String(block.tool_use_id), content: result });
      return;
    }
    const converted = contentParts(block);
    if (converted) {
      parts.push(...converted);
      if (block.type === 'document' && (block.citations as { enabled?: unknown } | undefined)?.enabled === true) {
        extras.push(['citations', index, blockIndex]);
        warnings.add('dropped citations of a document (only Anthropic models cite)');
      }
    } else {
      extras.push(['block', index, blockIndex, block]);
      warnings.add(`dropped a '${String(block.type)}' block (only Anthropic models take it)`);
    }
  });
  const result = [...toolMessages];
  if (parts.length > 0) result.push({ role: 'user', content: parts.length === 1 && parts[0].type === 'text' ? (parts[0] as { text: string }).text : parts });
  return result;
}

/** A tool result's text; its images go to the user message that follows (OpenAI tool messages hold text only). */
function toolResultContent(content: unknown, images: ContentPart[]): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const block of content as Json[]) {
    for (const part of contentParts(block) ?? []) {
      if (part.type === 'text') texts.push((part as { text: string }).text);
      else images.push(part);
    }
  }
  return texts.join('\n');
}

/** A block's content parts: one for text, image and PDF; a plain-text or content document gives its own. */
function contentParts(block: Json): ContentPart[] | undefined {
  const part = contentPart(block);
  if (part) return [part];
  return block.type === 'document' ? documentParts(block) : undefined;
}

/**
 * A plain-text (`source.type: 'text'`) or custom-content (`source.type: 'content'`) document as the text and
 * images it holds, its title and context first, as Anthropic shows them to the model. URL and Files API sources
 * have no chat equivalent (OpenAI takes a PDF only inline) and stay undefined.
 */
function documentParts(block: Json): ContentPart[] | undefined {
  const source = block.source as { type?: string; data?: unknown; content?: unknown } | undefined;
  let body: ContentPart[] | undefined;
  if (source?.type === 'text' && typeof source.data === 'string') body = [{ type: 'text', text: source.data }];
  else if (source?.type === 'content' && typeof source.content === 'string') body = [{ type: 'text', text: source.content }];
  else if (source?.type === 'content' && Array.isArray(source.content)) {
    const inner = (source.content as Json[]).map(contentPart);
    if (inner.every((part) => part !== undefined)) body = inner as ContentPart[];
  }
  if (!body || body.length === 0) return undefined;
  const heading = [block.title, block.context].filter((line): line is string => typeof line === 'string' && line !== '');
  return heading.length > 0 ? [{ type: 'text', text: heading.join('\n') }, ...body] : body;
}

function contentPart(block: Json): ContentPart | undefined {
  if (block.type === 'text' && typeof block.text === 'string') return { type: 'text', text: block.text };
  const source = block.source as { type?: string; media_type?: string; data?: string; url?: string } | undefined;
  if (block.type === 'image' && source) {
    if (source.type === 'base64') return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
    if (source.type === 'url' && typeof source.url === 'string') return { type: 'image_url', image_url: { url: source.url } };
  }
  if (block.type === 'document' && source?.type === 'base64' && source.media_type === 'application/pdf') {
    const file: Json = { file_data: `data:application/pdf;base64,${source.data}` };
    if (typeof block.title === 'string') file.filename = block.title;
    return { type: 'file', file };
  }
  return undefined;
}

function assistantMessage(content: AnthropicMessagesRequest['messages'][number]['content'], index: number, extras: unknown[], warnings: Set<string>): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: string[] = [];
  const toolCalls: NonNullable<ChatMessage['tool_calls']> = [];
  (content as unknown as Json[]).forEach((block, blockIndex) => {
    noteExtras(block, ['messages', index, blockIndex], extras);
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: String(block.id), type: 'function', function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) } });
    } else {
      // Thinking (with its signature), redacted thinking, server tool blocks: only Anthropic can read them back.
      extras.push(['block', index, blockIndex, block]);
      warnings.add(`dropped '${String(block.type)}' blocks of earlier turns (only Anthropic models take them)`);
    }
  });
  // OpenAI takes content null only beside tool calls; a turn that held only thinking becomes empty text.
  const message: ChatMessage = { role: 'assistant', content: texts.length > 0 ? texts.join('') : toolCalls.length > 0 ? null : '' };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

function toolsOf(tools: Json[], extras: unknown[], warnings: Set<string>): ToolDefinition[] {
  const converted: ToolDefinition[] = [];
  tools.forEach((tool, index) => {
    noteExtras(tool, ['tools', index], extras);
    // Server tools (web_search_…, bash_…) have a versioned type and no input_schema: Anthropic runs them itself.
    if (tool.type !== undefined && tool.type !== 'custom') {
      extras.push(['tool', index, tool]);
      warnings.add(`dropped server tool '${String(tool.name)}' (only Anthropic models run it)`);
      return;
    }
    const definition: ToolDefinition['function'] = { name: String(tool.name), parameters: (tool.input_schema as Json | undefined) ?? { type: 'object', properties: {} } };
    if (typeof tool.description === 'string') definition.description = tool.description;
    converted.push({ type: 'function', function: definition });
  });
  return converted;
}

function toolChoiceOf(choice: AnthropicToolChoice): { choice: ToolChoice; parallel: boolean | undefined } {
  const parallel = 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true ? false : undefined;
  switch (choice.type) {
    case 'any':
      return { choice: 'required', parallel };
    case 'tool':
      return { choice: { type: 'function', function: { name: choice.name } }, parallel };
    case 'none':
      return { choice: 'none', parallel };
    default:
      return { choice: 'auto', parallel };
  }
}
