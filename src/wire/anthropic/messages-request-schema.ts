import { z } from 'zod';
import { checkBody, type WireCheck, type WireIssue } from '../wire-check.js';
import { ledgerText } from '../storable-text.js';
import type { AnthropicMessagesRequest } from './anthropic-types.js';
import { messagesRuleIssue } from './messages-request-rules.js';

// Fields that reach the ledger must be storable and short (see storable-text.ts), as on the chat route.
const modelName = ledgerText(256).min(1);

// Loose objects: fields Anthropic adds later (citations, new cache_control options) pass through untouched.
const cacheControl = z.looseObject({ type: z.string() }).nullish();
const text = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const image = z.looseObject({ type: z.literal('image'), source: z.looseObject({ type: z.string() }), cache_control: cacheControl });
const toolUse = z.looseObject({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) });
const toolResult = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).optional(),
  is_error: z.boolean().optional(),
});
const thinking = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
const redactedThinking = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });
const KNOWN_BLOCKS = new Set(['text', 'image', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking']);
// Other block types (document, search_result, server tool blocks) have their fields checked by Anthropic; a type it
// does not take at all is refused by the rules (messages-request-rules.ts). A known type must be well formed.
const otherBlock = z.looseObject({ type: z.string() }).refine((block) => !KNOWN_BLOCKS.has(block.type), 'malformed content block');
const block = z.union([text, image, toolUse, toolResult, thinking, redactedThinking, otherBlock]);

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(block)]),
});
const tool = z.looseObject({ name: z.string().min(1), input_schema: z.record(z.string(), z.unknown()).optional(), type: z.string().optional() });
const toolChoice = z.union([
  z.looseObject({ type: z.enum(['auto', 'any', 'none']), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
]);

const messagesRequestSchema = z.looseObject({
  model: modelName,
  messages: z.array(message).min(1),
  // Anthropic requires max_tokens; so do we, rather than guess a limit the client did not choose.
  max_tokens: z.number().int().min(1),
  system: z.union([z.string(), z.array(text)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  metadata: z.looseObject({ user_id: ledgerText(256).nullish() }).optional(),
  thinking: z.looseObject({ type: z.string() }).optional(),
});

/** The count_tokens body: a Messages request without max_tokens (and without sampling parameters). */
const countTokensRequestSchema = messagesRequestSchema.omit({ max_tokens: true }).extend({ max_tokens: z.number().int().min(1).optional() });

// Anthropic names a field by its dotted path: `messages.0.content.1.text: Field required`. Zod reports a field of
// the wrong type and a missing one alike (invalid_type), so the body says which it was.
function toIssue(error: z.ZodError, body: unknown): WireIssue {
  const issue = error.issues[0];
  const param = issue.path.map(String).join('.');
  const missing = issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined;
  const detail = missing ? 'Field required' : issue.message;
  return { message: param === '' ? detail : `${param}: ${detail}`, param: param || null };
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Anthropic refuses a turn with nothing in it (`content: ''` or `[]`), except a final assistant turn (an empty
 * prefill). Checked here so the refusal names the message as Anthropic does, whatever model would have served.
 */
function emptyTurn(body: Record<string, unknown>): WireIssue | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages)) return undefined;
  const index = messages.findIndex((message: unknown, at) => {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    const empty = content === '' || (Array.isArray(content) && content.length === 0);
    return empty && !(role === 'assistant' && at === messages.length - 1);
  });
  if (index === -1) return undefined;
  return { message: `messages.${index}: all messages must have non-empty content except for the optional final assistant message`, param: `messages.${index}` };
}

/**
 * Checks a POST /v1/messages body as Anthropic would (max_tokens required, temperature 0–1, roles user and
 * assistant, well-formed known blocks, no empty turns), so a malformed request is refused before routing, whatever model serves.
 * @example checkMessagesRequest({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
 */
export const checkMessagesRequest = (body: unknown, betas: readonly string[] = []): WireCheck<AnthropicMessagesRequest> =>
  withRules(checkBody<AnthropicMessagesRequest>(messagesRequestSchema, body, (error) => toIssue(error, body), emptyTurn), betas);

/** Checks a POST /v1/messages/count_tokens body (max_tokens optional, so the thinking budget is not held against it). */
export const checkCountTokensRequest = (body: unknown, betas: readonly string[] = []): WireCheck<AnthropicMessagesRequest> =>
  withRules(checkBody<AnthropicMessagesRequest>(countTokensRequestSchema, body, (error) => toIssue(error, body), emptyTurn), betas, true);

/** The cross-field rules (messages-request-rules.ts), once the shape is right. */
function withRules(checked: WireCheck<AnthropicMessagesRequest>, betas: readonly string[], counting = false): WireCheck<AnthropicMessagesRequest> {
  if (!checked.ok) return checked;
  const value = checked.value;
  const issue = messagesRuleIssue(counting ? { ...value, max_tokens: Number.MAX_SAFE_INTEGER } : value, betas);
  return issue ? { ok: false, issue } : checked;
}
