import { fnv1a32 } from '../../text/feature-hash.js';

/**
 * Hand-written English text features for the offline embedder: normalisation, tokens, a light stemmer and
 * word weights. Nothing here is learned from data; the lists are general English grammar.
 */

/** Function words: they carry little of what a question is about, so they weigh little (never zero). */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then so than as of at by for with about into onto from to in on up out over under ' +
    'again further once here there all any both each few more most other some such own same too very just ' +
    'it its ' +
    'this that these those am is are was were be been being have has had having do does did doing ' +
    'would could should might must shall will can may also get got really please ' +
    'tell explain know want like one ever something anything thing things way ways'
  ).split(' '),
);

/**
 * Words that turn a question into a different one although they are short and common: the kind of
 * question (why vs how), negation and comparison, quantity and time. They weigh as content words.
 */
const MEANING_WORDS: ReadonlySet<string> = new Set(
  (
    'what why how when where who whom whose which not no never nor without cannot ' +
    'best worst better worse good bad difference between vs versus before after first last ' +
    'most least many much less more only'
  ).split(' '),
);

/**
 * Whose thing it is: "what is your name" and "what is my name" are different questions to an assistant,
 * but "how do I" and "how do you" often are not. So persons weigh between stop and content words.
 */
const PERSON_WORDS: ReadonlySet<string> = new Set(
  'i me my mine myself we us our ours ourselves you your yours yourself he him his she her hers they them their theirs'.split(' '),
);

const CONTRACTIONS: ReadonlyArray<[RegExp, string]> = [
  [/\bcan['’]t\b/gi, 'can not'],
  [/\bwon['’]t\b/gi, 'will not'],
  [/n['’]t\b/gi, ' not'],
  [/['’]re\b/gi, ' are'],
  [/['’]m\b/gi, ' am'],
  [/['’]ll\b/gi, ' will'],
  [/['’]ve\b/gi, ' have'],
  [/['’]d\b/gi, ' would'],
  [/['’]s\b/gi, ''],
];

/**
 * A token is a word (letters and digits, keeping a trailing `+`/`#` run: "c++", "c#"), one symbol
 * character ("%", "@", "=", "~", emoji), or a free-standing run of punctuation ("()", "[]", "(,)").
 * Symbols are kept because questions about them differ only by them ("what does ~ mean in C++?").
 */
const TOKEN = /[\p{L}\p{N}]+(?:[+#]+(?![\p{L}\p{N}]))?|[\p{S}%@#*&]|(?<!\S)[^\s\p{L}\p{N}]{2,}(?!\S)/gu;
const SENTENCE_PUNCTUATION = /^[.?!,;:'"`…\-–—]+$/;

export interface Token {
  /** Lower-cased text. */
  text: string;
  /** Written in capitals in a text that is not shouting ("IT", "IN", "UN"): a name, not a stop word. */
  acronym: boolean;
}

const UPPER = /\p{Lu}/gu;
const LETTER = /\p{L}/gu;

/** NFKC-normalised tokens with English contractions expanded, lower-cased, acronyms marked. */
export function tokenize(text: string): Token[] {
  let normal = text.normalize('NFKC');
  for (const [pattern, replacement] of CONTRACTIONS) normal = normal.replace(pattern, replacement);
  const letters = normal.match(LETTER)?.length ?? 0;
  const shouting = letters > 0 && (normal.match(UPPER)?.length ?? 0) > letters / 2;
  const tokens: Token[] = [];
  for (const match of normal.matchAll(TOKEN)) {
    const raw = match[0];
    if (SENTENCE_PUNCTUATION.test(raw)) continue;
    const lower = raw.toLowerCase();
    tokens.push({ text: lower, acronym: !shouting && raw.length >= 2 && lower !== raw && raw.toUpperCase() === raw });
  }
  return tokens;
}

/**
 * A light suffix stripper (plural, -ing, -ed, -ly, -ies): enough to meet "learning"/"learn",
 * "countries"/"country". Deliberately weaker than Porter: over-stemming merges different words, and in a
 * cache a merge is a wrong answer while a miss is only a miss.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /[^a-z]/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 5) return undouble(word.slice(0, -3));
  if (word.endsWith('ed') && word.length > 4) return undouble(word.slice(0, -2));
  if (word.endsWith('ly') && word.length > 5) return word.slice(0, -2);
  if (word.endsWith('es') && /(?:ch|sh|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !/(?:ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

function undouble(word: string): string {
  const last = word.charCodeAt(word.length - 1);
  return word.length > 3 && last === word.charCodeAt(word.length - 2) && !/[lsz]$/.test(word) ? word.slice(0, -1) : word;
}

export type WordKind = 'stop' | 'person' | 'meaning' | 'number' | 'symbol' | 'content';

const SYMBOL = /[^\p{L}\p{N}]/u;
const DIGIT = /\d/;

export function wordKind(word: string, acronym = false): WordKind {
  if (SYMBOL.test(word)) return 'symbol';
  if (acronym) return DIGIT.test(word) ? 'number' : 'content';
  if (DIGIT.test(word)) return 'number';
  if (MEANING_WORDS.has(word)) return 'meaning';
  if (PERSON_WORDS.has(word)) return 'person';
  if (STOP_WORDS.has(word)) return 'stop';
  return 'content';
}

/** 32-bit FNV-1a over UTF-16 units, with a seed so that feature families hash apart. */
export function hash32(text: string, seed: number): number {
  return fnv1a32(text, seed);
}
