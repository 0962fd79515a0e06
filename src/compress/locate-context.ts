import type { ChatMessage } from '../wire/chat-types.js';
import { DOC_HEADER } from './context-units.js';
import { messageSlots } from './message-text.js';
import { splitBlocks, splitParagraphs, type BlockKind } from './text-blocks.js';

/**
 * Where the compressible context of a chat request is, and what the question is.
 *
 * The rule, in order:
 * 1. The question lives in the last user message (its last text part). If that text has a line starting with
 *    `Question:`, `Query:` or `Q:` within its last 3,000 characters, the question runs from the last such line to
 *    the end. Otherwise it is the trailing paragraphs up to and including the last prose paragraph of ≥ 4 words
 *    (so a closing `Answer:` line or a pasted code block stays attached to the question it belongs to).
 *    A "question" of more than 150 words without a `?` is not a question (e.g. "Summarise this: …" with the
 *    document last): nothing is compressed, because nothing can say which sentences matter.
 * 2. Context candidates are system, developer and user texts. Assistant turns and tool results are never
 *    touched: they are the conversation's record, and tool outputs are often structured.
 * 3. In the question's own text, a short leading paragraph (≤ 60 words, followed by more text) is the
 *    instruction and is kept verbatim; the question is kept verbatim; what is left is context.
 * 4. Any other text (a system prompt, an earlier user turn) is instructions unless it says where its documents
 *    start: context runs from the first document label (`Document [1]…`, `[1] …`), a label line such as
 *    `Context:` or `Use the following search results:` (≤ 12 words, ending with a colon, naming context,
 *    documents, sources, passages, excerpts, search results, references or knowledge), or a `<documents>`-like
 *    tag. A long system prompt of rules is never trimmed against one question.
 * 5. Context shorter than `minContextTokens` (estimated at 4 characters a token) is left alone: trimming a few
 *    sentences saves little and risks much.
 */
export interface ContextRegion {
  messageIndex: number;
  partIndex: number | null;
  /** Kept verbatim before the context: an instruction paragraph and its separator, or ''. */
  head: string;
  context: string;
  /** Kept verbatim after the context: the question, or ''. */
  tail: string;
}

export interface LocatedContext {
  question: string;
  regions: ContextRegion[];
}

export type LocateFailure = 'no-user-message' | 'no-question' | 'no-context';

export interface LocateOptions {
  minContextTokens: number;
}

const CONTEXT_ROLES = new Set(['system', 'developer', 'user']);
const CONTEXT_LABEL = /^[^\n:]{0,80}\b(?:context|documents?|sources?|passages?|excerpts?|search results|references|knowledge)\b[^\n:]{0,80}[:：][ \t]*$/im;
const CONTEXT_TAG = /^[ \t]*<(?:documents?|context|sources?|search_results|passages?)\b[^>\n]*>/im;
const LEADING_DOC_HEADER = new RegExp(`^[ \\t]*(?:${DOC_HEADER.source.replace(/^\^/, '').replace(/\|\^/g, '|')})`, 'im');
const QUESTION_MARKER = /^[ \t]*(?:question|query|q)[ \t]*[:：]/gim;
const WORD = /\S+/g;
const MAX_QUESTION_CHARS = 3000;
const MIN_QUESTION_WORDS = 4;
const MAX_UNMARKED_QUESTION_WORDS = 150;
const MAX_INSTRUCTION_WORDS = 60;
const CHARS_PER_TOKEN_ESTIMATE = 4;

interface Piece {
  kind: BlockKind;
  start: number;
  end: number;
}

function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

/** Paragraphs and code/table blocks with their offsets in `text`. */
function pieces(text: string): Piece[] {
  const result: Piece[] = [];
  let offset = 0;
  for (const block of splitBlocks(text)) {
    if (block.kind !== 'prose') {
      result.push({ kind: block.kind, start: offset, end: offset + block.text.trimEnd().length });
    } else {
      let inner = offset;
      for (const paragraph of splitParagraphs(block.text)) {
        if (paragraph.text !== '') result.push({ kind: 'prose', start: inner, end: inner + paragraph.text.length });
        inner += paragraph.text.length + paragraph.separator.length;
      }
    }
    offset += block.text.length;
  }
  return result;
}

