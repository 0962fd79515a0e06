import { z } from 'zod';
import { parseUsdNanos } from '../catalog/pricing.js';

/** A route target: a model name or another route's name (routes nest). */
const target = z.string().min(1).describe('model or route name');

const retries = z.strictObject({
  /** Tries per target, the first included (1 = no retry). */
  attempts: z.number().int().min(1).max(10).default(2),
  base_ms: z.number().int().nonnegative().default(200),
  max_ms: z.number().int().positive().default(8_000),
});

const timeouts = z.strictObject({
  /** A stream whose first token takes longer fails over (before any byte reached the client). */
  first_token_ms: z.number().int().positive().optional(),
  /** A whole attempt taking longer fails over. */
  total_ms: z.number().int().positive().optional(),
});

const hedge = z.strictObject({
  /** Send the same request to the next candidate when no first token came after this long ('p95' = the deployment's observed p95 TTFT). */
  after: z.union([z.literal('p95'), z.number().int().positive()]).default('p95'),
  /** Used for 'p95' until enough samples exist. */
  fallback_ms: z.number().int().positive().default(2_000),
});

export const CHECK_NAMES = ['non_empty', 'not_refusal', 'finished', 'valid_json', 'tool_args', 'answer_stated', 'arithmetic', 'numbers_used'] as const;

const check = z.union([
  z.enum(CHECK_NAMES),
  z.strictObject({ logprob: z.strictObject({ min: z.number().max(0) }) }),
  z.strictObject({ judge: z.strictObject({ model: target, min: z.number().min(0).max(1), prompt: z.string().optional() }) }),
  /** Ask another (cheap) model the same request; the answer passes when both state the same final answer. */
  z.strictObject({ agree: z.strictObject({ model: target }) }),
]);

const common = {
  fit_check: z.boolean().default(true),
  /** The most one request to this route may spend, every tier, retry, hedge and check included (USD; x-frugal-max-cost-usd can only lower it). */
  max_cost_usd: z
    .union([z.number(), z.string()])
    .refine((value) => (parseUsdNanos(String(value).trim()) ?? 0) > 0, 'a positive amount of USD with at most 9 decimals')
    .optional(),
  /** What this route's savings are measured against (a catalog or configured model; need not be served). Default: savings.baseline_model. */
  baseline_model: z.string().min(1).optional(),
  /** background: every request to this route is work that can wait (lanes.background: its share, deadline, cheaper tiers). */
  priority: z.enum(['realtime', 'background']).optional(),
  /** Prompt batching: concurrent small requests sharing model, system prompt and parameters go as one call (src/batching/). */
  batching: z
    .strictObject({
      window_ms: z.number().int().min(1).max(10_000).default(50),
      max_items: z.number().int().min(2).max(64).default(8),
      /** numbered: "=== ANSWER n ===" sections; json: a JSON array through response_format (models with json_schema). */
      format: z.enum(['numbered', 'json']).default('numbered'),
    })
    .optional(),
};

const taskRoute = {
  ...common,
  tasks: z.record(z.string(), target),
  default: target,
  /** Send prompts at or above this complexity (0–1) to `target` whatever their task. */
  complex: z.strictObject({ threshold: z.number().min(0).max(1), target }).optional(),
  /**
   * 'rules' (built in), a model trained with `frugal router train` (path to its JSON), or a cheap chat model that
   * labels each prompt (cached by prompt hash; past `timeout_ms` or on a failure the rules decide).
   */
  classifier: z
    .union([
      z.literal('rules'),
      z.strictObject({ model_file: z.string() }),
      z.strictObject({ model: z.string().min(1), timeout_ms: z.number().int().positive().default(1_500), cache_size: z.number().int().positive().default(10_000) }),
    ])
    .default('rules'),
};

export const routeSchema = z.discriminatedUnion('strategy', [
  z.strictObject({ strategy: z.literal('map'), ...taskRoute }),
  z.strictObject({ strategy: z.literal('classify'), ...taskRoute }),
  z.strictObject({
    strategy: z.literal('cascade'),
    ...common,
    tiers: z.array(target).min(2),
    checks: z.array(check).default(['non_empty', 'not_refusal', 'finished', 'valid_json', 'tool_args']),
    /** Stream the first tier live (no escalation once bytes are sent) instead of buffering it for the checks. */
    stream_first_tier: z.boolean().default(false),
  }),
  z.strictObject({
    strategy: z.literal('fallback'),
    ...common,
    chain: z.array(target).min(1),
    retries: retries.default({ attempts: 2, base_ms: 200, max_ms: 8_000 }),
    timeouts: timeouts.default({}),
    hedge: hedge.optional(),
  }),
  z.strictObject({
    strategy: z.literal('loadbalance'),
    ...common,
    policy: z.enum(['weighted', 'least_in_flight', 'lowest_latency']).default('weighted'),
    deployments: z
      .array(z.strictObject({ model: target, weight: z.number().positive().default(1), rpm: z.number().int().positive().optional(), tpm: z.number().int().positive().optional() }))
      .min(1),
    retries: retries.default({ attempts: 2, base_ms: 200, max_ms: 8_000 }),
    timeouts: timeouts.default({}),
    hedge: hedge.optional(),
    /** Prompts sharing their first `min_tokens` tokens (≈4 chars each) go to the same deployment, so its prefix cache hits. */
    prefix_affinity: z.strictObject({ min_tokens: z.number().int().positive().default(1024) }).optional(),
  }),
]);

export type RouteSpec = z.infer<typeof routeSchema>;
export type CheckSpec = z.infer<typeof check>;
export type RetrySpec = z.infer<typeof retries>;
export type TimeoutSpec = z.infer<typeof timeouts>;
export type HedgeSpec = z.infer<typeof hedge>;
