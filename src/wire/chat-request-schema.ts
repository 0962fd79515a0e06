import { z } from 'zod';
import { checkBody, type WireCheck } from './wire-check.js';
import { plainValidChatRequest } from './chat-request-fast-check.js';
import type { ChatRequest, EmbeddingRequest } from './chat-types.js';
import { ledgerText, TAG_LIMITS } from './storable-text.js';

// Fields that reach the ledger (and reports) must be storable and short: see storable-text.ts.
const MODEL_NAME_MAX = 256;
const USER_MAX = 256;
const modelName = ledgerText(MODEL_NAME_MAX).min(1);
const user = ledgerText(USER_MAX).optional();
const metadata = z
  .record(ledgerText(TAG_LIMITS.keyLength).min(1), ledgerText(TAG_LIMITS.valueLength))
  .refine((pairs) => Object.keys(pairs).length <= TAG_LIMITS.pairs, `at most ${TAG_LIMITS.pairs} key-value pairs`);

// Loose objects: unknown fields pass through untouched, so new OpenAI parameters keep working.
const contentPart = z.looseObject({ type: z.string() });
const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_call_id: z.string().optional(),
});
const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
});

const chatRequestSchema = z.looseObject({
  model: modelName,
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  tools: z.array(tool).optional(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) })])
    .optional(),
  response_format: z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) }).optional(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  user,
  metadata: metadata.nullish(),
});

const embeddingRequestSchema = z.looseObject({
  model: modelName,
  input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number()).min(1), z.array(z.array(z.number())).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user,
});


/** The common valid body skips the schema (chat-request-fast-check.ts); anything else, and every error, is the schema's. */
export const checkChatRequest = (body: unknown): WireCheck<ChatRequest> =>
  plainValidChatRequest(body) ? { ok: true, value: body as ChatRequest } : checkBody<ChatRequest>(chatRequestSchema, body);
/** The schema alone, for the fast path's property test. */
export const checkChatRequestBySchema = (body: unknown): WireCheck<ChatRequest> => checkBody<ChatRequest>(chatRequestSchema, body);
export const checkEmbeddingRequest = (body: unknown): WireCheck<EmbeddingRequest> => checkBody<EmbeddingRequest>(embeddingRequestSchema, body);
