import { KEYWORDS, type PromptFeatures } from './prompt-features.js';
import { classifyPrompt } from './rule-classifier.js';
import { fmix32, fnv1a32 } from '../../text/feature-hash.js';

/**
 * Turns a prompt into the linear model's input: hashed word uni/bi-grams and char n-grams (no vocabulary to
 * ship or to leak a training set through) plus the hand-made numeric features, unscaled.
 */

export interface HashingConfig {
  /** The hashed part has 2^bits slots; collisions are signed so they cancel rather than pile up. */
  bits: number;
  wordBigrams: boolean;
  charNgrams: readonly number[];
}

export const DEFAULT_HASHING: HashingConfig = { bits: 17, wordBigrams: true, charNgrams: [3, 4] };

export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

export interface PromptVector {
  hashed: SparseVector;
  /** NUMERIC_FEATURE_NAMES order; the model standardises them with statistics stored beside its weights. */
  numeric: Float64Array;
}

export const NUMERIC_FEATURE_NAMES: readonly string[] = [
  'log_tokens',
  'log_task_tokens',
  'user_turns',
  'tools',
  'json',
  'code_fences',
  'code_line_ratio',
  'log_math_symbols',
  'log_math_words',
  'log_numbers',
  'digit_ratio',
  'non_latin_ratio',
  'log_question_marks',
  'log_choice_lines',
  'log_sentences',
  'rule_complexity',
  ...KEYWORDS.map((keyword) => `kw_${keyword}`),
];

// Head and tail of long prompts: the instruction is usually at one end, and this bounds per-request hashing.
const VECTOR_HEAD_CHARS = 3_000;
const VECTOR_TAIL_CHARS = 1_000;
const WORD = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
const DIGIT = /\d/g;
const WHITESPACE = /\s+/g;
const WORD_SEED = 0x1b873593;
const BIGRAM_SEED = 0x2c1b3c6d;
const CHAR_SEED = 0x27d4eb2f;

function combine(first: number, second: number): number {
  let hash = Math.imul(first ^ BIGRAM_SEED, 0x01000193) ^ second;
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash >>> 0;
}

/** Lower-case, digits folded to 0 (numbers carry shape, not identity), whitespace collapsed, head + tail kept. */
export function normalizeForHashing(text: string): string {
  const capped =
    text.length <= VECTOR_HEAD_CHARS + VECTOR_TAIL_CHARS
      ? text
      : `${text.slice(0, VECTOR_HEAD_CHARS)} ${text.slice(text.length - VECTOR_TAIL_CHARS)}`;
  return capped.toLowerCase().replace(DIGIT, '0').replace(WHITESPACE, ' ').trim();
}

/**
 * Dense scratch space reused across calls (one per hashing size): counting into a typed array and listing the
 * touched slots is several times faster than a Map, and the hot path allocates only the result.
 * Safe because vectorisation is synchronous.
 */
class HashScratch {
  readonly words: Float64Array;
  readonly chars: Float64Array;
  readonly seen: Int32Array;
  readonly wordSlots: number[] = [];
  readonly charSlots: number[] = [];
  stamp = 0;
  constructor(readonly mask: number) {
    this.words = new Float64Array(mask + 1);
    this.chars = new Float64Array(mask + 1);
    this.seen = new Int32Array(mask + 1);
  }
}

const scratchBySize = new Map<number, HashScratch>();

function scratchFor(bits: number): HashScratch {
  let scratch = scratchBySize.get(bits);
  if (scratch === undefined) {
    scratch = new HashScratch((1 << bits) - 1);
    scratchBySize.set(bits, scratch);
  }
  return scratch;
}

// The top bit picks the sign; slots use the low bits, so the two are independent.
function addHash(counts: Float64Array, slots: number[], mask: number, hash: number): void {
  const slot = hash & mask;
  if (counts[slot] === 0) slots.push(slot);
  counts[slot] += hash >>> 31 === 1 ? -1 : 1;
}

