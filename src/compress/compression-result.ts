import type { ChatMessage } from '../wire/chat-types.js';
import type { LocateFailure } from './locate-context.js';

export type CompressionMethod = 'extractive' | 'abstractive' | 'none';

/** Why a compressor left the prompt as it was. */
export type SkipReason = LocateFailure | 'below-min-tokens' | 'within-budget' | 'nothing-to-drop';

/**
 * What every prompt compressor returns. `messages` is a new array (the input is never mutated); token counts
 * are o200k counts of the whole prompt as `countPromptTokens` counts it, so the ledger can show the saving.
 */
export interface CompressionResult {
  messages: ChatMessage[];
  tokensBefore: number;
  tokensAfter: number;
  method: CompressionMethod;
  skipped?: SkipReason;
}

/** Embeds texts (one vector per text, in order); the semantic cache's embedder fits this shape. */
export type EmbedFn = (texts: string[]) => Promise<ArrayLike<number>[]>;
