/**
 * Share of the distinct numbers a question gives that its answer's working uses. A word-problem answer that
 * never mentions a quantity it was given has usually dropped a step; undefined when the question gives fewer
 * than two numbers (nothing to measure).
 */

import { WRITTEN_NUMBER, writtenNumberValue } from './written-number.js';

const NUMBER = new RegExp(WRITTEN_NUMBER, 'g');

function numbersIn(text: string): Set<number> {
  const found = new Set<number>();
  for (const match of text.matchAll(NUMBER)) found.add(writtenNumberValue(match[0]));
  return found;
}

/**
 * @example
 * shareOfNumbersUsed('3 sprints of 60 m, 3 times a week?', '3 x 60 = 180; 180 x 3 = 540'); // 1
 */
export function shareOfNumbersUsed(question: string, answer: string): number | undefined {
  const given = numbersIn(question);
  if (given.size < 2) return undefined;
  const used = numbersIn(answer);
  let count = 0;
  for (const value of given) if (used.has(value)) count += 1;
  return count / given.size;
}

/** Below this share the answer is taken to have skipped part of the question. */
export const MIN_NUMBERS_USED = 0.75;
