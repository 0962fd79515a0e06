import type { z } from 'zod';
import type { WireIssue } from '../wire-check.js';

/** A refused Responses request: OpenAI's `param`, its message and, for schema problems, its `code`. */
export interface ResponsesIssue extends WireIssue {
  code?: string;
}

function paramOf(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const part of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  return value;
}

// OpenAI names types as a JSON Schema reader would: "a decimal", "an integer", "an object".
const TYPE_WORDS: Record<string, string> = { string: 'a string', number: 'a decimal', int: 'an integer', boolean: 'a boolean', object: 'an object', record: 'an object', array: 'an array' };
function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return TYPE_WORDS[typeof value] ?? typeof value;
}

// A range issue does not say whether the schema wanted an integer; these are the Responses fields that do.
const INTEGER_FIELDS = new Set(['max_output_tokens', 'max_tool_calls', 'top_logprobs']);
const quoted = (values: readonly unknown[]) => values.map((value) => `'${String(value)}'`).join(', ');
// Schema problems met inside an item are re-raised by superRefine as custom issues that keep zod's words.
const NESTED_TYPE = /^Invalid input: expected (\w+), received \w+$/;

/**
 * The first schema problem in OpenAI's words and codes, as the Responses API answers them: a missing field is
 * `missing_required_parameter`, a wrong type `invalid_type`, a value outside a list `invalid_value`, a number out
 * of range `integer_below_min_value` / `decimal_above_max_value`. Clients and tests branch on these codes.
 */
export function openAIResponsesIssue(error: z.ZodError, body: unknown): ResponsesIssue {
  const issue = error.issues[0];
  const param = paramOf(issue.path);
  const value = valueAt(body, issue.path);
  const where = param === '' ? 'the request' : `'${param}'`;
  const nested = issue.code === 'custom' ? NESTED_TYPE.exec(issue.message) : null;
  if ((issue.code === 'invalid_type' || nested) && value === undefined) {
    return { message: `Missing required parameter: ${where}.`, param: param || null, code: 'missing_required_parameter' };
  }
  if (issue.code === 'invalid_type' || nested) {
    const expected = issue.code === 'invalid_type' ? issue.expected : nested![1];
    return { message: `Invalid type for ${where}: expected ${TYPE_WORDS[expected] ?? expected}, but got ${typeOfValue(value)} instead.`, param: param || null, code: 'invalid_type' };
  }
  if (issue.code === 'invalid_value') {
    return { message: `Invalid value: '${String(value)}'. Supported values are: ${quoted(issue.values)}.`, param: param || null, code: 'invalid_value' };
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const below = issue.code === 'too_small';
    const bound = below ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
    const kind = issue.origin === 'number' ? (INTEGER_FIELDS.has(String(issue.path[issue.path.length - 1])) ? 'integer' : 'decimal') : issue.origin;
    const unit = issue.origin === 'number' ? 'value' : 'length';
    const comparison = below ? '>=' : '<=';
    const limit = issue.origin === 'number' ? (below ? 'min_value' : 'max_value') : below ? 'min_length' : 'max_length';
    const shown = issue.origin === 'number' ? String(value) : String((value as { length?: number } | undefined)?.length ?? value);
    return {
      message: `Invalid ${where}: ${kind} ${below ? 'below minimum' : 'above maximum'} ${unit}. Expected a ${unit} ${comparison} ${String(bound)}, but got ${shown} instead.`,
      param: param || null,
      code: `${kind}_${below ? 'below' : 'above'}_${limit}`,
    };
  }
  if (issue.code === 'invalid_union') {
    // A string where the union has a list of names (tool_choice, a discriminator) is a bad value; anything else a bad type.
    if (value === undefined) return { message: `Missing required parameter: ${where}.`, param: param || null, code: 'missing_required_parameter' };
    if (typeof value === 'string') return { message: `Invalid value: '${value}'. ${issue.message}.`, param: param || null, code: 'invalid_value' };
    return { message: `Invalid type for ${where}: got ${typeOfValue(value)}, which is not one of the accepted types.`, param: param || null, code: 'invalid_type' };
  }
  return { message: param === '' ? issue.message : `Invalid '${param}': ${issue.message}`, param: param || null, code: 'invalid_value' };
}