/** Each group is scaled to unit length so that long prompts do not outvote short ones. */
function unitScale(counts: Float64Array, slots: readonly number[]): number {
  let squared = 0;
  for (const slot of slots) squared += counts[slot] * counts[slot];
  return squared === 0 ? 0 : 1 / Math.sqrt(squared);
}

export function hashText(text: string, config: HashingConfig): SparseVector {
  const scratch = scratchFor(config.bits);
  const { mask, words, chars, wordSlots, charSlots } = scratch;
  const normalized = normalizeForHashing(text);
  let previous = -1;
  WORD.lastIndex = 0;
  for (let match = WORD.exec(normalized); match !== null; match = WORD.exec(normalized)) {
    const hash = fnv1a32(match[0], WORD_SEED);
    addHash(words, wordSlots, mask, hash);
    if (config.wordBigrams && previous !== -1) addHash(words, wordSlots, mask, combine(previous, hash));
    previous = hash;
  }
  WORD.lastIndex = 0;
  const padded = ` ${normalized} `;
  let longest = 0;
  for (const size of config.charNgrams) longest = Math.max(longest, size);
  const wanted = new Uint8Array(longest + 1);
  for (const size of config.charNgrams) wanted[size] = 1;
  // One FNV pass per start position serves every n-gram size: the 4-gram continues the 3-gram's state.
  for (let start = 0; start < padded.length; start += 1) {
    let state = (0x811c9dc5 ^ CHAR_SEED) >>> 0;
    for (let size = 1; size <= longest && start + size <= padded.length; size += 1) {
      state ^= padded.charCodeAt(start + size - 1);
      state = Math.imul(state, 0x01000193);
      if (wanted[size] === 1) addHash(chars, charSlots, mask, fmix32(state ^ Math.imul(size, 0x9e3779b1)));
    }
  }
  const wordScale = unitScale(words, wordSlots);
  const charScale = unitScale(chars, charSlots);
  // A slot whose signed count returned to 0 was pushed twice; the stamp lists each slot once.
  scratch.stamp += 1;
  const union: number[] = [];
  for (const slots of [wordSlots, charSlots]) {
    for (const slot of slots) {
      if (scratch.seen[slot] !== scratch.stamp) {
        scratch.seen[slot] = scratch.stamp;
        union.push(slot);
      }
    }
  }
  // Typed-array sort is numeric and far faster than Array#sort with a comparator.
  const sorted = Int32Array.from(union).sort();
  const indices = new Int32Array(sorted.length);
  const values = new Float64Array(sorted.length);
  let kept = 0;
  for (const slot of sorted) {
    const value = words[slot] * wordScale + chars[slot] * charScale;
    words[slot] = 0;
    chars[slot] = 0;
    if (value === 0) continue;
    indices[kept] = slot;
    values[kept] = value;
    kept += 1;
  }
  wordSlots.length = 0;
  charSlots.length = 0;
  return { indices: indices.slice(0, kept), values: values.slice(0, kept) };
}

export function numericFeatures(features: PromptFeatures): Float64Array {
  const values = [
    Math.log1p(features.tokens),
    Math.log1p(features.taskTokens),
    Math.min(features.userTurns, 10),
    features.toolsPresent ? 1 : 0,
    features.jsonRequested ? 1 : 0,
    Math.min(features.codeFences, 5),
    features.codeLineRatio,
    Math.log1p(features.mathSymbols),
    Math.log1p(features.mathWords),
    Math.log1p(features.numbers),
    features.digitRatio,
    features.nonLatinRatio,
    Math.log1p(features.questionMarks),
    Math.log1p(features.choiceLines),
    Math.log1p(features.sentences),
    classifyPrompt(features).complexity,
    ...KEYWORDS.map((keyword) => (features.keywords[keyword] ? 1 : 0)),
  ];
  return Float64Array.from(values);
}

export function vectorizePrompt(features: PromptFeatures, config: HashingConfig): PromptVector {
  return { hashed: hashText(features.taskText, config), numeric: numericFeatures(features) };
}
