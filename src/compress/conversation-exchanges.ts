import { createHash } from 'node:crypto';
import { canonicalJson } from '../cache/exact/canonical-json.js';
import type { ChatMessage } from '../wire/chat-types.js';
import { contentText } from '../tokens/count-tokens.js';

/**
 * A conversation cut into the pieces context pruning moves as wholes.
 * - `head`: the leading system/developer messages, kept first and verbatim.
 * - `exchanges`: each starts at a user message and runs up to the next one, so an assistant message with
 *   `tool_calls` always travels with its tool results. A user message that arrives while tool calls still wait
 *   for results (not valid OpenAI input, but seen) does not start an exchange, so the pair is never split.
 */
export interface Conversation {
  head: ChatMessage[];
  exchanges: ChatMessage[][];
}

const HEAD_ROLES = new Set(['system', 'developer']);

export function splitConversation(messages: readonly ChatMessage[]): Conversation {
  let start = 0;
  while (start < messages.length && HEAD_ROLES.has(messages[start].role)) start += 1;
  const exchanges: ChatMessage[][] = [];
  const waiting = new Set<string>();
  for (const message of messages.slice(start)) {
    if ((message.role === 'user' && waiting.size === 0) || exchanges.length === 0) exchanges.push([]);
    exchanges[exchanges.length - 1].push(message);
    for (const call of message.tool_calls ?? []) waiting.add(call.id);
    if (message.role === 'tool' && typeof message.tool_call_id === 'string') waiting.delete(message.tool_call_id);
  }
  return { head: messages.slice(0, start), exchanges };
}

/**
 * Cumulative hashes of the exchanges: `keys[i]` identifies exchanges [0, i) — what a summary of the first i
 * exchanges covers — so a summary written for one turn is found again by the next turn of the conversation.
 */
export function prefixKeys(exchanges: readonly ChatMessage[][], salt: string): string[] {
  const keys = [createHash('sha256').update(salt).digest('hex')];
  for (const exchange of exchanges) {
    // Canonical JSON: two SDKs that order a message's fields differently still find the same summary.
    keys.push(createHash('sha256').update(keys[keys.length - 1]).update(canonicalJson(exchange)).digest('hex'));
  }
  return keys;
}

/** A plain-text transcript for the summariser: roles, text, tool calls with their arguments, tool results. */
export function renderTranscript(messages: readonly ChatMessage[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    const text = contentText(message.content).trim();
    const speaker = message.role === 'tool' ? `TOOL RESULT${message.tool_call_id ? ` (${message.tool_call_id})` : ''}` : message.role.toUpperCase();
    if (text !== '') lines.push(`${speaker}: ${text}`);
    for (const call of message.tool_calls ?? []) lines.push(`${speaker} CALLED ${call.function.name} (${call.id}) WITH ${call.function.arguments}`);
  }
  return lines.join('\n\n');
}
