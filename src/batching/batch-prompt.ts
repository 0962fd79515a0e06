import type { ChatMessage, ChatRequest } from '../wire/chat-types.js';

/** How the batched call asks for its answers: numbered sections, or a JSON array through `response_format`. */
export type BatchFormat = 'numbered' | 'json';

/** Fields that never change an answer (who asked, how it is delivered); every other field must match to share a call. */
const NOT_ANSWER_CHANGING = new Set(['model', 'messages', 'user', 'metadata', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'store']);

export interface BatchableRequest {
  /** Requests may share a call only when their keys are equal: same system prompt and answer-changing parameters. */
  key: string;
  system: string | undefined;
  question: string;
}

/**
 * A request that can be batched: one user message (after an optional system message) with text content, one
 * answer (`n` 1), not streamed, no tools, no response_format of its own. Anything else is sent on its own.
 */
export function batchable(request: ChatRequest): BatchableRequest | undefined {
  if (request.stream === true || (request.n ?? 1) !== 1 || (request.tools?.length ?? 0) > 0 || request.response_format !== undefined || request.logprobs) return undefined;
  const messages = request.messages;
  const user = messages[messages.length - 1];
  if (!user || user.role !== 'user' || typeof user.content !== 'string' || messages.length > 2) return undefined;
  const system = messages.length === 2 ? messages[0] : undefined;
  if (system && (system.role !== 'system' && system.role !== 'developer')) return undefined;
  if (system && typeof system.content !== 'string') return undefined;
  const params = Object.keys(request)
    .filter((field) => !NOT_ANSWER_CHANGING.has(field) && request[field] !== undefined && request[field] !== null)
    .sort()
    .map((field) => [field, request[field]]);
  const systemText = system ? (system.content as string) : undefined;
  return { key: JSON.stringify([system?.role ?? null, systemText ?? null, params]), system: systemText, question: user.content };
}

const marker = (index: number) => `=== ANSWER ${index} ===`;
const MARKER_LINE = /^=== ANSWER (\d+) ===[ \t]*$/gm;

/**
 * The one call that asks N questions: the shared system prompt unchanged, then one user message listing the
 * questions and saying exactly how to answer (numbered sections, or `{"answers": [...]}` under a JSON schema).
 */
export function batchedRequest(first: ChatRequest, members: ReadonlyArray<{ request: ChatRequest; question: string }>, format: BatchFormat): ChatRequest {
  const n = members.length;
  const system = first.messages.length === 2 ? [first.messages[0]] : [];
  const questions = members.map((member, index) => `Question ${index + 1}:\n${member.question}`).join('\n\n');
  const instructions =
    format === 'json'
      ? `Answer each of the ${n} questions below independently, as if each were asked on its own. Reply with a JSON object {"answers": [...]} holding exactly ${n} strings, the answer to question 1 first.`
      : `Answer each of the ${n} questions below independently, as if each were asked on its own. Write exactly ${n} answers in order, each under its own header line, "${marker(1)}" up to "${marker(n)}", and nothing before the first header.`;
  const user: ChatMessage = { role: 'user', content: `${instructions}\n\n${questions}` };
  const budgets = members.map((member) => member.request.max_completion_tokens ?? member.request.max_tokens ?? undefined);
  const request: ChatRequest = { ...first, messages: [...system, user] };
  delete request.max_tokens;
  delete request.max_completion_tokens;
  // Room for every answer when each member capped its own; otherwise the model's own limit applies.
  if (budgets.every((budget) => typeof budget === 'number')) request.max_tokens = (budgets as number[]).reduce((sum, budget) => sum + budget, 0) + 16 * n;
  if (format === 'json') {
    request.response_format = {
      type: 'json_schema',
      json_schema: {
        name: 'batched_answers',
        strict: true,
        schema: { type: 'object', properties: { answers: { type: 'array', items: { type: 'string' }, minItems: n, maxItems: n } }, required: ['answers'], additionalProperties: false },
      },
    };
  }
  return request;
}

/** The N answers of a batched reply, or undefined when it does not hold exactly N non-empty ones in order. */
export function splitBatchedAnswer(text: string, n: number, format: BatchFormat): string[] | undefined {
  if (format === 'json') {
    try {
      const parsed = JSON.parse(text) as { answers?: unknown };
      const answers = parsed?.answers;
      if (!Array.isArray(answers) || answers.length !== n || !answers.every((answer) => typeof answer === 'string' && answer.trim() !== '')) return undefined;
      return answers as string[];
    } catch {
      return undefined;
    }
  }
  const headers = [...text.matchAll(MARKER_LINE)];
  if (headers.length !== n || text.slice(0, headers[0]?.index ?? 0).trim() !== '') return undefined;
  const answers: string[] = [];
  for (let index = 0; index < n; index += 1) {
    if (Number(headers[index][1]) !== index + 1) return undefined;
    const start = headers[index].index! + headers[index][0].length;
    const end = index + 1 < n ? headers[index + 1].index! : text.length;
    const answer = text.slice(start, end).trim();
    if (answer === '') return undefined;
    answers.push(answer);
  }
  return answers;
}
