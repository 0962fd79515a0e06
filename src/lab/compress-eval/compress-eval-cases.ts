import type { ChatMessage } from '../../wire/chat-types.js';
import { bm25Scores, searchTerms } from '../../compress/bm25.js';
import { createSeededRandom } from '../../routing/seeded-random.js';

/**
 * Evaluation cases built from the development files in shared/data/compression (formats in its README).
 * Each case is a chat request plus a check of the compressed prompt text. Nothing here ships inside a
 * compressor: the cases only measure them.
 */
export interface CaseCheck {
  retained: boolean;
  /** gsm8k only: how many exemplars survived (question line present). */
  exemplarsKept?: number;
}

export interface CompressEvalCase {
  id: string;
  messages: ChatMessage[];
  check(compressedText: string): CaseCheck;
}

export interface NqRow {
  id: string;
  question: string;
  title: string;
  context: string;
  answers: string[];
}

export interface KvRow {
  id: string;
  instruction: string;
  context: string;
  question: string;
  answer: string;
  key: string;
}

export interface GsmPrompt {
  prompt: string;
  shots: string[];
}

export type DistractorMode = 'random' | 'similar';

export interface NqCaseOptions {
  /** Other items' passages added around the gold one (synthetic long context). */
  distractors: number;
  /** `random` passages, or the passages most similar to the question by BM25 (harder, like retrieval). */
  distractorMode: DistractorMode;
  seed: number;
  limit?: number;
}

// The lost-in-the-middle paper's qa.prompt.
const NQ_INSTRUCTION = 'Write a high-quality answer for the given question using only the provided search results (some of which might be irrelevant).';

// Whitespace runs count as one space on both sides: collapsing "  " is clean-up, not loss of the answer.
function squeeze(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function containsAny(text: string, needles: readonly string[]): boolean {
  const lower = squeeze(text.toLowerCase());
  return needles.some((needle) => lower.includes(squeeze(needle.toLowerCase())));
}

/** The compressed text before the final question, so an answer echoed by the question never counts. */
function beforeQuestion(text: string): string {
  const at = text.lastIndexOf('\n\nQuestion:');
  return at === -1 ? text : text.slice(0, at);
}

export function nqPrompt(documents: ReadonlyArray<{ title: string; context: string }>, question: string): string {
  const results = documents.map((document, index) => `Document [${index + 1}](Title: ${document.title}) ${document.context}`).join('\n');
  return `${NQ_INSTRUCTION}\n\n${results}\n\nQuestion: ${question}\nAnswer:`;
}

/**
 * NaturalQuestions cases: the gold passage among `distractors` other passages, at a seeded random position.
 * Distractors never contain a gold answer string, as in the paper, so retention measures the gold passage.
 */
export function nqCases(rows: readonly NqRow[], options: NqCaseOptions): CompressEvalCase[] {
  const random = createSeededRandom(options.seed);
  const selected = rows.slice(0, options.limit ?? rows.length);
  const passageTerms = options.distractorMode === 'similar' ? rows.map((row) => searchTerms(`${row.title} ${row.context}`)) : [];
  return selected.map((row) => {
    const eligible = (index: number) => rows[index] !== row && !containsAny(rows[index].context, row.answers);
    let picks: number[] = [];
    if (options.distractorMode === 'similar') {
      const scores = bm25Scores(passageTerms, searchTerms(row.question));
      const order = rows.map((_, index) => index).sort((a, b) => scores[b] - scores[a]);
      picks = order.filter(eligible).slice(0, options.distractors);
    } else {
      const chosen = new Set<number>();
      for (let attempts = 0; chosen.size < Math.min(options.distractors, rows.length - 1) && attempts < 100 * options.distractors; attempts += 1) {
        const index = Math.floor(random() * rows.length);
        if (eligible(index)) chosen.add(index);
      }
      picks = [...chosen];
    }
    const documents = picks.map((index) => rows[index]);
    documents.splice(Math.floor(random() * (documents.length + 1)), 0, row);
    return {
      id: row.id,
      messages: [{ role: 'user', content: nqPrompt(documents, row.question) }],
      check: (text) => ({ retained: containsAny(beforeQuestion(text), row.answers) }),
    };
  });
}

/** The key-value retrieval cases, with the paper's prompt byte for byte. */
export function kvCases(rows: readonly KvRow[], limit?: number): CompressEvalCase[] {
  return rows.slice(0, limit ?? rows.length).map((row) => ({
    id: row.id,
    messages: [{ role: 'user', content: `${row.instruction}\n\nJSON data:\n${row.context}\n\n${row.question}\nCorresponding value:` }],
    check: (text) => ({ retained: text.includes(`"${row.key}": "${row.answer}"`) }),
  }));
}

/**
 * The 8-shot chain-of-thought prompt followed by one test question per case. Retained when every exemplar whose
 * question line survived also kept its final answer line (a half exemplar teaches the wrong thing).
 */
export function gsm8kCases(prompt: GsmPrompt, questions: readonly string[]): CompressEvalCase[] {
  const shots = prompt.shots.map((shot) => {
    const lines = shot.trim().split('\n').map((line) => squeeze(line).trim());
    return { question: lines[0], answer: lines[lines.length - 1] };
  });
  return questions.map((question, index) => ({
    id: `gsm8k-question.${index}`,
    messages: [{ role: 'user', content: `${prompt.prompt}\n\nQuestion: ${question}\nLet's think step by step` }],
    check: (text) => {
      const lines = new Set(beforeQuestion(text).split('\n').map((line) => squeeze(line).trim()));
      const kept = shots.filter((shot) => lines.has(shot.question));
      return { retained: kept.every((shot) => lines.has(shot.answer)), exemplarsKept: kept.length };
    },
  }));
}
