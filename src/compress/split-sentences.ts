/**
 * Sentence boundaries in one line of prose. Rule-based on purpose: it runs on every compressed request, must
 * cost microseconds, and a wrong split only makes a unit smaller, never loses text.
 */
export interface Span {
  start: number;
  end: number;
}

// A run of terminal punctuation (with closing quotes/brackets), then whitespace, then something that can start
// a sentence: a capital letter, a digit, or an opening quote/bracket.
const SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[\p{Lu}\p{N}])/gu;
const LETTER = /\p{L}/u;

// Common English abbreviations that end with a dot but rarely end a sentence.
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'ft', 'vs', 'etc', 'vol',
  'fig', 'figs', 'al', 'approx', 'dept', 'inc', 'ltd', 'co', 'corp', 'jan', 'feb', 'mar', 'apr', 'jun',
  'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'gen', 'gov', 'sen', 'rep', 'rev', 'lt', 'col', 'capt',
]);

/** Whether the dot at `dot` ends an abbreviation; scans back from the dot, never the whole text. */
function isAbbreviation(text: string, dot: number): boolean {
  let start = dot;
  while (start > 0 && LETTER.test(text[start - 1])) start -= 1;
  const length = dot - start;
  if (length === 0) return false;
  // An initial ("J. R. R. Tolkien") or the last letter of "U.S." / "e.g.".
  if (length === 1) return true;
  return length <= 6 && ABBREVIATIONS.has(text.slice(start, dot).toLowerCase());
}

/** Spans of the sentences in `text`, in order; the whitespace between them belongs to no span. */
export function splitSentences(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  while (start < text.length && /\s/.test(text[start])) start += 1;
  SENTENCE_END.lastIndex = 0;
  for (let match = SENTENCE_END.exec(text); match; match = SENTENCE_END.exec(text)) {
    const end = match.index + match[0].length;
    if (end <= start) continue;
    if (match[0] === '.' && isAbbreviation(text, match.index)) continue;
    spans.push({ start, end });
    start = end;
    while (start < text.length && /\s/.test(text[start])) start += 1;
  }
  let end = text.length;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (end > start) spans.push({ start, end });
  return spans;
}
