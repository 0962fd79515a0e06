import type { ModelEntry } from '../config/gateway-config.js';
import type { ChatRequest } from '../wire/chat-types.js';
import { countPromptTokens } from '../tokens/count-tokens.js';

export type UnfitReason = 'context' | 'tools' | 'vision' | 'json_schema';

/** Facts about a request that decide which models can take it, computed once per request. */
export interface RequestNeeds {
  promptTokens: number;
  maxOutputTokens: number;
  tools: boolean;
  vision: boolean;
  jsonSchema: boolean;
}

/** The request each needs object was computed for: a stage that replaces the request (a default max_tokens) makes it stale. */
const computedFor = new WeakMap<RequestNeeds, ChatRequest>();

/**
 * The needs of the request as it is now. `context.needs` may have been computed before a stage changed the request
 * (the spend stage adds the default max_tokens, compression shortens the prompt): a fit check on those stale needs
 * once chose a model whose context could not hold the default max_tokens. Recomputed when the request changed;
 * the prompt count (the costly part) is kept while the messages and tools are the same.
 */
export function currentNeeds(context: { request: ChatRequest; needs: RequestNeeds | undefined }): RequestNeeds {
  const known = context.needs;
  const before = known === undefined ? undefined : computedFor.get(known);
  if (known !== undefined && before === context.request) return known;
  const samePrompt = known !== undefined && before !== undefined && before.messages === context.request.messages && before.tools === context.request.tools;
  context.needs = requestNeeds(context.request, samePrompt ? known.promptTokens : undefined);
  return context.needs;
}

export function requestNeeds(request: ChatRequest, promptTokens?: number): RequestNeeds {
  let vision = false;
  for (const message of request.messages) {
    if (Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url')) vision = true;
  }
  const needs: RequestNeeds = {
    promptTokens: promptTokens ?? countPromptTokens(request.messages, request.tools),
    maxOutputTokens: request.max_completion_tokens ?? request.max_tokens ?? 0,
    tools: (request.tools?.length ?? 0) > 0,
    vision,
    jsonSchema: request.response_format?.type === 'json_schema',
  };
  computedFor.set(needs, request);
  return needs;
}

/** Why a model cannot take the request, or undefined when it can. */
export function unfitReason(model: ModelEntry, needs: RequestNeeds): UnfitReason | undefined {
  if (model.context !== undefined && needs.promptTokens + needs.maxOutputTokens > model.context) return 'context';
  if (needs.tools && !model.capabilities.tools) return 'tools';
  if (needs.vision && !model.capabilities.vision) return 'vision';
  if (needs.jsonSchema && !model.capabilities.jsonSchema) return 'json_schema';
  return undefined;
}
