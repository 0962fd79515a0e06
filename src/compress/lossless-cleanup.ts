import type { ChatMessage } from '../wire/chat-types.js';
import { DOC_HEADER } from './context-units.js';
import { chunkFingerprint, repeatsChunk, sentenceKey, wordCount, type ChunkFingerprint } from './duplicate-text.js';
import { questionOffset } from './locate-context.js';
import { messageSlots, replaceSlots, type TextSlot } from './message-text.js';
import { normaliseWhitespace } from './normalise-whitespace.js';
import { splitSentences } from './split-sentences.js';
import { splitBlocks, splitParagraphs } from './text-blocks.js';

export interface CleanupOptions {
  /** Sentences shorter than this are never treated as repeats ("Thanks.", "Yes."). Default 6 words. */
  minSentenceWords?: number;
  /** Paragraphs or documents shorter than this are never treated as repeated chunks. Default 12 words. */
  minChunkWords?: number;
  /** Word 3-gram Jaccard at or above which a chunk adding nothing new is a near-duplicate. Default 0.9. */
  nearDuplicateThreshold?: number;
}

export type CleanupKind = 'whitespace' | 'repeated-sentence' | 'duplicate-chunk';

export interface CleanupChange {
  kind: CleanupKind;
  messageIndex: number;
  partIndex: number | null;
  removedChars: number;
  /** The start of what was removed (empty for whitespace). */
  excerpt: string;
}

export interface CleanupResult {
  messages: ChatMessage[];
  changes: CleanupChange[];
}

const CLEANED_ROLES = new Set(['system', 'developer', 'user']);
const EXCERPT_CHARS = 80;

interface Seen {
  sentences: Set<string>;
  chunks: ChunkFingerprint[];
}

class SlotCleaner {
  readonly changes: CleanupChange[] = [];

  constructor(
    private readonly slot: TextSlot,
    private readonly seen: Seen,
    private readonly options: Required<CleanupOptions>,
  ) {}

  private record(kind: CleanupKind, removed: string) {
    const { messageIndex, partIndex } = this.slot;
    this.changes.push({ kind, messageIndex, partIndex, removedChars: removed.length, excerpt: removed.slice(0, EXCERPT_CHARS) });
  }

  private isRepeatedChunk(chunk: string): boolean {
    if (wordCount(chunk) < this.options.minChunkWords) return false;
    const fingerprint = chunkFingerprint(chunk);
    if (this.seen.chunks.some((kept) => repeatsChunk(fingerprint, kept, this.options.nearDuplicateThreshold))) {
      this.record('duplicate-chunk', chunk);
      return true;
    }
    this.seen.chunks.push(fingerprint);
    return false;
  }

  /** The line without sentences already said earlier in the prompt. */
  private withoutRepeatedSentences(line: string): string {
    let result = '';
    let cursor = 0;
    for (const span of splitSentences(line)) {
      const sentence = line.slice(span.start, span.end);
      if (wordCount(sentence) < this.options.minSentenceWords) continue;
      const key = sentenceKey(sentence);
      if (!this.seen.sentences.has(key)) {
        this.seen.sentences.add(key);
        continue;
      }
      this.record('repeated-sentence', sentence);
      result += line.slice(cursor, span.start);
      cursor = span.end;
      while (cursor < line.length && (line[cursor] === ' ' || line[cursor] === '\t')) cursor += 1;
    }
    return (result + line.slice(cursor)).trimEnd();
  }

  /** A paragraph without repeated chunks and sentences ('' when nothing is left). */
  cleanParagraph(paragraph: string): string {
    const lines = paragraph.split('\n');
    // Retrieved documents are often one per line; then each line is a chunk of its own.
    const documentLines = lines.filter((line) => DOC_HEADER.test(line.trimStart())).length >= 2;
    if (!documentLines && this.isRepeatedChunk(paragraph)) return '';
    const kept: string[] = [];
    for (const line of lines) {
      if (documentLines && this.isRepeatedChunk(line)) continue;
      const cleaned = line.trim() === '' ? line : this.withoutRepeatedSentences(line);
      if (cleaned.trim() !== '' || line.trim() === '') kept.push(cleaned);
    }
    return kept.join('\n');
  }
}

function deduplicate(text: string, protectedFrom: number, cleaner: SlotCleaner): string {
  let result = '';
  let offset = 0;
  for (const block of splitBlocks(text)) {
    if (block.kind !== 'prose') {
      result += block.text;
      offset += block.text.length;
      continue;
    }
    for (const paragraph of splitParagraphs(block.text)) {
      const end = offset + paragraph.text.length;
      const cleaned = paragraph.text === '' || end > protectedFrom ? paragraph.text : cleaner.cleanParagraph(paragraph.text);
      if (cleaned !== '' || paragraph.text === '') result += cleaned + paragraph.separator;
      offset = end + paragraph.separator.length;
    }
  }
  return result;
}

/**
 * Lossless prompt clean-up: whitespace normalisation in prose, removal of sentences said earlier in the prompt,
 * and removal of retrieved chunks (paragraphs, or one-per-line documents) repeated exactly or near-exactly.
 * Only system, developer and user texts change; the question of the last user message, code blocks and tables
 * never do, and no message is emptied. Every change is listed, so the gateway can say what it did.
 *
 * @example
 * const { messages, changes } = cleanupPrompt(request.messages);
 * if (changes.length > 0) warnings.push(`cleanup: ${changes.length} changes`);
 */
export function cleanupPrompt(messages: readonly ChatMessage[], options: CleanupOptions = {}): CleanupResult {
  const settings: Required<CleanupOptions> = {
    minSentenceWords: options.minSentenceWords ?? 6,
    minChunkWords: options.minChunkWords ?? 12,
    nearDuplicateThreshold: options.nearDuplicateThreshold ?? 0.9,
  };
  let lastUser = -1;
  messages.forEach((message, index) => {
    if (message.role === 'user') lastUser = index;
  });
  const seen: Seen = { sentences: new Set(), chunks: [] };
  const changes: CleanupChange[] = [];
  const replacements: TextSlot[] = [];
  messages.forEach((message, messageIndex) => {
    if (!CLEANED_ROLES.has(message.role)) return;
    const slots = messageSlots(message, messageIndex);
    slots.forEach((slot, slotIndex) => {
      const spaced = normaliseWhitespace(slot.text);
      const isQuestionSlot = messageIndex === lastUser && slotIndex === slots.length - 1;
      // Without a recognisable question, the whole last user text is treated as the question.
      const protectedFrom = isQuestionSlot ? (questionOffset(spaced) ?? 0) : spaced.length;
      const cleaner = new SlotCleaner(slot, seen, settings);
      const deduplicated = deduplicate(spaced, protectedFrom, cleaner);
      // A removal at the end leaves its separator behind; a message is never emptied.
      const text = deduplicated === spaced || deduplicated.trim() === '' ? spaced : deduplicated.trimEnd();
      if (spaced !== slot.text) changes.push({ kind: 'whitespace', messageIndex, partIndex: slot.partIndex, removedChars: slot.text.length - spaced.length, excerpt: '' });
      if (text !== spaced) changes.push(...cleaner.changes);
      if (text !== slot.text) replacements.push({ ...slot, text });
    });
  });
  return { messages: replaceSlots(messages, replacements), changes };
}
