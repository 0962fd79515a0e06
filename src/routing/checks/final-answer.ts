/**
 * The final answer an answer states, normalised so two answers can be compared: "#### 1,200", "The answer is
 * $1200." and "\boxed{1200}" all give "1200"; "B", "(B)", "B) Logan" and "Answer: b" give "B". Undefined when the
 * text states none. Used by the `answer_stated` check and by `agree`, which compares two models' answers.
 */

import { WRITTEN_NUMBER, writtenNumberValue } from './written-number.js';

// Ordered from the most explicit marker to the least; the last occurrence of a marker wins (answers restate).
const MARKERS: readonly RegExp[] = [
  /####\s*([^\n]+?)(?=\.\s|\.?$|\n)/gm,
  /\\boxed\{([^{}]+)\}/g,
  /\b(?:final answer|the answer|the correct answer|correct option|the correct choice)\s*(?:is|would be|:)?\s*[:=]?\s*\**\s*([^\n]+?)(?=\.\s|\.?$|\n)/gim,
  /(?:^|\n)\s*\**answer\**\s*[:=]\s*\**\s*([^\n]+?)(?=\.\s|\.?$|\n)/gim,
];

const BARE_NUMBER = new RegExp(String.raw`^\s*[-−]?\$?\s*(?:${WRITTEN_NUMBER})\.?\s*$`);
// A bare choice: the whole answer is "B", "(B)", "B." or starts "B) ..." / "B: ..." (a choice followed by its text).
const BARE_CHOICE = /^\s*\**\(?([A-J])\)?\**(?:\s*$|[.):]\s|\)\s*\S)/;
// "42, which is the total": that comma is the sentence's; "1,2" (a decimal comma) is not read as a number at all.
const NUMBER = new RegExp(String.raw`^([-−])?\$?\s*([-−])?(${WRITTEN_NUMBER})(?!,\d)`);
// Upper-case letters alone or before their text; lower-case only bracketed or alone ("a" may start a sentence).
const CHOICE = /^\(?([A-J])\)?(?![A-Za-z])|^\(([a-j])\)|^([a-j])$/;

function normaliseNumber(text: string): string | undefined {
  const match = NUMBER.exec(text);
  if (!match) return undefined;
  const value = writtenNumberValue(match[3]);
  return String(match[1] || match[2] ? -value : value);
}

/** A stated answer in its comparable form: a number, a choice letter, or short normalised text. */
export function normaliseAnswer(raw: string): string | undefined {
  const text = raw.replace(/^[\s*_`"'“]+/, '').replace(/[\s*_`"'”.]+$/, '');
  if (text.length === 0) return undefined;
  const number = normaliseNumber(text);
  if (number !== undefined) return number;
  const choice = CHOICE.exec(text);
  if (choice) return (choice[1] ?? choice[2] ?? choice[3]).toUpperCase();
  const words = text.toLowerCase().replace(/\s+/g, ' ');
  return words.length <= 80 ? words : undefined;
}

/**
 * @example
 * extractFinalAnswer('3 * 4 = 12 apples.\n#### 12'); // '12'
 * extractFinalAnswer('B) Logan'); // 'B'
 */
export function extractFinalAnswer(text: string): string | undefined {
  for (const marker of MARKERS) {
    let last: string | undefined;
    for (const match of text.matchAll(marker)) last = match[1];
    if (last !== undefined) {
      const answer = normaliseAnswer(last);
      if (answer !== undefined) return answer;
    }
  }
  const choice = BARE_CHOICE.exec(text);
  if (choice) return choice[1];
  // An answer that is nothing but a number states it ("4", "$1,200.").
  if (BARE_NUMBER.test(text)) return normaliseNumber(text.trim().replace(/\.$/, ''));
  return undefined;
}
