/**
 * Worked calculations an answer writes out ("3 x 60 = 180", "<<180*3=540>>", "$12.50 + $3 = $15.50"), each
 * checked by evaluating its left side. A cheap model's wrong answer to a word problem is very often one wrong
 * step, and that is cheap to catch without a second model. Pure: no eval(), a small recursive-descent parser.
 */

import { WRITTEN_NUMBER, writtenNumberValue } from './written-number.js';

export interface ArithmeticStep {
  expression: string;
  stated: number;
  actual: number;
}

// Characters an inline calculation is made of. `x` is a multiplication sign only between numbers (checked by the parser).
const EXPRESSION_CHARS = /[\d.,+\-−*/x×÷·()$%\s]/;
const LOOKBACK = 80;
const LEADING_NUMBER = new RegExp(`^(?:${WRITTEN_NUMBER})`);

type Token = { kind: 'number'; value: number } | { kind: 'op'; value: string };

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === ' ' || char === '\t' || char === '\n' || char === '$') {
      index += 1;
      continue;
    }
    const number = LEADING_NUMBER.exec(text.slice(index));
    if (number) {
      let value = writtenNumberValue(number[0]);
      index += number[0].length;
      if (text[index] === '%') {
        value /= 100;
        index += 1;
      }
      tokens.push({ kind: 'number', value });
      continue;
    }
    const op = { '+': '+', '-': '-', '−': '-', '*': '*', x: '*', '×': '*', '·': '*', '/': '/', '÷': '/', '(': '(', ')': ')' }[char];
    if (op === undefined) return undefined;
    tokens.push({ kind: 'op', value: op });
    index += 1;
  }
  return tokens;
}

/** Evaluates + − × ÷ and brackets; undefined for anything else (so an unreadable step is skipped, not failed). */
function evaluate(tokens: readonly Token[]): number | undefined {
  let at = 0;
  const peek = () => tokens[at];
  const isOp = (value: string) => peek()?.kind === 'op' && peek()!.value === value;
  function primary(): number | undefined {
    const token = peek();
    if (token === undefined) return undefined;
    if (token.kind === 'number') {
      at += 1;
      return token.value;
    }
    if (token.value === '-') {
      at += 1;
      const value = primary();
      return value === undefined ? undefined : -value;
    }
    if (token.value === '(') {
      at += 1;
      const value = sum();
      if (!isOp(')')) return undefined;
      at += 1;
      return value;
    }
    return undefined;
  }
  // One precedence level: operands joined left to right by its operators; undefined for ÷ 0 or a missing operand.
  const level =
    (operand: () => number | undefined, apply: Readonly<Record<string, (left: number, right: number) => number | undefined>>) =>
    (): number | undefined => {
      let value = operand();
      while (value !== undefined && peek()?.kind === 'op' && apply[peek()!.value] !== undefined) {
        const op = apply[peek()!.value];
        at += 1;
        const right = operand();
        value = right === undefined ? undefined : op(value, right);
      }
      return value;
    };
  const product = level(primary, { '*': (left, right) => left * right, '/': (left, right) => (right === 0 ? undefined : left / right) });
  const sum = level(product, { '+': (left, right) => left + right, '-': (left, right) => left - right });
  const value = sum();
  return at === tokens.length ? value : undefined;
}

const hasOperator = (tokens: readonly Token[]) => tokens.some((token) => token.kind === 'op' && token.value !== '(' && token.value !== ')');
const numberCount = (tokens: readonly Token[]) => tokens.filter((token) => token.kind === 'number').length;

/** The longest calculation ending right before `end`: at least two numbers and one operator. */
function leftSide(text: string, end: number): { expression: string; value: number } | undefined {
  let start = end;
  while (start > 0 && end - start < LOOKBACK && EXPRESSION_CHARS.test(text[start - 1])) start -= 1;
  // A letter right before means we started inside a word ("box 3"): move to the next token boundary.
  for (let from = start; from < end; from += 1) {
    if (from > start && !/[\s($]/.test(text[from - 1])) continue;
    // "10:30 - 2" is a time and "v2 + 1" a name: a calculation does not start glued to a colon or a letter.
    if (from === start && from > 0 && /[:\p{L}]/u.test(text[from - 1])) continue;
    const expression = text.slice(from, end).trim();
    if (expression.length === 0) break;
    const tokens = tokenize(expression);
    if (tokens === undefined || numberCount(tokens) < 2 || !hasOperator(tokens)) continue;
    const value = evaluate(tokens);
    if (value !== undefined) return { expression, value };
  }
  return undefined;
}

const STATED = new RegExp(String.raw`^\s*\$?\s*(-|−)?\s*(${WRITTEN_NUMBER})(%?)`);

/** True when `stated` is `actual` as written: rounded or truncated to the digits the answer shows. */
function matches(actual: number, statedText: string, stated: number): boolean {
  const decimals = statedText.includes('.') ? statedText.split('.')[1].length : 0;
  const unit = 10 ** -decimals;
  const tolerance = unit / 2 + 1e-9 * Math.max(1, Math.abs(actual));
  if (Math.abs(actual - stated) <= tolerance) return true;
  const truncated = Math.trunc(actual / unit) * unit;
  return Math.abs(truncated - stated) <= 1e-9 * Math.max(1, Math.abs(actual));
}

/**
 * Every written-out calculation whose stated result is not what its left side evaluates to.
 *
 * @example
 * wrongSteps('3 x 60 = 180, and 180 x 3 = 560'); // [{ expression: '180 x 3', stated: 560, actual: 540 }]
 */
export function wrongSteps(text: string): ArithmeticStep[] {
  const wrong: ArithmeticStep[] = [];
  for (let index = text.indexOf('='); index !== -1; index = text.indexOf('=', index + 1)) {
    // "<=", ">=", "==", "!=" are comparisons or code, not worked results.
    if (/[<>=!]/.test(text[index - 1] ?? '') || text[index + 1] === '=') continue;
    const left = leftSide(text, index);
    if (left === undefined) continue;
    const right = STATED.exec(text.slice(index + 1));
    if (right === null || /^[:\d]/.test(text.slice(index + 1 + right[0].length))) continue;
    const statedText = right[2].replaceAll(',', '');
    let stated = Number(statedText) * (right[1] ? -1 : 1);
    let actual = left.value;
    // Compare in the units the result is written in (to its shown digits): "50% + 25% = 75%" is 0.75 as a
    // fraction, 75 as written; "(20 / 80) * 100 = 25%" and "20 / 80 = 25%" are both how answers write percents.
    const candidates = right[3] !== '%' ? [actual] : left.expression.includes('%') ? [actual * 100] : [actual, actual * 100];
    if (candidates.some((candidate) => matches(candidate, statedText, stated))) continue;
    if (right[3] === '%') {
      actual = candidates.reduce((best, candidate) => (Math.abs(candidate - stated) < Math.abs(best - stated) ? candidate : best)) / 100;
      stated /= 100;
    }
    // A chain "a + b = c + d = e" states a new sum after its '='; only a step whose right side is a plain number counts.
    const after = text.slice(index + 1 + right[0].length, index + 1 + right[0].length + 3);
    if (/^\s*[+\-−*/x×÷·]\s*[\d(]/.test(after)) continue;
    wrong.push({ expression: left.expression, stated, actual });
  }
  return wrong;
}