function markedQuestionStart(text: string, parts: readonly Piece[]): number | undefined {
  let last: number | undefined;
  QUESTION_MARKER.lastIndex = 0;
  for (let match = QUESTION_MARKER.exec(text); match; match = QUESTION_MARKER.exec(text)) {
    const at = match.index;
    const insideStructure = parts.some((piece) => piece.kind !== 'prose' && at >= piece.start && at < piece.end);
    if (!insideStructure) last = at;
  }
  return last !== undefined && text.length - last <= MAX_QUESTION_CHARS ? last : undefined;
}

/** The offset where the question starts, or undefined when the text has no recognisable question. */
function questionStart(text: string, parts: readonly Piece[]): number | undefined {
  const marked = markedQuestionStart(text, parts);
  if (marked !== undefined) return marked;
  let start = 0;
  for (let index = parts.length - 1; index >= 0; index -= 1) {
    start = parts[index].start;
    if (parts[index].kind === 'prose' && countWords(text.slice(parts[index].start, parts[index].end)) >= MIN_QUESTION_WORDS) break;
  }
  const question = text.slice(start);
  if (countWords(question) > MAX_UNMARKED_QUESTION_WORDS && !question.includes('?')) return undefined;
  return start;
}

/** Where the question of a user text starts (rule 1 above), or undefined when it has none. */
export function questionOffset(text: string): number | undefined {
  return questionStart(text, pieces(text));
}

/** The end of a leading instruction paragraph (where the context starts), or 0 when there is none. */
function instructionEnd(text: string, parts: readonly Piece[]): number {
  if (parts.length < 2 || parts[0].kind !== 'prose') return 0;
  return countWords(text.slice(parts[0].start, parts[0].end)) <= MAX_INSTRUCTION_WORDS ? parts[1].start : 0;
}

/** Where the documents of a non-question text start (rule 4), or undefined when it names none. */
export function markedContextStart(text: string): number | undefined {
  const starts: number[] = [];
  const label = CONTEXT_LABEL.exec(text);
  if (label && label[0].trim().split(/\s+/).length <= 12) starts.push(label.index + label[0].length);
  const tag = CONTEXT_TAG.exec(text);
  if (tag) starts.push(tag.index + tag[0].length);
  const header = LEADING_DOC_HEADER.exec(text);
  if (header) starts.push(header.index);
  return starts.length === 0 ? undefined : Math.min(...starts);
}

function region(messageIndex: number, partIndex: number | null, text: string, end: number, isQuestionText: boolean, options: LocateOptions): ContextRegion | undefined {
  const marked = isQuestionText ? undefined : markedContextStart(text);
  if (!isQuestionText && marked === undefined) return undefined;
  const start = marked ?? instructionEnd(text, pieces(text.slice(0, end)));
  const context = text.slice(start, end);
  if (context.trim().length / CHARS_PER_TOKEN_ESTIMATE < options.minContextTokens) return undefined;
  return { messageIndex, partIndex, head: text.slice(0, start), context, tail: text.slice(end) };
}

export function locateContext(messages: readonly ChatMessage[], options: LocateOptions): LocatedContext | { failure: LocateFailure } {
  let lastUser = -1;
  for (let index = messages.length - 1; index >= 0 && lastUser === -1; index -= 1) if (messages[index].role === 'user') lastUser = index;
  if (lastUser === -1) return { failure: 'no-user-message' };
  const lastSlots = messageSlots(messages[lastUser], lastUser);
  const questionSlot = lastSlots.at(-1);
  if (questionSlot === undefined) return { failure: 'no-question' };
  const start = questionOffset(questionSlot.text);
  if (start === undefined) return { failure: 'no-question' };

  const regions: ContextRegion[] = [];
  messages.forEach((message, messageIndex) => {
    if (!CONTEXT_ROLES.has(message.role)) return;
    for (const slot of messageSlots(message, messageIndex)) {
      const isQuestionSlot = slot.messageIndex === lastUser && slot.partIndex === questionSlot.partIndex;
      const found = region(messageIndex, slot.partIndex, slot.text, isQuestionSlot ? start : slot.text.length, isQuestionSlot, options);
      if (found) regions.push(found);
    }
  });
  if (regions.length === 0) return { failure: 'no-context' };
  return { question: questionSlot.text.slice(start).trim(), regions };
}
