import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice, ToolDefinition } from '../../wire/chat-types.js';
import type {
  AnthropicMessage,
  AnthropicMessagesRequest,
  AnthropicRequestBlock,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from '../../wire/anthropic/anthropic-types.js';
import { convertContentParts } from './convert-anthropic-content.js';

/** Anthropic requires max_tokens; this is sent when the client set none (and said so in a warning). */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

export interface AnthropicRequestOptions {
  defaultMaxTokens?: number;
}

export interface ConvertedAnthropicRequest {
  body: AnthropicMessagesRequest;
  /** Everything changed or dropped on the way, one short sentence each. */
  warnings: string[];
}

// Fields handled below; any other field a client sends is dropped with a warning, because Anthropic rejects
// unknown fields ("Extra inputs are not permitted").
const HANDLED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'n',
  'stop', 'seed', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'logprobs', 'top_logprobs', 'user',
  'metadata', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'top_k', 'thinking',
  // The original body of a /v1/messages request: read by the adapter, never sent as a field.
  'anthropic_native',
]);

/**
 * OpenAI chat request → Anthropic Messages request body. Parameters Anthropic cannot honour are refused
 * (FrugalError 'not_supported' naming the param) when the client depends on them (n > 1, logprobs, json_schema),
 * and dropped with a warning when an answer without them is still what the client wants (seed, penalties).
 * @example convertToAnthropicMessages({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] })
 *   // → { body: { model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4096 }, warnings: ['max_tokens not set; sent 4096 ...'] }
 */
export function convertToAnthropicMessages(request: ChatRequest, options: AnthropicRequestOptions = {}): ConvertedAnthropicRequest {
  const warnings = new Set<string>();
  const warn = (warning: string) => warnings.add(warning);
  refuseUnsupported(request);

  const { system, messages } = convertMessages(request.messages, warn);
  const body: AnthropicMessagesRequest = { model: request.model, messages, max_tokens: maxTokensOf(request, options, warn) };
  if (system.length === 1) body.system = system[0].text;
  else if (system.length > 1) body.system = system;

  if (request.stop !== undefined && request.stop !== null) {
    const stops = (typeof request.stop === 'string' ? [request.stop] : request.stop).filter((stop) => stop !== '');
    if (stops.length > 0) body.stop_sequences = stops;
  }
  if (typeof request.temperature === 'number') {
    // OpenAI allows 0–2, Anthropic 0–1: the closest honest answer to "more random than 1" is 1.
    body.temperature = Math.min(request.temperature, 1);
    if (request.temperature > 1) warn(`temperature ${request.temperature} lowered to 1 (Anthropic's maximum)`);
  }
  if (typeof request.top_p === 'number') {
    // Recent Claude models refuse temperature and top_p together; temperature is the one clients usually mean.
    if (body.temperature !== undefined) warn('dropped top_p (Anthropic models take temperature or top_p, not both)');
    else body.top_p = request.top_p;
  }
  if (typeof request.top_k === 'number') body.top_k = request.top_k;
  if (isRecord(request.thinking)) body.thinking = request.thinking;
  if (typeof request.user === 'string' && request.user !== '') body.metadata = { user_id: request.user };

  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool, index) => convertTool(tool, index, warn));
    const toolChoice = convertToolChoice(request.tool_choice, request.parallel_tool_calls === false);
    if (toolChoice) body.tool_choice = toolChoice;
  } else if (request.tool_choice !== undefined && request.tool_choice !== 'none' && request.tool_choice !== 'auto') {
    warn('dropped tool_choice (no tools were given)');
  }

  dropWithWarnings(request, warn);
  return { body, warnings: [...warnings] };
}

function refuseUnsupported(request: ChatRequest): void {
  if (typeof request.n === 'number' && request.n > 1) {
    throw new FrugalError('not_supported', 'Anthropic models return one choice per request; n must be 1.', { param: 'n' });
  }
  if (request.logprobs === true || (typeof request.top_logprobs === 'number' && request.top_logprobs > 0)) {
    throw new FrugalError('not_supported', 'Anthropic models do not return logprobs.', { param: request.logprobs === true ? 'logprobs' : 'top_logprobs' });
  }
  if (request.response_format?.type === 'json_schema') {
    throw new FrugalError('not_supported', 'response_format json_schema is not supported for Anthropic models; use a tool with that schema instead.', {
      param: 'response_format',
    });
  }
}

function maxTokensOf(request: ChatRequest, options: AnthropicRequestOptions, warn: (warning: string) => void): number {
  const requested = request.max_completion_tokens ?? request.max_tokens;
  if (typeof requested === 'number') return requested;
  const fallback = options.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  warn(`max_tokens not set; sent ${fallback} (Anthropic requires a limit)`);
  return fallback;
}

function dropWithWarnings(request: ChatRequest, warn: (warning: string) => void): void {
  if (typeof request.seed === 'number') warn('dropped seed (Anthropic has no seed)');
  if (request.response_format?.type === 'json_object') warn('dropped response_format json_object (Anthropic has no JSON mode; ask for JSON in the prompt)');
  for (const penalty of ['frequency_penalty', 'presence_penalty'] as const) {
    const value = request[penalty];
    if (typeof value === 'number' && value !== 0) warn(`dropped ${penalty} (Anthropic has none)`);
  }
  if (isRecord(request.logit_bias) && Object.keys(request.logit_bias).length > 0) warn('dropped logit_bias (Anthropic has none)');
  if (isRecord(request.metadata) && Object.keys(request.metadata).length > 0) warn('dropped metadata (Anthropic takes only a user id)');
  for (const [key, value] of Object.entries(request)) {
    if (!HANDLED.has(key) && value !== undefined && value !== null && value !== false) warn(`dropped unsupported parameter '${key}'`);
  }
}

