import type { ChatResponse, FinishReason, OpenAIUsage } from '../chat-types.js';
import { outputItemId } from './response-ids.js';
import type { OutputItem, ResponseObject, ResponsesRequest, ResponsesUsage, TokenLogprob } from './responses-types.js';

/** Chat usage in the Responses shape; `cost` (Frugal's addition) is kept when the chat usage carries it. */
export function usageToResponses(usage: OpenAIUsage): ResponsesUsage {
  const converted: ResponsesUsage = {
    input_tokens: usage.prompt_tokens ?? 0,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens ?? 0,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0),
  };
  if (typeof usage.cost === 'number') converted.cost = usage.cost;
  return converted;
}

/**
 * The token log probabilities of a chat choice (`choice.logprobs.content`), in the Responses shape: the same
 * fields, so they are picked, not converted. Anything else (no logprobs asked for, a provider without them) is [].
 */
export function logprobsOf(choiceLogprobs: unknown): TokenLogprob[] {
  const content = (choiceLogprobs as { content?: unknown } | null | undefined)?.content;
  if (!Array.isArray(content)) return [];
  return content.map((entry: TokenLogprob) => ({
    token: entry.token,
    logprob: entry.logprob,
    bytes: entry.bytes ?? null,
    top_logprobs: (entry.top_logprobs ?? []).map(({ token, logprob, bytes }) => ({ token, logprob, bytes: bytes ?? null })),
  }));
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The response object before any output: what `response.created` carries, and the frame of the final one.
 * It echoes the request's settings as OpenAI does. `createdAt` is in seconds.
 */
export function responseEnvelope(request: ResponsesRequest, id: string, createdAt: number): ResponseObject {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? null,
    model: request.model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: request.store ?? true,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' }, ...(typeof request.text?.verbosity === 'string' ? { verbosity: request.text.verbosity } : {}) },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    })),
    top_logprobs: request.top_logprobs ?? null,
    top_p: request.top_p ?? null,
    truncation: request.truncation ?? 'disabled',
    background: false,
    // The tier that served the request; chat answers say which, and `auto` runs as `default` until they do.
    service_tier: typeof request.service_tier === 'string' && request.service_tier !== 'auto' ? request.service_tier : 'default',
    usage: null,
    user: request.user ?? null,
    safety_identifier: stringOrNull(request.safety_identifier),
    prompt_cache_key: stringOrNull(request.prompt_cache_key),
    metadata: request.metadata ?? {},
  };
}

/** How a finish reason ends a response: `length` and `content_filter` leave it incomplete. */
export function finishOf(reason: FinishReason): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/**
 * A chat completion as the finished Response: the first choice's reasoning (when the provider shows it) as a
 * `reasoning` item, its text (and refusal) as one assistant message, then its tool calls as `function_call`
 * items. `completedAt` is in seconds.
 */
export function chatToResponse(chat: ChatResponse, envelope: ResponseObject, completedAt: number): ResponseObject {
  const choice = chat.choices[0];
  const finish = finishOf(choice?.finish_reason ?? 'stop');
  const itemStatus = finish.status === 'completed' ? 'completed' : 'incomplete';
  const output: OutputItem[] = [];
  const message = choice?.message;
  const reasoning = message?.reasoning_content;
  if (typeof reasoning === 'string' && reasoning !== '') {
    output.push({ type: 'reasoning', id: outputItemId(envelope.id, 'rs', 0), status: 'completed', summary: [], content: [{ type: 'reasoning_text', text: reasoning }] });
  }
  const refusal = typeof message?.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
  if ((typeof message?.content === 'string' && message.content !== '') || refusal !== undefined) {
    const content: Extract<OutputItem, { type: 'message' }>['content'] = [];
    if (typeof message?.content === 'string' && message.content !== '') content.push({ type: 'output_text', text: message.content, annotations: [], logprobs: logprobsOf(choice?.logprobs) });
    if (refusal !== undefined) content.push({ type: 'refusal', refusal });
    output.push({ type: 'message', id: outputItemId(envelope.id, 'msg', output.length), status: itemStatus, role: 'assistant', content });
  }
  // max_tool_calls: calls past the limit are ignored, as OpenAI ignores the model's further attempts.
  for (const call of (message?.tool_calls ?? []).slice(0, envelope.max_tool_calls ?? undefined)) {
    output.push({
      type: 'function_call',
      id: outputItemId(envelope.id, 'fc', output.length),
      status: 'completed',
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    });
  }
  return {
    ...envelope,
    ...finish,
    completed_at: finish.status === 'completed' ? completedAt : null,
    model: chat.model || envelope.model,
    ...(typeof chat.service_tier === 'string' ? { service_tier: chat.service_tier } : {}),
    output,
    usage: chat.usage ? usageToResponses(chat.usage) : null,
  };
}
