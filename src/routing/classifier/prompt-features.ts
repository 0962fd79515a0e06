import { countTextTokens as countTokens } from '../../tokens/count-tokens.js';
import type { ChatMessage, ContentPart } from '../../wire/chat-types.js';

/**
 * Cheap, deterministic signals about a chat prompt, read once per request by the router.
 * Every regex here is compiled at module load; the request path only runs them.
 */

export const KEYWORDS = [
  'translate',
  'summarize',
  'classify',
  'extract',
  'stepByStep',
  'detailedAnalysis',
  'explainWhy',
  'prove',
  'solve',
  'codeRequest',
  'debug',
  'creative',
  'compare',
  'brief',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

export interface PromptFeatures {
  /** System/developer instructions plus the last user turn (capped): the text the task is read from. */
  readonly taskText: string;
  /** Tokens of the whole prompt, o200k_base; exact up to EXACT_TOKEN_CHARS, extrapolated beyond. */
  readonly tokens: number;
  readonly tokensExact: boolean;
  readonly taskTokens: number;
  readonly userTurns: number;
  readonly messageCount: number;
  readonly toolsPresent: boolean;
  readonly jsonRequested: boolean;
  readonly codeFences: number;
  readonly codeLines: number;
  /** Code-like lines / non-empty lines of the task text. */
  readonly codeLineRatio: number;
  /** Digit-operator-digit patterns, LaTeX commands and math symbols in the task text. */
  readonly mathSymbols: number;
  readonly mathWords: number;
  readonly numbers: number;
  readonly digitRatio: number;
  /** Letters outside the Latin script / all letters, over the first LANGUAGE_SAMPLE_CHARS of the task. */
  readonly nonLatinRatio: number;
  readonly questionMarks: number;
  /** Lines like "A. …", "B) …": a multiple-choice question. */
  readonly choiceLines: number;
  readonly sentences: number;
  readonly keywords: Readonly<Record<Keyword, boolean>>;
}

export interface PromptFeatureOptions {
  toolsPresent?: boolean;
  /** `response_format` asked for JSON. */
  jsonMode?: boolean;
}

// Tokenising 4k chars takes ~0.15 ms with gpt-tokenizer; beyond that the count is extrapolated by chars, and the
// regexes read only the head and tail of the task, so a 100k-char context is decided in ~0.5 ms (bench/router).
const EXACT_TOKEN_CHARS = 4_000;
// Long pasted documents carry their task at the start or the end.
const TASK_HEAD_CHARS = 6_000;
const TASK_TAIL_CHARS = 2_000;
const LANGUAGE_SAMPLE_CHARS = 2_000;

const KEYWORD_PATTERNS: Readonly<Record<Keyword, RegExp>> = {
  // "into French" asks for a translation; "in English" usually only sets the reply language.
  translate: /\b(translat(e|ion|ing)|into (english|french|german|spanish|italian|portuguese|chinese|japanese|korean|russian|arabic|hindi|dutch)\b)|traduc|übersetz/i,
  summarize: /\b(summar(y|ise|ize|izing|ising)|tl;?dr|sum up|key points|main points|condense|recap|abstract of)\b/i,
  classify: /\b(classif(y|ication)|categori[sz]e|categor(y|ies)\b|sentiment|label (this|the|each)|is (this|it) (spam|positive|negative|toxic)|which (category|class|label))/i,
  extract: /\b(extract|pull out|list (all|every) (the )?(names|dates|entities|emails|numbers)|find all (the )?(names|dates|entities|emails)|named entit|parse (this|the following))/i,
  stepByStep: /\bstep[- ]by[- ]step\b|\bthink (carefully|it through)\b|\bshow (your|the) (work|reasoning)\b/i,
  detailedAnalysis: /\b(detailed|in[- ]depth|thorough|comprehensive|rigorous) (analysis|explanation|review|report|comparison)|\banaly[sz]e\b|\bcritically\b/i,
  explainWhy: /\bexplain (why|how)\b|\bwhy (does|do|is|are|did|would)\b|\breason(ing)? (for|behind)\b/i,
  prove: /\b(prove|proof|derive|derivation|theorem|lemma)\b/i,
  solve: /\b(solve|calculate|compute|evaluate|how (many|much)|what is the (value|probability|sum|product))\b/i,
  codeRequest: /\b(write|implement|create|generate|complete|refactor|optimi[sz]e) (a |an |the |this |some )?(python |javascript |typescript |java |c\+\+ |rust |go |sql |bash |regex )?(function|class|method|script|program|code|query|algorithm|module|unit tests?)\b|\b(python|javascript|typescript|c\+\+|golang|sql|regex)\b/i,
  debug: /\b(debug|bug|stack ?trace|traceback|exception|error:|doesn't compile|segfault|fix (this|the|my) (code|error|function))/i,
  creative: /\b(write|compose) (a |an )?(poem|story|song|haiku|limerick|essay|novel|screenplay|joke)\b/i,
  compare: /\b(compare|comparison|contrast|pros and cons|trade-?offs?|versus|vs\.?)\b/i,
  brief: /\b(one word|single (word|letter|choice|number)|yes or no|briefly|in one sentence|only (the|a) (letter|number|answer)|without explanation)\b/i,
};

const CODE_FENCE = /```/g;
const CODE_LINE =
  /^\s*(def |class |function\b|import |from \S+ import |#include|package |public |private |protected |const |let |var |return\b|if\s*\(|for\s*\(|while\s*\(|switch\s*\(|SELECT |INSERT |UPDATE |CREATE TABLE|<\/?[a-z][a-z0-9]*[ >]|[}\])];?\s*$)|[;{]\s*$|=>|\)\s*:\s*$|^\s{4,}\S.*[=(]/;
const MATH_SYMBOL = /\d\s*[-+*/^=×÷<>]\s*\(?\d|\\(frac|sqrt|sum|int|prod|lim|log|sin|cos|tan|alpha|beta|gamma|theta|pi|cdot|times|leq|geq|neq|infty|partial|mathbb)\b|[√∑∫∏±≤≥≠∞π∂∀∃∈]|\b[a-z]\s*\^\s*\d|\b\d*[a-z]\s*[+\-]\s*\d+\s*=|\$[^$\n]{1,80}\$/gi;
const MATH_WORD =
  /\b(equation|integral|derivative|theorem|probability|polynomial|matrix|matrices|vector|eigen\w*|logarithm|factorial|prime|divisible|remainder|fraction|percent(age)?|ratio|average|sum of|product of|square root|modulo|arithmetic|geometric|algebra\w*|calculus|integer|solve|calculate|compute|how many|how much)\b/gi;
const NUMBER = /\d+(?:[.,]\d+)?/g;
const DIGIT = /\d/g;
const QUESTION_MARK = /[?？]/g;
const CHOICE_LINE = /^\s*\(?[A-Ea-e][.)]\s+\S/gm;
const SENTENCE_END = /[.!?。！？](\s|$)/g;
const JSON_ASKED = /\bjson\b|\byaml\b|\bcsv\b/i;
const LETTER = /\p{L}/gu;
const LATIN_LETTER = /\p{Script=Latin}/gu;

function countMatches(pattern: RegExp, text: string): number {
  pattern.lastIndex = 0;
  let count = 0;
  while (pattern.exec(text) !== null) count += 1;
  pattern.lastIndex = 0;
  return count;
}

function partText(part: ContentPart): string {
  return part.type === 'text' && typeof part.text === 'string' ? part.text : '';
}

export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map(partText).join('\n');
}

function capText(text: string): string {
  if (text.length <= TASK_HEAD_CHARS + TASK_TAIL_CHARS) return text;
  return `${text.slice(0, TASK_HEAD_CHARS)}\n${text.slice(text.length - TASK_TAIL_CHARS)}`;
}

/** Exact o200k_base count up to EXACT_TOKEN_CHARS, then the measured chars-per-token ratio extrapolates. */
export function estimateTokens(text: string): { tokens: number; exact: boolean } {
  if (text.length === 0) return { tokens: 0, exact: true };
  if (text.length <= EXACT_TOKEN_CHARS) return { tokens: countTokens(text), exact: true };
  const sampled = countTokens(text.slice(0, EXACT_TOKEN_CHARS));
  return { tokens: Math.round((sampled * text.length) / EXACT_TOKEN_CHARS), exact: false };
}

function codeLineCounts(text: string): { codeLines: number; nonEmpty: number } {
  let codeLines = 0;
  let nonEmpty = 0;
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    nonEmpty += 1;
    if (CODE_LINE.test(line)) codeLines += 1;
  }
  return { codeLines, nonEmpty };
}

function nonLatinRatio(text: string): number {
  const sample = text.length > LANGUAGE_SAMPLE_CHARS ? text.slice(0, LANGUAGE_SAMPLE_CHARS) : text;
  const letters = countMatches(LETTER, sample);
  return letters === 0 ? 0 : (letters - countMatches(LATIN_LETTER, sample)) / letters;
}

/**
 * @example
 * const features = extractPromptFeatures([{ role: 'user', content: 'Translate "cat" to French' }]);
 * features.keywords.translate; // true
 */
export function extractPromptFeatures(messages: readonly ChatMessage[], options: PromptFeatureOptions = {}): PromptFeatures {
  const allText: string[] = [];
  const instructions: string[] = [];
  let lastUser = '';
  let userTurns = 0;
  for (const message of messages) {
    const text = messageText(message);
    allText.push(text);
    if (message.role === 'system' || message.role === 'developer') instructions.push(text);
    if (message.role === 'user') {
      userTurns += 1;
      lastUser = text;
    }
  }
  const taskText = capText(instructions.length > 0 ? `${instructions.join('\n')}\n${lastUser}` : lastUser);
  const whole = estimateTokens(allText.join('\n'));
  const task = estimateTokens(taskText);
  const chars = Math.max(1, taskText.length);
  const { codeLines, nonEmpty } = codeLineCounts(taskText);
  const keywords = {} as Record<Keyword, boolean>;
  for (const keyword of KEYWORDS) keywords[keyword] = KEYWORD_PATTERNS[keyword].test(taskText);
  return {
    taskText,
    tokens: whole.tokens + 3 * messages.length,
    tokensExact: whole.exact,
    taskTokens: task.tokens,
    userTurns,
    messageCount: messages.length,
    toolsPresent: options.toolsPresent ?? false,
    jsonRequested: (options.jsonMode ?? false) || JSON_ASKED.test(taskText),
    codeFences: Math.floor(countMatches(CODE_FENCE, taskText) / 2),
    codeLines,
    codeLineRatio: nonEmpty === 0 ? 0 : codeLines / nonEmpty,
    mathSymbols: countMatches(MATH_SYMBOL, taskText),
    mathWords: countMatches(MATH_WORD, taskText),
    numbers: countMatches(NUMBER, taskText),
    digitRatio: countMatches(DIGIT, taskText) / chars,
    nonLatinRatio: nonLatinRatio(taskText),
    questionMarks: countMatches(QUESTION_MARK, taskText),
    choiceLines: countMatches(CHOICE_LINE, taskText),
    sentences: countMatches(SENTENCE_END, taskText),
    keywords,
  };
}

/** A single user prompt as the messages array the features read. */
export function userPrompt(prompt: string): ChatMessage[] {
  return [{ role: 'user', content: prompt }];
}
