import type { ChatMessage, ChatRequest, ContentPart, ToolChoice, ToolDefinition } from '../chat-types.js';
import type { MessageOrigin } from './chat-param-to-responses.js';
import type {
  FunctionCallItem,
  FunctionCallOutputItem,
  InputItem,
  MessageContentPart,
  MessageItem,
  ResponsesRequest,
  ResponsesToolChoice,
  TextFormat,
} from './responses-types.js';

/** An item that is part of a conversation: a message, a function call, or a function's result. */
export type ConversationItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;

/** The request's `input` as items: a bare string is one user message. */
export function inputItemsOf(request: Pick<ResponsesRequest, 'input'>): InputItem[] {
  if (request.input === undefined) return [];
  if (typeof request.input === 'string') return [{ type: 'message', role: 'user', content: request.input }];
  return request.input;
}

/** Raised for input the chat API cannot carry; the edge turns it into a 400 naming `param`. */
export class UnsupportedInputError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
    this.name = 'UnsupportedInputError';
  }
}

function partToChat(part: MessageContentPart, param: string): ContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    case 'input_image':
      if (!part.image_url) throw new UnsupportedInputError('input_image needs image_url: uploaded files (file_id) are not supported.', `${param}.file_id`);
      return { type: 'image_url', image_url: { url: part.image_url, ...(part.detail && part.detail !== 'original' ? { detail: part.detail } : {}) } };
    case 'input_file':
      if (!part.file_data) throw new UnsupportedInputError('input_file needs file_data: uploaded files (file_id) and file_url are not supported.', `${param}.file_data`);
      return { type: 'file', file: { file_data: part.file_data, ...(part.filename ? { filename: part.filename } : {}) } };
  }
}

function textOf(content: string | MessageContentPart[]): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'refusal' ? part.refusal : 'text' in part ? part.text : '')).join('');
}

function messageToChat(item: MessageItem, param: string): ChatMessage {
  // Chat completions takes parts for user turns only; other roles carry text.
  if (item.role !== 'user' || typeof item.content === 'string') return { role: item.role, content: textOf(item.content) };
  return { role: 'user', content: item.content.map((part, index) => partToChat(part, `${param}.content[${index}]`)) };
}

function toolOutputText(output: FunctionCallOutputItem['output']): string {
  return typeof output === 'string' ? output : output.map((part) => (part.type === 'input_text' ? part.text : '')).join('');
}

/**
 * Responses items → chat messages. Function calls join the assistant turn they follow (or open one), so a
 * provider that pairs calls with results turn by turn (Anthropic) sees them in one assistant message.
 */
export function itemsToMessages(items: readonly ConversationItem[], param = 'input', origins: MessageOrigin[] = []): ChatMessage[] {
  const messages: ChatMessage[] = [];
  // `origins` runs parallel to `messages` from where this call started (instructions may come before).
  const base = origins.length;
  for (const [index, item] of items.entries()) {
    if (item.type === 'function_call') {
      const call = { id: item.call_id, type: 'function' as const, function: { name: item.name, arguments: item.arguments } };
      const last = messages[messages.length - 1];
      const origin = origins[base + messages.length - 1];
      if (last?.role === 'assistant' && origin?.kind === 'item') {
        last.tool_calls = [...(last.tool_calls ?? []), call];
        origin.calls.push(index);
      } else {
        messages.push({ role: 'assistant', content: null, tool_calls: [call] });
        origins.push({ kind: 'item', item: index, calls: [index], toolOutput: false });
      }
    } else if (item.type === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: toolOutputText(item.output) });
      origins.push({ kind: 'item', item: index, calls: [], toolOutput: true });
    } else {
      messages.push(messageToChat(item, `${param}[${index}]`));
      origins.push({ kind: 'item', item: index, calls: [], toolOutput: false });
    }
  }
  return messages;
}

function toolToChat(tool: NonNullable<ResponsesRequest['tools']>[number]): ToolDefinition {
  const fn: ToolDefinition['function'] = { name: tool.name };
  if (tool.description) fn.description = tool.description;
  if (tool.parameters) fn.parameters = tool.parameters;
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

function toolChoiceToChat(choice: ResponsesToolChoice): ToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function formatToChat(format: TextFormat): ChatRequest['response_format'] | undefined {
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type !== 'json_schema') return undefined;
  const schema: Record<string, unknown> = { name: format.name, schema: format.schema };
  if (format.description) schema.description = format.description;
  if (typeof format.strict === 'boolean') schema.strict = format.strict;
  return { type: 'json_schema', json_schema: schema };
}

/**
 * A Responses request as the chat-completions request the pipeline runs. `conversation` is everything the
 * model should see as turns: the stored chain of `previous_response_id` followed by this request's input,
 * references already resolved. Instructions are never carried over from earlier responses (as OpenAI does).
 * `origins` (filled when given) says which item each chat message came from, to name Responses fields in errors.
 */
export function responsesToChat(request: ResponsesRequest, conversation: readonly ConversationItem[], origins: MessageOrigin[] = []): ChatRequest {
  const messages: ChatMessage[] = [];
  if (request.instructions) {
    messages.push({ role: 'system', content: request.instructions });
    origins.push({ kind: 'instructions' });
  }
  messages.push(...itemsToMessages(conversation, 'input', origins));
  const chat: ChatRequest = { model: request.model, messages };
  if (request.stream) {
    chat.stream = true;
    // The final usage chunk is what response.completed reports.
    chat.stream_options = { include_usage: true };
  }
  if (request.tools && request.tools.length > 0) chat.tools = request.tools.map(toolToChat);
  if (request.tool_choice !== undefined && request.tool_choice !== null) chat.tool_choice = toolChoiceToChat(request.tool_choice);
  if (typeof request.parallel_tool_calls === 'boolean' && chat.tools) chat.parallel_tool_calls = request.parallel_tool_calls;
  const format = request.text?.format ? formatToChat(request.text.format) : undefined;
  if (format) chat.response_format = format;
  if (typeof request.max_output_tokens === 'number') chat.max_tokens = request.max_output_tokens;
  if (typeof request.temperature === 'number') chat.temperature = request.temperature;
  if (typeof request.top_p === 'number') chat.top_p = request.top_p;
  if (request.reasoning?.effort) chat.reasoning_effort = request.reasoning.effort;
  // Responses asks for logprobs through `include`; chat through `logprobs`, with the same `top_logprobs`.
  if (request.include?.includes('message.output_text.logprobs') || (request.top_logprobs ?? 0) > 0) {
    chat.logprobs = true;
    if (typeof request.top_logprobs === 'number') chat.top_logprobs = request.top_logprobs;
  }
  if (request.metadata) chat.metadata = request.metadata;
  if (request.user !== undefined) chat.user = request.user;
  // Chat completions has these under the same names (OpenAI); adapters for other providers say when they drop them.
  for (const field of ['prompt_cache_key', 'safety_identifier', 'service_tier'] as const) {
    if (typeof request[field] === 'string') chat[field] = request[field];
  }
  if (typeof request.text?.verbosity === 'string') chat.verbosity = request.text.verbosity;
  return chat;
}