function convertMessages(input: ChatMessage[], warn: (warning: string) => void): { system: AnthropicTextBlock[]; messages: AnthropicMessage[] } {
  const system: AnthropicTextBlock[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; blocks: AnthropicRequestBlock[] }> = [];

  function append(role: 'user' | 'assistant', blocks: AnthropicRequestBlock[]) {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    // Anthropic wants alternating turns, and all tool results of a turn in one user message, results first.
    if (last?.role === role) {
      last.blocks.push(...blocks);
      if (role === 'user') last.blocks.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'));
    } else {
      turns.push({ role, blocks: [...blocks] });
    }
  }

  input.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOnly(message.content, param);
        if (text === '') return;
        if (turns.length > 0) warn(`moved the ${message.role} message at ${param} into the top-level system prompt`);
        system.push({ type: 'text', text });
        return;
      }
      case 'user':
        if (typeof message.name === 'string') warn('dropped message name (Anthropic has none)');
        append('user', convertContentParts(message.content, param, warn));
        return;
      case 'assistant': {
        const blocks: AnthropicRequestBlock[] = [];
        const text = textOnly(message.content, param);
        if (text !== '') blocks.push({ type: 'text', text });
        message.tool_calls?.forEach((call, callIndex) => blocks.push(toolUseBlock(call, `${param}.tool_calls[${callIndex}]`)));
        append('assistant', blocks);
        return;
      }
      case 'tool':
        append('user', [toolResultBlock(message, param, warn)]);
        return;
      default:
        throw new FrugalError('not_supported', `Role '${message.role}' is not supported for Anthropic models; use tool messages.`, { param: `${param}.role` });
    }
  });

  const messages = turns.map(({ role, blocks }): AnthropicMessage => {
    const only = blocks[0];
    return { role, content: blocks.length === 1 && only.type === 'text' ? only.text : blocks };
  });
  return { system, messages };
}

/** System and assistant content: a string or text parts (OpenAI `refusal` parts are the assistant's text too). */
function textOnly(content: string | ContentPart[] | null | undefined, param: string): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      const text = part.type === 'text' ? part.text : part.type === 'refusal' ? part.refusal : undefined;
      if (typeof text !== 'string') {
        throw new FrugalError('not_supported', `Only text can be sent in this message to Anthropic, not '${part.type}'.`, { param: `${param}.content[${index}]` });
      }
      return text;
    })
    .join('');
}

function toolUseBlock(call: NonNullable<ChatMessage['tool_calls']>[number], param: string): AnthropicToolUseBlock {
  const raw = call.function?.arguments ?? '';
  let input: unknown;
  try {
    input = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw new FrugalError('invalid_request', `${param}.function.arguments is not valid JSON.`, { param: `${param}.function.arguments` });
  }
  if (!isRecord(input)) {
    throw new FrugalError('invalid_request', `${param}.function.arguments must be a JSON object for Anthropic models.`, { param: `${param}.function.arguments` });
  }
  return { type: 'tool_use', id: call.id, name: call.function.name, input };
}

function toolResultBlock(message: ChatMessage, param: string, warn: (warning: string) => void): AnthropicToolResultBlock {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
    throw new FrugalError('invalid_request', `${param}.tool_call_id is required for tool messages.`, { param: `${param}.tool_call_id` });
  }
  if (message.content === null || message.content === undefined || message.content === '') {
    return { type: 'tool_result', tool_use_id: message.tool_call_id };
  }
  if (typeof message.content === 'string') return { type: 'tool_result', tool_use_id: message.tool_call_id, content: message.content };
  const blocks = convertContentParts(message.content, param, warn);
  const content = blocks.map((block) => {
    if (block.type === 'document') throw new FrugalError('not_supported', 'Files cannot be sent inside tool results to Anthropic.', { param });
    return block;
  });
  return { type: 'tool_result', tool_use_id: message.tool_call_id, content };
}

function convertTool(tool: ToolDefinition, index: number, warn: (warning: string) => void): AnthropicTool {
  if (tool.type !== 'function' || !tool.function) {
    throw new FrugalError('not_supported', `Tool type '${String(tool.type)}' is not supported for Anthropic models.`, { param: `tools[${index}]` });
  }
  if (tool.function.strict === true) warn('dropped strict from tools (Anthropic does not enforce tool schemas)');
  const converted: AnthropicTool = { name: tool.function.name, input_schema: tool.function.parameters ?? { type: 'object', properties: {} } };
  if (tool.function.description !== undefined) converted.description = tool.function.description;
  return converted;
}

function convertToolChoice(choice: ToolChoice | undefined, noParallelCalls: boolean): AnthropicToolChoice | undefined {
  const disable = noParallelCalls ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return noParallelCalls ? { type: 'auto', ...disable } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...disable };
  if (choice === 'required') return { type: 'any', ...disable };
  if (typeof choice === 'object' && typeof choice.function?.name === 'string') return { type: 'tool', name: choice.function.name, ...disable };
  throw new FrugalError('invalid_request', 'tool_choice must be none, auto, required or a function.', { param: 'tool_choice' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
