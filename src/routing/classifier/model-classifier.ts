import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ModelEntry } from '../../config/gateway-config.js';
import type { RequestContext } from '../../request/request-context.js';
import { contentText } from '../../tokens/count-tokens.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import type { RouteRuntime } from '../route-node.js';
import type { TaskDecision } from '../strategies/task-route.js';

export interface ModelClassifierOptions {
  /** The cheap model that labels prompts. */
  model: ModelEntry;
  /** The route's task names: the only labels it may give. */
  tasks: readonly string[];
  /** Past this the rules decide (and the label is not cached). */
  timeoutMs: number;
  /** Labels kept, by prompt hash. */
  cacheSize: number;
  /** What decides when the model cannot: the built-in rules. */
  fallback: (request: ChatRequest) => TaskDecision;
}

export type ClassifyOutcome = TaskDecision & { by: 'model' | 'cache' | 'rules' };

/** The conversation as the classifier reads it: roles and text, the last few turns (the request, not its history). */
function promptText(request: ChatRequest): string {
  return request.messages
    .slice(-4)
    .map((message) => `${message.role}: ${contentText(message.content as Parameters<typeof contentText>[0])}`)
    .join('\n')
    .slice(-4_000);
}

export function classifierMessages(tasks: readonly string[], text: string): ChatRequest['messages'] {
  return [
    {
      role: 'system',
      content:
        `You label requests for a router. Tasks: ${tasks.join(', ')}. ` +
        'Complexity is 0 for a request any small model answers well and 1 for one that needs the strongest model. ' +
        'Reply with one JSON object and nothing else: {"task": "<one of the tasks>", "complexity": <0 to 1>}.',
    },
    { role: 'user', content: `Request to label:\n"""\n${text}\n"""` },
  ];
}

/** The model's label, when it names one of the tasks; its complexity when it gives a number in [0, 1]. */
export function parseClassifierReply(reply: string, tasks: readonly string[]): { task: string; complexity: number | undefined } | undefined {
  const json = /\{[\s\S]*\}/.exec(reply)?.[0];
  let task: unknown;
  let complexity: unknown;
  if (json !== undefined) {
    try {
      ({ task, complexity } = JSON.parse(json) as { task?: unknown; complexity?: unknown });
    } catch {
      // Not JSON after all: look for a bare task name below.
    }
  }
  if (typeof task !== 'string') task = tasks.find((name) => new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(reply));
  if (typeof task !== 'string') return undefined;
  const label = tasks.find((name) => name.toLowerCase() === (task as string).trim().toLowerCase());
  if (label === undefined) return undefined;
  const number = typeof complexity === 'number' ? complexity : typeof complexity === 'string' ? Number(complexity) : NaN;
  return { task: label, complexity: Number.isFinite(number) && number >= 0 && number <= 1 ? number : undefined };
}

/**
 * A cheap model labels the task and complexity ("a tiny, cheap model classifies incoming queries and routes them").
 * Its call is a real attempt of the request — priced, in the row's cost, under the request's cost ceiling — and its
 * label is cached by prompt hash, so a repeated prompt costs nothing to route. A slow, failing or unreadable
 * classifier never fails the request: the rules decide.
 */
export function modelClassifier(options: ModelClassifierOptions) {
  const cache = new LRUCache<string, TaskDecision>({ max: options.cacheSize });
  const salt = `${options.model.name}\u0000${options.tasks.join('\u0000')}\u0000`;
  return async (context: RequestContext, runtime: RouteRuntime): Promise<ClassifyOutcome> => {
    const request = context.request;
    const text = promptText(request);
    const key = createHash('sha256').update(salt).update(text).digest('base64url');
    const cached = cache.get(key);
    if (cached) return { ...cached, by: 'cache' };
    const rules = options.fallback(request);
    try {
      const outcome = await runtime.callModel(context, options.model, {
        buffered: true,
        signal: AbortSignal.timeout(options.timeoutMs),
        overrides: {
          messages: classifierMessages(options.tasks, text),
          max_tokens: 40,
          temperature: 0,
          stream: false,
          tools: undefined,
          tool_choice: undefined,
          response_format: undefined,
          n: undefined,
          logprobs: undefined,
          top_logprobs: undefined,
        },
      });
      if (outcome.kind !== 'response') return { ...rules, by: 'rules' };
      const parsed = parseClassifierReply(contentText(outcome.response.choices[0]?.message?.content), options.tasks);
      if (parsed === undefined) return { ...rules, by: 'rules' };
      const decision = { task: parsed.task, complexity: parsed.complexity ?? rules.complexity };
      cache.set(key, decision);
      return { ...decision, by: 'model' };
    } catch (error) {
      // The request's own cost ceiling is not the classifier's to swallow.
      if ((error as { code?: string }).code === 'cost_ceiling_exceeded') throw error;
      return { ...rules, by: 'rules' };
    }
  };
}
