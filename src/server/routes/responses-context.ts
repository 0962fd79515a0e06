import type { GatewayConfig } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import { fitConversation } from '../../responses/fit-conversation.js';
import { buildRouteTable, type RouteTable } from '../../routing/build-route-table.js';
import { countPromptTokens } from '../../tokens/count-tokens.js';
import type { ChatMessage } from '../../wire/chat-types.js';
import type { ConversationItem } from '../../wire/responses/responses-to-chat.js';
import type { ResponsesRequest } from '../../wire/responses/responses-types.js';

// One table per config: a reload swaps the config object, and the table follows it.
const tables = new WeakMap<GatewayConfig, RouteTable>();

/**
 * The context windows a model or route name can be served with: the smallest (what a conversation must fit to
 * be served by any of them) and the largest (what no one of them can take). Undefined when none is known.
 */
function contextWindows(config: GatewayConfig, name: string): { smallest: number; largest: number } | undefined {
  const model = config.models.get(name);
  let candidates = model ? [model] : undefined;
  if (!candidates) {
    let table = tables.get(config);
    if (!table) {
      table = buildRouteTable(config);
      tables.set(config, table);
    }
    candidates = table.routes.get(name)?.models();
  }
  const known = (candidates ?? []).map((candidate) => candidate.context).filter((context): context is number => context !== undefined);
  // A route with one model of unknown size may be served by it: nothing can be said about its limit.
  if (known.length === 0 || known.length !== candidates?.length) return undefined;
  return { smallest: Math.min(...known), largest: Math.max(...known) };
}

/** OpenAI's refusal of a conversation that does not fit (Responses API, `truncation: "disabled"`). */
export function contextExceeded(): FrugalError {
  return new FrugalError('invalid_request', 'Your input exceeds the context window of this model. Please adjust your input and try again.', {
    param: 'input',
    upstreamCode: 'context_length_exceeded',
  });
}

/**
 * Which conversation items the request is sent with. `truncation: "auto"` drops the oldest items until the
 * conversation fits the smallest context the name can be served with; `"disabled"` (the default) refuses,
 * before any upstream call, a conversation that fits none of them. Unknown context windows change nothing.
 */
export function keptItems(config: GatewayConfig, request: ResponsesRequest, conversation: readonly ConversationItem[]): number[] {
  const all = conversation.map((_, index) => index);
  const windows = contextWindows(config, request.model);
  if (!windows) return all;
  const fixed: ChatMessage[] = request.instructions ? [{ role: 'system', content: request.instructions }] : [];
  const budget = { fixedTokens: countPromptTokens(fixed, request.tools ?? undefined) + (request.max_output_tokens ?? 0) };
  const truncate = request.truncation === 'auto';
  const kept = fitConversation(conversation, { ...budget, context: truncate ? windows.smallest : windows.largest }, truncate);
  if (!kept) throw contextExceeded();
  return kept;
}
