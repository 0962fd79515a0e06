import type { AnthropicMessagesRequest } from '../../wire/anthropic/anthropic-types.js';

// Anthropic caches nothing shorter than 1,024 tokens (2,048 on Haiku models); about 4 characters a token.
const CHARS_PER_TOKEN = 4;

/**
 * Marks the long static prefix of a request — tools, then the system prompt — with `cache_control`, so
 * Anthropic bills repeats of it at the cache-read price (a tenth of input) instead of full price.
 * Tools come before the system prompt in Anthropic's cache order, so one breakpoint after the system prompt
 * covers both; the tools get their own only when the system prompt is short. Returns what it marked.
 */
export function insertCacheBreakpoints(body: AnthropicMessagesRequest, minTokens: number): string[] {
  const minChars = minTokens * CHARS_PER_TOKEN;
  const marked: string[] = [];
  const toolChars = body.tools ? JSON.stringify(body.tools).length : 0;
  const systemBlocks = typeof body.system === 'string' ? [{ type: 'text' as const, text: body.system }] : body.system;
  const systemChars = systemBlocks ? systemBlocks.reduce((sum, block) => sum + block.text.length, 0) : 0;
  if (systemBlocks && systemBlocks.length > 0 && toolChars + systemChars >= minChars) {
    const last = systemBlocks.length - 1;
    body.system = systemBlocks.map((block, index) => (index === last ? { ...block, cache_control: { type: 'ephemeral' } } : block));
    marked.push('system');
  } else if (body.tools && body.tools.length > 0 && toolChars >= minChars) {
    const last = body.tools.length - 1;
    body.tools = body.tools.map((tool, index) => (index === last ? { ...tool, cache_control: { type: 'ephemeral' } } : tool));
    marked.push('tools');
  }
  return marked;
}
