import type { ScoredSample } from '../scored-samples/scored-sample-reader.js';
import { parseStoredRequest } from '../scored-samples/stored-request.js';
import { fineTuningErrors } from './validate-fine-tuning.js';

/**
 * Distillation data: stored samples that passed the quality bar, as provider-neutral chat fine-tuning lines
 * (`{"messages":[…],"tools":[…]}`): the request's messages, then the answer as the assistant's turn. Only what a
 * fine-tuning format has a place for is written — never a request id, key id, model or score — and every line
 * is checked against the format before it is written. Samples are redacted when they are stored; nothing here
 * un-redacts or adds text.
 */

/** The scores a sample's quality is read from by default: a judge's grade, and the caller's own (`default`). */
export const DEFAULT_BAR_SCORES = ['judge', 'default'] as const;

export interface ChatJsonlOptions {
  /** A sample passes when each of these scores it has is at least this (and it has one). */
  minScore: number;
  scoreNames?: readonly string[];
  /** Only answers of this model (the teacher). */
  model?: string;
}

export interface ChatJsonlCounts {
  samples: number;
  otherModel: number;
  unscored: number;
  belowBar: number;
  /** Not expressible as a text chat: image or audio parts, an empty answer (a tool call), an unreadable request. */
  notText: number;
  /** The same conversation and answer already written. */
  duplicate: number;
  exported: number;
}

type Message = Record<string, unknown>;

/** A message with the keys the fine-tuning format has, its content as text; undefined when it has other media. */
function neutralMessage(message: Message): Message | undefined {
  // `developer` is OpenAI's newer name for system instructions; other providers and the format say `system`.
  const role = message.role === 'developer' ? 'system' : message.role;
  let content = message.content;
  if (Array.isArray(content)) {
    if (!content.every((part) => part !== null && typeof part === 'object' && (part as Message).type === 'text' && typeof (part as Message).text === 'string')) return undefined;
    content = content.map((part) => (part as { text: string }).text).join('\n');
  }
  const out: Message = { role, content: content ?? null };
  if (typeof message.name === 'string') out.name = message.name;
  if (role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) out.tool_calls = message.tool_calls;
  if (role === 'tool' && typeof message.tool_call_id === 'string') out.tool_call_id = message.tool_call_id;
  return out;
}

/** pass / below / unscored, by the named scores the sample has. */
function bar(sample: ScoredSample, names: readonly string[], minScore: number): 'pass' | 'below' | 'unscored' {
  const scores = sample.scores.filter((score) => names.includes(score.name));
  if (scores.length === 0) return 'unscored';
  return scores.every((score) => score.score >= minScore) ? 'pass' : 'below';
}

/**
 * @example
 * const { lines, counts } = chatJsonlLines(samples, { minScore: 0.8 });
 * await writeFile('train.jsonl', lines.map((line) => `${line}\n`).join(''));
 */
export function chatJsonlLines(samples: readonly ScoredSample[], options: ChatJsonlOptions): { lines: string[]; counts: ChatJsonlCounts } {
  const names = options.scoreNames ?? DEFAULT_BAR_SCORES;
  const counts: ChatJsonlCounts = { samples: samples.length, otherModel: 0, unscored: 0, belowBar: 0, notText: 0, duplicate: 0, exported: 0 };
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const sample of samples) {
    if (options.model !== undefined && sample.model !== options.model) {
      counts.otherModel += 1;
      continue;
    }
    const passed = bar(sample, names, options.minScore);
    if (passed !== 'pass') {
      counts[passed === 'below' ? 'belowBar' : 'unscored'] += 1;
      continue;
    }
    const request = parseStoredRequest(sample.requestJson);
    const messages = request?.messages.map(neutralMessage);
    if (request === undefined || messages === undefined || messages.some((message) => message === undefined) || sample.answer.trim().length === 0) {
      counts.notText += 1;
      continue;
    }
    const example = { messages: [...(messages as Message[]), { role: 'assistant', content: sample.answer }], ...(request.tools === undefined ? {} : { tools: request.tools }) };
    // A stored conversation the format cannot take (a tool result without its call id, an empty turn) is left out.
    if (fineTuningErrors(example).length > 0) {
      counts.notText += 1;
      continue;
    }
    const line = JSON.stringify(example);
    if (seen.has(line)) {
      counts.duplicate += 1;
      continue;
    }
    seen.add(line);
    lines.push(line);
    counts.exported += 1;
  }
  return { lines, counts };
}
