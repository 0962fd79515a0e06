import { Ajv } from 'ajv';

/**
 * Graders that need no model: each turns (answer, expected) into a score in [0, 1]. Pure, so a bake-off's table
 * is reproducible from its answers.
 */

/** Lower case, spaces collapsed, outer quotes and trailing punctuation dropped. */
export function normaliseAnswer(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/[.!;:,\s]+$/, '')
    .trim();
}

const NUMBER = /-?\$?\d[\d,]*(?:\.\d+)?/g;

function numeric(text: string): number | undefined {
  const cleaned = text.replace(/[$,\s]/g, '');
  if (!/^-?\d+(?:\.\d+)?$/.test(cleaned)) return undefined;
  return Number(cleaned);
}

/**
 * The final answer inside a longer reply: what follows the last `####` (GSM8K's mark) or an "answer:" label,
 * else the whole reply. When the expected answer is a number, the last number of that part.
 */
export function finalAnswer(reply: string, expected: string): string {
  const marks = [reply.lastIndexOf('####'), reply.toLowerCase().lastIndexOf('answer:')];
  const mark = Math.max(...marks);
  let part = reply;
  if (mark >= 0) part = reply.slice(mark + (mark === marks[0] ? 4 : 7));
  if (numeric(expected) !== undefined) {
    const numbers = part.match(NUMBER) ?? reply.match(NUMBER);
    if (numbers && numbers.length > 0) return numbers[numbers.length - 1];
  }
  return part;
}

/** 1 when the normalised final answer equals the normalised expected one (numbers compared as numbers). */
export function gradeExact(reply: string, expected: string): number {
  const answer = finalAnswer(reply, expected);
  const want = numeric(expected);
  if (want !== undefined) {
    const got = numeric(answer);
    return got !== undefined && Math.abs(got - want) < 1e-9 ? 1 : 0;
  }
  return normaliseAnswer(answer) === normaliseAnswer(expected) || normaliseAnswer(reply) === normaliseAnswer(expected) ? 1 : 0;
}

/** 1 when the reply matches `pattern` (a JavaScript regular expression, `/…/flags` or bare). */
export function gradeRegex(reply: string, pattern: string): number {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  const regex = literal ? new RegExp(literal[1], literal[2]) : new RegExp(pattern);
  return regex.test(reply) ? 1 : 0;
}

const ajv = new Ajv({ allErrors: false, strict: false });

/** 1 when the reply (or the first ```json block in it) parses and validates against the schema. */
export function gradeJsonSchema(reply: string, schema: Record<string, unknown>): number {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(reply);
  let value: unknown;
  try {
    value = JSON.parse(fenced ? fenced[1] : reply);
  } catch {
    return 0;
  }
  return ajv.validate(schema, value) ? 1 : 0;
}
