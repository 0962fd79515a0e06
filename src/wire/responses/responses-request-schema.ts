import { z } from 'zod';
import { checkBody, openAIIssue, type WireCheck, type WireIssue } from '../wire-check.js';
import { ledgerText, TAG_LIMITS } from '../storable-text.js';
import type { ResponsesRequest } from './responses-types.js';

// The same limits as chat completions: model, user and metadata reach the ledger.
const modelName = ledgerText(256).min(1);
const metadata = z
  .record(ledgerText(TAG_LIMITS.keyLength).min(1), ledgerText(TAG_LIMITS.valueLength))
  .refine((pairs) => Object.keys(pairs).length <= TAG_LIMITS.pairs, `at most ${TAG_LIMITS.pairs} key-value pairs`);

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.looseObject({ type: z.literal('input_image'), image_url: z.string().nullish(), file_id: z.string().nullish() });
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const contentPart = z.discriminatedUnion('type', [inputText, inputImage, outputText, refusal]);

const message = z.looseObject({
  type: z.literal('message').optional(),
  id: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(contentPart)]),
});
const functionCall = z.looseObject({ type: z.literal('function_call'), id: z.string().optional(), call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() });
const functionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [inputText, inputImage]))]),
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
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({ type: z.literal('json_schema'), name: z.string().min(1), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }),
]);

const responsesRequestSchema = z.looseObject({
  model: modelName,
  input: z.union([z.string(), z.array(inputItem)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(functionTool).optional(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), name: z.string().min(1) })]).optional(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.looseObject({ format: textFormat.optional() }).nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
  metadata: metadata.nullish(),
  user: ledgerText(256).optional(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  background: z.literal(false).nullish(),
});

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
  return undefined;
}

/** Whether a body is a Responses request Frugal can serve; the first problem names the field as OpenAI's `param`. */
export const checkResponsesRequest = (body: unknown): WireCheck<ResponsesRequest> => checkBody<ResponsesRequest>(responsesRequestSchema, body, openAIIssue, hostedToolIssue);
