import { z } from 'zod';
import { checkBody, type WireIssue } from '../wire-check.js';
import { openAIResponsesIssue, type ResponsesIssue } from './responses-issue.js';
import { ledgerText, TAG_LIMITS } from '../storable-text.js';
import type { ResponsesRequest } from './responses-types.js';

// The same limits as chat completions: model, user and metadata reach the ledger.
const modelName = ledgerText(256).min(1);
const metadata = z
  .record(ledgerText(TAG_LIMITS.keyLength).min(1), ledgerText(TAG_LIMITS.valueLength))
  .refine((pairs) => Object.keys(pairs).length <= TAG_LIMITS.pairs, `at most ${TAG_LIMITS.pairs} key-value pairs`);

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.looseObject({ type: z.literal('input_image'), image_url: z.string().nullish(), file_id: z.string().nullish() });
const inputFile = z.looseObject({ type: z.literal('input_file'), file_data: z.string().nullish(), file_id: z.string().nullish(), file_url: z.string().nullish(), filename: z.string().nullish() });
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const PART_SCHEMAS: Record<string, z.ZodType> = { input_text: inputText, input_image: inputImage, input_file: inputFile, output_text: outputText, refusal };
/** What chat completions can carry of each part: images and files only in user turns, and only inline. */
function partIssue(part: { type: string; [field: string]: unknown }, role: string): { message: string; path: string[] } | undefined {
  if (part.type !== 'input_image' && part.type !== 'input_file') return undefined;
  if (role !== 'user') return { message: `${part.type} is only supported in user messages (chat completions carries text only for role '${role}')`, path: ['type'] };
  if (part.type === 'input_image' && !part.image_url) return { message: 'input_image needs image_url: uploaded files (file_id) are not supported', path: [part.file_id ? 'file_id' : 'image_url'] };
  if (part.type === 'input_file' && !part.file_data) {
    const given = part.file_id ? 'file_id' : part.file_url ? 'file_url' : 'file_data';
    return { message: 'input_file needs file_data (a base64 data URL): uploaded files (file_id) and file_url are not supported', path: [given] };
  }
  return undefined;
}
/**
 * A string or an array of parts. Each part's schema is picked by its type first, so the issue names the part
 * and the type refused, where a union would only say "Invalid input".
 */
function stringOrParts(allowed: readonly string[], role: string) {
  return z.union([z.string(), z.array(z.unknown())]).superRefine((parts, context) => {
    if (typeof parts === 'string') return;
    for (const [index, part] of parts.entries()) {
      const type = typeof part === 'object' && part !== null ? (part as { type?: unknown }).type : undefined;
      const schema = typeof type === 'string' && allowed.includes(type) ? PART_SCHEMAS[type] : undefined;
      if (!schema) {
        context.addIssue({ code: 'custom', message: `content part type ${JSON.stringify(type)} is not supported here`, path: [index, 'type'] });
        return;
      }
      const result = schema.safeParse(part);
      if (!result.success) {
        for (const issue of result.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: [index, ...issue.path] });
        return;
      }
      const refused = partIssue(part as { type: string }, role);
      if (refused) {
        context.addIssue({ code: 'custom', message: refused.message, path: [index, ...refused.path] });
        return;
      }
    }
  });
}

const MESSAGE_ROLES = ['user', 'assistant', 'system', 'developer'] as const;
const messageHead = z.looseObject({ type: z.literal('message').optional(), id: z.string().optional(), role: z.enum(MESSAGE_ROLES), content: z.unknown() });
const MESSAGE_CONTENT: Record<string, z.ZodType> = Object.fromEntries(MESSAGE_ROLES.map((role) => [role, stringOrParts(Object.keys(PART_SCHEMAS), role)]));
const message = z.unknown().superRefine((item, context) => {
  const head = messageHead.safeParse(item);
  if (!head.success) {
    for (const issue of head.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return;
  }
  const { role, content } = head.data;
  const result = MESSAGE_CONTENT[role].safeParse(content);
  if (!result.success) for (const issue of result.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: ['content', ...issue.path] });
});
const functionCall = z.looseObject({ type: z.literal('function_call'), id: z.string().optional(), call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() });
const functionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  // A chat tool message carries text only: an image or file in a tool result would be dropped unseen.
  output: stringOrParts(['input_text'], 'tool'),
});
const itemReference = z.looseObject({ type: z.literal('item_reference'), id: z.string().min(1) });
const reasoning = z.looseObject({ type: z.literal('reasoning') });
const ITEM_SCHEMAS: Record<string, z.ZodType> = { message, function_call: functionCall, function_call_output: functionCallOutput, item_reference: itemReference, reasoning };
// An item without `type` is a message (EasyInputMessage). Picking the schema by type first makes the issue
// name the field inside the item (input[2].call_id), where a plain union would only say "input".
const inputItem = z.unknown().superRefine((item, context) => {
  const type = typeof item === 'object' && item !== null && 'type' in item ? (item as { type: unknown }).type : 'message';
  const schema = typeof type === 'string' ? ITEM_SCHEMAS[type] : undefined;
  if (!schema) {
    context.addIssue({ code: 'custom', message: `unsupported input item type ${JSON.stringify(type)}`, path: ['type'] });
    return;
  }
  const result = schema.safeParse(item);
  if (!result.success) for (const issue of result.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
});

const functionTool = z.looseObject({
  type: z.literal('function'),
  // OpenAI's rule for function names; Anthropic's is the same, so a name that passes here passes upstream.
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'expected 1 to 64 letters, digits, underscores or dashes'),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({ type: z.literal('json_schema'), name: z.string().min(1), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }),
]);

