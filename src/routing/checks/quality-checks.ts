import { Ajv } from 'ajv';
import { contentText } from '../../tokens/count-tokens.js';
import type { ChatResponse } from '../../wire/chat-types.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import type { CheckSpec } from '../route-schema.js';
import { wrongSteps } from './arithmetic-steps.js';
import { extractFinalAnswer } from './final-answer.js';
import { MIN_NUMBERS_USED, shareOfNumbersUsed } from './numbers-used.js';

export interface CheckResult {
  pass: boolean;
  /** The check's name, for the decision path ("fail:not_refusal"). */
  name: string;
  detail?: string;
}

// Openings of answers that decline the task; a cheap model's refusal is worth escalating.
const REFUSAL = /^\s*(?:i['’]m sorry|sorry,|i apologi[sz]e|i (?:can(?:not|['’]t)|am unable to|won['’]t be able to|am not able to) (?:help|assist|provide|do|answer|comply|fulfil)|as an ai\b|i['’]m (?:unable|not able) to)/i;

const ajv = new Ajv({ allErrors: false, strict: false });
const compiledSchemas = new WeakMap<object, ReturnType<typeof ajv.compile>>();

export function answerText(response: ChatResponse): string {
  const content = response.choices[0]?.message?.content;
  return typeof content === 'string' ? content : '';
}

/** The request's last user turn as text: what an answer is checked against. */
export function lastUserText(request: ChatRequest): string {
  return request.messages.filter((message) => message.role === 'user').map((message) => contentText(message.content)).pop() ?? '';
}

/** The built-in checks that need no model: cheap, synchronous, pure. */
export function runLocalCheck(name: Exclude<CheckSpec, object>, request: ChatRequest, response: ChatResponse): CheckResult {
  const choice = response.choices[0];
  const text = answerText(response);
  const toolCalls = choice?.message?.tool_calls ?? [];
  switch (name) {
    case 'non_empty':
      return { name, pass: text.trim().length > 0 || toolCalls.length > 0 };
    case 'not_refusal':
      return { name, pass: !REFUSAL.test(text) && !choice?.message?.refusal };
    case 'finished':
      return { name, pass: choice?.finish_reason !== 'length' && choice?.finish_reason !== 'content_filter', detail: choice?.finish_reason ?? undefined };
    case 'valid_json': {
      const format = request.response_format;
      if (!format || format.type === 'text') return { name, pass: true };
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { name, pass: false, detail: 'not JSON' };
      }
      const schema = (format.json_schema as { schema?: object } | undefined)?.schema;
      if (format.type !== 'json_schema' || !schema) return { name, pass: true };
      let validate = compiledSchemas.get(schema);
      if (!validate) {
        validate = ajv.compile(schema);
        compiledSchemas.set(schema, validate);
      }
      return { name, pass: validate(parsed) === true, detail: ajv.errorsText(validate.errors) };
    }
    case 'tool_args':
      for (const call of toolCalls) {
        try {
          JSON.parse(call.function.arguments);
        } catch {
          return { name, pass: false, detail: call.function.name };
        }
      }
      return { name, pass: true };
    case 'answer_stated':
      // For routes whose answers must end in a result (math, multiple choice): none stated means cut short or lost.
      return { name, pass: extractFinalAnswer(text) !== undefined };
    case 'numbers_used': {
      const share = shareOfNumbersUsed(lastUserText(request), text);
      return { name, pass: share === undefined || share >= MIN_NUMBERS_USED, detail: share === undefined ? undefined : share.toFixed(2) };
    }
    case 'arithmetic': {
      const wrong = wrongSteps(text);
      return { name, pass: wrong.length === 0, detail: wrong.length > 0 ? `${wrong[0].expression} = ${wrong[0].stated} (is ${wrong[0].actual})` : undefined };
    }
  }
}

/** Two answers agree when they state the same final answer (or, stating none, read the same once normalised). */
export function answersAgree(first: string, second: string): boolean {
  const a = extractFinalAnswer(first);
  const b = extractFinalAnswer(second);
  if (a !== undefined || b !== undefined) return a === b;
  const plain = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');
  return plain(first) === plain(second);
}

/** Mean log-probability of the answer's tokens, when the provider returned logprobs. */
export function meanLogprob(response: ChatResponse): number | undefined {
  const content = (response.choices[0]?.logprobs as { content?: Array<{ logprob: number }> } | null | undefined)?.content;
  if (!content || content.length === 0) return undefined;
  let sum = 0;
  for (const token of content) sum += token.logprob;
  return sum / content.length;
}

export const DEFAULT_JUDGE_PROMPT =
  'You grade answers. Given a user request and an answer, reply with only a number from 0 to 1: how fully and correctly the answer serves the request (1 = fully, 0 = not at all).';

/** Reads a 0–1 score from a judge model's reply ("0.85", "Score: 0.9"); undefined when there is none. */
export function parseJudgeScore(text: string): number | undefined {
  const match = /(?:^|[^\d.])((?:0(?:\.\d+)?)|(?:1(?:\.0+)?)|(?:\.\d+))(?![\d.])/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  return value >= 0 && value <= 1 ? value : undefined;
}
