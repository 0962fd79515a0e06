import type { WireIssue } from '../wire-check.js';
import type { ConversationItem } from './responses-to-chat.js';

/**
 * The first function call without its output, or output without its call, in a conversation (the stored
 * chain followed by the new input), in OpenAI's words. Every provider refuses such a conversation, but in
 * its own terms (`messages[3]`, `tool_use ids were found without tool_result blocks`) that name no field
 * of the Responses request; OpenAI's Responses API refuses it up front with `param: "input"`.
 */
export function unpairedToolCallIssue(conversation: readonly ConversationItem[]): WireIssue | undefined {
  const unanswered = new Set<string>();
  const called = new Set<string>();
  for (const item of conversation) {
    if (item.type === 'function_call') {
      called.add(item.call_id);
      unanswered.add(item.call_id);
    } else if (item.type === 'function_call_output') {
      if (!called.has(item.call_id)) return { message: `No tool call found for function call output with call_id ${item.call_id}.`, param: 'input' };
      unanswered.delete(item.call_id);
    }
  }
  const [first] = unanswered;
  return first === undefined ? undefined : { message: `No tool output found for function call ${first}.`, param: 'input' };
}