/**
 * What `include` may name (the openai package's ResponseIncludable). Those about hosted tools and encrypted
 * reasoning concern items Frugal never produces, so asking for them changes nothing; logprobs are served.
 */
const INCLUDABLE = [
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
] as const;

const responsesRequestSchema = z.looseObject({
  model: modelName,
  input: z.union([z.string(), z.array(inputItem)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(functionTool).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), name: z.string().min(1) })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.looseObject({ format: textFormat.optional(), verbosity: z.enum(['low', 'medium', 'high']).nullish() }).nullish(),
  // OpenAI refuses fewer than 16 output tokens on the Responses API (integer_below_min_value).
  max_output_tokens: z.number().int().min(16).nullish(),
  // Counts calls to hosted tools on OpenAI; here it caps the function calls a response carries.
  max_tool_calls: z.number().int().min(1).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning: z.looseObject({ effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish(), summary: z.enum(['auto', 'concise', 'detailed']).nullish() }).nullish(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
  metadata: metadata.nullish(),
  user: ledgerText(256).optional(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  background: z.literal(false).nullish(),
  include: z.array(z.enum(INCLUDABLE)).nullish(),
  prompt_cache_key: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
});

/**
 * Fields naming state that lives on OpenAI's servers. Ignoring them would answer a different question than
 * the one asked (without the conversation's turns, without the prompt template), so they are refused.
 */
const SERVER_STATE_FIELDS: Record<string, string> = {
  conversation: 'Conversations are not supported: continue a conversation with previous_response_id.',
  prompt: 'Prompt templates (prompt) are not supported: send the instructions and input themselves.',
};

/** OpenAI's hosted tools run on OpenAI's servers; a gateway in front of any model cannot run them. */
function hostedToolIssue(body: Record<string, unknown>): WireIssue | undefined {
  if (Array.isArray(body.tools)) {
    for (const [index, tool] of body.tools.entries()) {
      const type = (tool as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && type !== 'function') {
        return { message: `Tool type '${type}' is not supported: Frugal serves function tools only.`, param: `tools[${index}].type` };
      }
    }
  }
  const choice = body.tool_choice as { type?: unknown } | null | undefined;
  if (choice && typeof choice === 'object' && typeof choice.type === 'string' && choice.type !== 'function') {
    return { message: `tool_choice type '${choice.type}' is not supported: Frugal serves function tools only.`, param: 'tool_choice.type' };
  }
  if (body.background === true) return { message: 'Background mode is not supported.', param: 'background' };
  for (const [field, message] of Object.entries(SERVER_STATE_FIELDS)) if (body[field] !== undefined && body[field] !== null) return { message, param: field };
  return undefined;
}

/** Tools and tool_choice must agree, as OpenAI checks; otherwise the upstream would refuse in chat's terms. */
function toolIssue({ tools, tool_choice: choice }: ResponsesRequest): WireIssue | undefined {
  const names = new Set<string>();
  for (const [index, tool] of (tools ?? []).entries()) {
    if (names.has(tool.name)) return { message: `Invalid 'tools[${index}].name': the function name '${tool.name}' is given twice.`, param: `tools[${index}].name` };
    names.add(tool.name);
  }
  if (choice === 'required' && names.size === 0) return { message: "tool_choice 'required' needs at least one function in 'tools'.", param: 'tool_choice' };
  if (typeof choice === 'object' && choice !== null && !names.has(choice.name)) {
    return { message: `Tool choice 'function' with name '${choice.name}' not found in 'tools'.`, param: 'tool_choice.name' };
  }
  return undefined;
}

export type ResponsesCheck = { ok: true; value: ResponsesRequest } | { ok: false; issue: ResponsesIssue };

/**
 * Whether a body is a Responses request Frugal can serve; the first problem names the field as OpenAI's `param`,
 * with OpenAI's words and `code` for schema problems (missing_required_parameter, invalid_type, invalid_value, …).
 */
export function checkResponsesRequest(body: unknown): ResponsesCheck {
  const checked = checkBody<ResponsesRequest>(responsesRequestSchema, body, (error) => openAIResponsesIssue(error, body), hostedToolIssue);
  const issue = checked.ok ? toolIssue(checked.value) : undefined;
  return issue ? { ok: false, issue } : checked;
}
