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

export function requestNeeds(request: ChatRequest): RequestNeeds {
  let vision = false;
  for (const message of request.messages) {
    if (Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url')) vision = true;
  }
  return {
    promptTokens: countPromptTokens(request.messages, request.tools),
    maxOutputTokens: request.max_completion_tokens ?? request.max_tokens ?? 0,
    tools: (request.tools?.length ?? 0) > 0,
    vision,
    jsonSchema: request.response_format?.type === 'json_schema',
  };
}

/** Why a model cannot take the request, or undefined when it can. */
export function unfitReason(model: ModelEntry, needs: RequestNeeds): UnfitReason | undefined {
  if (model.context !== undefined && needs.promptTokens + needs.maxOutputTokens > model.context) return 'context';
  if (needs.tools && !model.capabilities.tools) return 'tools';
  if (needs.vision && !model.capabilities.vision) return 'vision';
  if (needs.jsonSchema && !model.capabilities.jsonSchema) return 'json_schema';
  return undefined;
}
