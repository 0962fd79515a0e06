import { countPromptTokens } from '../tokens/count-tokens.js';
import { itemsToMessages, type ConversationItem } from '../wire/responses/responses-to-chat.js';

export interface ContextBudget {
  /** The model's context window, tokens. */
  context: number;
  /** Tokens every attempt spends whatever is kept: instructions, tools, and the room left for the answer. */
  fixedTokens: number;
}

/** The estimated prompt tokens of one item, as countPromptTokens counts a message (without the reply priming). */
function itemTokens(item: ConversationItem): number {
  return countPromptTokens(itemsToMessages([item])) - countPromptTokens([]);
}

/**
 * The indexes of the conversation items to keep so that it fits the context window, dropping the oldest
 * first (OpenAI's `truncation: "auto"`), or undefined when even the newest item alone does not fit. A
 * function_call_output whose call was dropped goes too: every provider refuses an answer to no question.
 * With `truncate: false` nothing is dropped: the answer is all items, or undefined when they do not fit.
 * Token counts are the o200k estimate the fit check uses, so the cut is as good as that estimate.
 */
export function fitConversation(items: readonly ConversationItem[], budget: ContextBudget, truncate: boolean): number[] | undefined {
  const sizes = items.map(itemTokens);
  let total = budget.fixedTokens + sizes.reduce((sum, size) => sum + size, 0);
  let start = 0;
  if (!truncate) return total <= budget.context ? items.map((_, index) => index) : undefined;
  while (total > budget.context && start < items.length - 1) total -= sizes[start++];
  if (total > budget.context) return undefined;
  const calls = new Set<string>();
  const kept: number[] = [];
  for (let index = start; index < items.length; index += 1) {
    const item = items[index];
    if (item.type === 'function_call') calls.add(item.call_id);
    if (item.type === 'function_call_output' && !calls.has(item.call_id)) continue;
    kept.push(index);
  }
  return kept.length > 0 ? kept : undefined;
}
