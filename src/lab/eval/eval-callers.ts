import { request } from 'undici';
import { formatNanosUsd, parseUsdNanos } from '../../catalog/pricing.js';
import type { EvalRow } from './eval-dataset.js';
import type { EvalCall, EvalCaller, EvalGrade, EvalReply } from './run-eval.js';

/** The score name eval grades are kept under in the feedback store (`report --quality eval` reads it). */
export const EVAL_SCORE = 'eval';

export interface GatewayCallerOptions {
  /** The gateway's OpenAI base URL, e.g. http://127.0.0.1:4000/v1. */
  baseUrl: string;
  /** A virtual key or the master key; none on an open gateway. */
  apiKey?: string;
  /** Upper bound on each answer's length (also bounds what the gateway holds against budgets). */
  maxTokens: number;
  timeoutMs?: number;
}

function tagHeader(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value.replace(/[,=]/g, '_')}`)
    .join(',');
}

/**
 * Calls through a running Frugal gateway: the real pipeline (routes, cache, budgets), priced by the gateway and
 * written to its ledger under the run's tags. The cost is the reply's x-frugal-cost-usd.
 */
export function gatewayCaller(options: GatewayCallerOptions): EvalCaller {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const feedbackUrl = `${options.baseUrl.replace(/\/+$/, '')}/feedback`;
  return {
    async call(call: EvalCall): Promise<EvalReply> {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-frugal-tags': tagHeader(call.tags) };
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
      if (call.maxCostNanos !== undefined) headers['x-frugal-max-cost-usd'] = formatNanosUsd(call.maxCostNanos);
      const started = performance.now();
      try {
        const response = await request(url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ model: call.model, messages: call.messages, max_tokens: options.maxTokens }),
          headersTimeout: options.timeoutMs ?? 300_000,
          bodyTimeout: options.timeoutMs ?? 300_000,
        });
        const text = await response.body.text();
        const latencyMs = performance.now() - started;
        const header = (name: string) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        const costNanos = parseUsdNanos(header('x-frugal-cost-usd') ?? '') ?? 0;
        const requestId = header('x-frugal-request-id');
        let body: { choices?: Array<{ message?: { content?: unknown } }>; error?: { message?: string; code?: string | null } } = {};
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          // Reported below as an unreadable answer.
        }
        if (response.statusCode !== 200) {
          return { ok: false, error: body.error?.message ?? `HTTP ${response.statusCode}`, code: body.error?.code ?? undefined, costNanos, latencyMs, requestId };
        }
        const content = body.choices?.[0]?.message?.content;
        if (typeof content !== 'string') return { ok: false, error: 'the reply has no text answer', costNanos, latencyMs, requestId };
        return { ok: true, answer: content, costNanos, latencyMs, requestId };
      } catch (error) {
        return { ok: false, error: (error as Error).message, costNanos: 0, latencyMs: performance.now() - started };
      }
    },

    // The grade goes where the answer's row is: the gateway's feedback store (source `app`: the eval is an app).
    async recordGrade(grade: EvalGrade): Promise<boolean> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
      try {
        const response = await request(feedbackUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify({ request_id: grade.requestId, score: grade.score, name: EVAL_SCORE, source: 'app', metadata: grade.metadata }),
          headersTimeout: options.timeoutMs ?? 300_000,
          bodyTimeout: options.timeoutMs ?? 300_000,
        });
        await response.body.dump();
        return response.statusCode === 200;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Answers looked up in the file instead of calling a model (RouteLLM-style `responses` per model), priced by
 * `costOf`: a bake-off replayed offline, comparable with `frugal router eval` on the same file.
 */
export function replayCaller(costOf: (row: EvalRow, model: string) => number): EvalCaller {
  return {
    async call(call: EvalCall, row: EvalRow): Promise<EvalReply> {
      const answer = row.responses?.[call.model];
      if (answer === undefined) return { ok: false, error: `no recorded answer of ${call.model} for ${row.id}`, costNanos: 0, latencyMs: 0 };
      const costNanos = costOf(row, call.model);
      if (call.maxCostNanos !== undefined && costNanos > call.maxCostNanos) {
        return { ok: false, error: 'over the remaining --max-usd', code: 'cost_ceiling_exceeded', costNanos: 0, latencyMs: 0 };
      }
      return { ok: true, answer, costNanos, latencyMs: 0 };
    },
  };
}
