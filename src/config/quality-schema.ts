import { z } from 'zod';

/** A name that reaches headers and metric labels: short, plain. */
const plainName = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, ., - and _ (at most 40)');
const usd = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d{1,9})?$/, 'a decimal with at most 9 decimals')]);
const fraction = z.number().min(0).max(1);

const judgeSchema = z.strictObject({
  /** The model (or route) that grades. */
  model: z.string().min(1),
  /** Grade each answer 0–1 against this rubric … */
  rubric: z.string().min(1).optional(),
  /** … or pairwise against what this model answers to the same request. */
  reference_model: z.string().min(1).optional(),
  /** Share of the sampled answers that are judged. */
  sample: fraction.default(1),
});

/** Per route or model name: sample, store (redacted), judge. */
export const routeQualitySchema = z.strictObject({
  /** Share of the route's requests that are sampled (decided by a seeded hash of the request id). */
  sample: fraction,
  /** bodies: the redacted request and answer are stored; none: only that a sample was taken (judges still run). */
  store: z.enum(['bodies', 'none']).default('bodies'),
  /** Regular expressions whose matches are replaced by [redacted] before anything is written. */
  redact: z.array(z.string().min(1)).default([]),
  retention_days: z.number().int().positive().max(3650).default(30),
  judge: judgeSchema.optional(),
});

export const qualitySchema = z.strictObject({
  /** What judges, reference answers and shadow arms may spend per UTC day (quality overhead, apart from users' spend). */
  budget_usd: usd.optional(),
  /** The sampling hash's seed: change it to sample a different slice of traffic. */
  seed: z.number().int().min(0).max(0xffff_ffff).default(0),
  /** Background work waiting at most (beyond it new jobs are dropped and counted): judges never queue without bound. */
  queue_size: z.number().int().positive().max(100_000).default(1_000),
  /** Judge / reference / shadow calls in flight at once. */
  concurrency: z.number().int().positive().max(64).default(2),
  routes: z.record(z.string().min(1), routeQualitySchema).default({}),
  /** Regression alerts: a route's current window against its baseline. */
  alerts: z
    .strictObject({
      /** How often the check runs. */
      every_minutes: z.number().positive().default(15),
      /** The window compared: the last N hours … */
      window_hours: z.number().positive().default(24),
      /** … against the N days before it. */
      baseline_days: z.number().positive().default(7),
      /** Scored requests needed in each of the two before a shift can fire. */
      min_scored: z.number().int().positive().default(30),
      /**
       * Two-sided confidence of the interval a shift must leave: 0.99 by default, since a monitor that checks four
       * signals per route every few minutes would raise a false alarm about every 40 checks at 0.95.
       */
      confidence: z.union([z.literal(0.9), z.literal(0.95), z.literal(0.99), z.literal(0.999)]).default(0.99),
    })
    .optional(),
});

const armSchema = z.strictObject({
  /** The model or route the arm's share is served by. */
  model: z.string().min(1),
  percent: z.number().min(0).max(100),
});

/** A/B split of a route's traffic, sticky by user, key or tag. */
export const experimentSchema = z.strictObject({
  /** The requested model or route whose traffic is split. */
  route: z.string().min(1),
  arms: z.record(plainName, armSchema),
  /** user | key | tag:NAME | request (no stickiness). */
  sticky: z.union([z.enum(['user', 'key', 'request']), z.string().regex(/^tag:[A-Za-z0-9_.-]{1,64}$/, 'user, key, request or tag:NAME')]).default('user'),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }).optional(),
  /** A candidate that answers a copy of sampled requests in the background: never served, judged against what was. */
  shadow: z
    .strictObject({
      name: plainName.default('shadow'),
      model: z.string().min(1),
      sample: fraction,
      /** Grades the shadow's answer pairwise against the served one; default: the route's quality judge model. */
      judge_model: z.string().min(1).optional(),
    })
    .optional(),
});

export const experimentsSchema = z.record(plainName, experimentSchema);

export type RawQuality = z.infer<typeof qualitySchema>;
export type RawExperiments = z.infer<typeof experimentsSchema>;
