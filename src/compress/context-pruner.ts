import type { ChatMessage } from '../wire/chat-types.js';
import { countPromptTokens } from '../tokens/count-tokens.js';
import { prefixKeys, renderTranscript, splitConversation } from './conversation-exchanges.js';
import { createMemorySummaryCache, type CompleteFn, type SummaryCache } from './summary-cache.js';

export interface ContextPrunerConfig {
  complete: CompleteFn;
  /** The cheap model that writes summaries. */
  model: string;
  /** Summaries by the hash of the exchanges they cover; defaults to an in-memory LRU. */
  cache?: SummaryCache;
  /** Conversations above this many prompt tokens are pruned. */
  maxPromptTokens: number;
  /** Exchanges (a user turn and everything up to the next one) kept verbatim at the end. Default 2. */
  keepLastExchanges?: number;
  /** How many earlier prefixes to look up for a reusable summary. Default 64. */
  maxLookups?: number;
}

export type PruneSkipReason = 'within-limit' | 'too-few-exchanges';

export interface PruneResult {
  messages: ChatMessage[];
  pruned: boolean;
  skipped?: PruneSkipReason;
  tokensBefore: number;
  tokensAfter: number;
  /** How many messages the summary stands for. */
  summarisedMessages: number;
  /** What summarising cost in this request, in nano-dollars (0 on a cache hit). */
  costNanos: number;
  /** Whether a summary written for an earlier turn was reused. */
  cacheHit: boolean;
}

/** Bumped when the prompts change, so summaries written under other prompts are not reused. */
const PROMPT_VERSION = 'frugal-prune-v1';

const SUMMARY_INSTRUCTIONS = [
  'You summarise the earlier part of a conversation between a user and an AI assistant, so the assistant can',
  'continue it without the full transcript. Keep every fact, number, name, identifier, decision, user preference,',
  'constraint, open question and tool result that later turns may need, and who said what. Add nothing;',
  'do not continue the conversation. Reply with the summary only.',
].join(' ');

function summaryMessage(summary: string, messageCount: number): ChatMessage {
  return { role: 'system', content: `Summary of the earlier conversation (${messageCount} messages, summarised to save tokens):\n${summary}` };
}

/**
 * Keeps long conversations under a token limit: the leading system prompt stays first and verbatim, the last K
 * exchanges stay verbatim, and everything between becomes one summary written by a cheap model. Tool calls never
 * lose their results (they move as one exchange). The summary is cached by the hash of the exchanges it covers;
 * the next turn reuses it while the conversation still fits, and when it no longer does, the new summary is
 * written from the old one plus the newly covered exchanges, so no turn is ever summarised twice.
 *
 * @example
 * const prune = createContextPruner({ complete, model: 'gpt-4o-mini', maxPromptTokens: 16_000 });
 * const { messages, costNanos } = await prune(request.messages);
 */
export function createContextPruner(config: ContextPrunerConfig): (messages: readonly ChatMessage[]) => Promise<PruneResult> {
  const cache = config.cache ?? createMemorySummaryCache();
  const keep = config.keepLastExchanges ?? 2;
  const maxLookups = config.maxLookups ?? 64;
  const salt = `${PROMPT_VERSION}\n${config.model}`;

  return async (messages) => {
    const tokensBefore = countPromptTokens(messages);
    const unchanged = { messages: [...messages], pruned: false, tokensBefore, tokensAfter: tokensBefore, summarisedMessages: 0, costNanos: 0, cacheHit: false };
    if (tokensBefore <= config.maxPromptTokens) return { ...unchanged, skipped: 'within-limit' };
    const { head, exchanges } = splitConversation(messages);
    const limit = exchanges.length - keep;
    if (limit < 1) return { ...unchanged, skipped: 'too-few-exchanges' };
    const keys = prefixKeys(exchanges, salt);
    const assemble = (covered: number, summary: string) => {
      const summarised = exchanges.slice(0, covered).reduce((count, exchange) => count + exchange.length, 0);
      return { messages: [...head, summaryMessage(summary, summarised), ...exchanges.slice(covered).flat()], summarised };
    };

    // The longest earlier summary still on file, and whether the prompt built on it fits.
    let found: { covered: number; summary: string } | undefined;
    for (let covered = limit; covered >= 1 && covered > limit - maxLookups; covered -= 1) {
      const summary = await cache.get(keys[covered]);
      if (summary !== undefined) {
        found = { covered, summary };
        break;
      }
    }
    if (found !== undefined) {
      const reused = assemble(found.covered, found.summary);
      const tokensAfter = countPromptTokens(reused.messages);
      if (tokensAfter <= config.maxPromptTokens || found.covered === limit) {
        return { messages: reused.messages, pruned: true, tokensBefore, tokensAfter, summarisedMessages: reused.summarised, costNanos: 0, cacheHit: true };
      }
    }

    const from = found?.covered ?? 0;
    const transcript = renderTranscript(exchanges.slice(from, limit).flat());
    const input = found === undefined ? transcript : `Earlier summary:\n${found.summary}\n\nConversation since then:\n${transcript}`;
    const reply = await config.complete([{ role: 'system', content: SUMMARY_INSTRUCTIONS }, { role: 'user', content: input }], config.model);
    const summary = reply.text.trim();
    await cache.set(keys[limit], summary);
    const pruned = assemble(limit, summary);
    const tokensAfter = countPromptTokens(pruned.messages);
    // A summary longer than what it replaces is paid for but not used.
    if (summary === '' || tokensAfter >= tokensBefore) return { ...unchanged, costNanos: reply.costNanos };
    return { messages: pruned.messages, pruned: true, tokensBefore, tokensAfter, summarisedMessages: pruned.summarised, costNanos: reply.costNanos, cacheHit: false };
  };
}
