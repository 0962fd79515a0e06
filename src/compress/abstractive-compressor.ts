import type { ChatMessage } from '../wire/chat-types.js';
import { countPromptTokens } from '../tokens/count-tokens.js';
import type { CompressionResult } from './compression-result.js';
import { locateContext } from './locate-context.js';
import { replaceSlots, type TextSlot } from './message-text.js';
import { contentHash, createMemorySummaryCache, type CompleteFn, type SummaryCache } from './summary-cache.js';
import { splitBlocks } from './text-blocks.js';

export interface AbstractiveConfig {
  complete: CompleteFn;
  /** The cheap model that writes summaries. */
  model: string;
  /** Summaries by content hash; defaults to an in-memory LRU. */
  cache?: SummaryCache;
  /** Only context regions at least this long (estimated tokens) are summarised: this is for very long context. */
  minContextTokens: number;
  /** The summary is asked to be about 1/targetRatio of the context's length. Default 4. */
  targetRatio?: number;
}

export interface AbstractiveResult extends CompressionResult {
  /** What the summarising calls cost, in nano-dollars (0 when every summary came from the cache). */
  costNanos: number;
  /** Summaries paid for in this request, and summaries reused from the cache. */
  calls: number;
  cacheHits: number;
}

/** Bumped when the prompt changes, so summaries written under another prompt are not reused. */
const PROMPT_VERSION = 'frugal-abstractive-v1';
const WORD = /\S+/g;

function summaryInstructions(targetWords: number): string {
  return [
    'You compress reference text for another AI model, which will answer questions from your version only.',
    'Rewrite the text as a dense summary that keeps every fact: names, numbers, dates, quantities, identifiers,',
    'definitions, conditions, causes and relationships, and which source or document each fact came from.',
    'Drop only repetition, filler and formatting. Add nothing that is not in the text; do not answer anything.',
    `Use at most about ${targetWords} words. Reply with the summary only.`,
  ].join(' ');
}

/** The prose to summarise and the code blocks and tables to keep verbatim after the summary. */
function splitProse(context: string): { prose: string; verbatim: string[] } {
  let prose = '';
  const verbatim: string[] = [];
  for (const block of splitBlocks(context)) {
    if (block.kind === 'prose') prose += block.text;
    else verbatim.push(block.text.trimEnd());
  }
  return { prose: prose.trim(), verbatim };
}

/**
 * Summarises very long context (documents, pasted text) with a cheap model, keeping the instruction, the
 * question, code blocks and tables verbatim. The summary does not depend on the question, so it is cached by
 * the hash of the context and reused by every later question about the same documents. A summary that comes
 * back longer than its source is not used.
 *
 * @example
 * const compress = createAbstractiveCompressor({ complete, model: 'gpt-4o-mini', minContextTokens: 4_000 });
 * const result = await compress(request.messages); // result.costNanos goes to the ledger
 */
export function createAbstractiveCompressor(config: AbstractiveConfig): (messages: readonly ChatMessage[]) => Promise<AbstractiveResult> {
  const cache = config.cache ?? createMemorySummaryCache();
  const targetRatio = config.targetRatio ?? 4;

  // Concurrent requests over the same documents share one call instead of each paying for it.
  const inFlight = new Map<string, Promise<string>>();

  const write = async (key: string, prose: string): Promise<{ summary: string; costNanos: number }> => {
    const targetWords = Math.max(20, Math.round((prose.match(WORD)?.length ?? 0) / targetRatio));
    const reply = await config.complete([{ role: 'system', content: summaryInstructions(targetWords) }, { role: 'user', content: prose }], config.model);
    const summary = reply.text.trim();
    await cache.set(key, summary);
    return { summary, costNanos: reply.costNanos };
  };

  const summarise = async (prose: string): Promise<{ summary: string; costNanos: number; cached: boolean }> => {
    const key = contentHash(PROMPT_VERSION, config.model, String(targetRatio), prose);
    const cached = await cache.get(key);
    if (cached !== undefined) return { summary: cached, costNanos: 0, cached: true };
    const pending = inFlight.get(key);
    if (pending !== undefined) return { summary: await pending, costNanos: 0, cached: true };
    const written = write(key, prose);
    const shared = written.then((result) => result.summary);
    shared.catch(() => undefined); // waiters see the failure; without waiters it must not be an unhandled rejection
    inFlight.set(key, shared);
    try {
      const { summary, costNanos } = await written;
      return { summary, costNanos, cached: false };
    } finally {
      inFlight.delete(key);
    }
  };

  return async (messages) => {
    const tokensBefore = countPromptTokens(messages);
    const unchanged = { messages: [...messages], tokensBefore, tokensAfter: tokensBefore, method: 'none' as const, costNanos: 0, calls: 0, cacheHits: 0 };
    const located = locateContext(messages, { minContextTokens: config.minContextTokens });
    if ('failure' in located) return { ...unchanged, skipped: located.failure };

    let costNanos = 0;
    let calls = 0;
    let cacheHits = 0;
    const replacements: TextSlot[] = [];
    for (const region of located.regions) {
      const { prose, verbatim } = splitProse(region.context);
      if (prose === '') continue;
      const { summary, costNanos: cost, cached } = await summarise(prose);
      costNanos += cost;
      if (cached) cacheHits += 1;
      else calls += 1;
      if (summary === '' || summary.length >= prose.length) continue;
      const separator = region.tail === '' ? '' : '\n\n';
      const text = region.head + [summary, ...verbatim].join('\n\n') + separator + region.tail;
      replacements.push({ messageIndex: region.messageIndex, partIndex: region.partIndex, text });
    }
    if (replacements.length === 0) return { ...unchanged, costNanos, calls, cacheHits };
    const compressed = replaceSlots(messages, replacements);
    return { messages: compressed, tokensBefore, tokensAfter: countPromptTokens(compressed), method: 'abstractive', costNanos, calls, cacheHits };
  };
}
