import { z } from 'zod';

/** `queue:` — the durable queue background lanes and batch lines run through. */
export const queueSchema = z.strictObject({
  /** Default: postgres when the ledger is in PostgreSQL, else redis when spend control or the cache uses Redis, else sqlite in the data dir. */
  backend: z.enum(['sqlite', 'postgres', 'redis']).optional(),
  /** redis backend: default spend_control.redis_url / cache.redis_url / $REDIS_URL. */
  redis_url: z.string().optional(),
  /** redis backend: BullMQ's key prefix. postgres backend: the schema pg-boss keeps its tables in (letters, digits, _). */
  key_prefix: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'letters, digits and _, not starting with a digit').optional(),
  /** How long a running job belongs to its worker without a renewal; a dead worker's job is re-run after it. */
  lease_ms: z.number().int().min(1_000).max(3_600_000).optional(),
});

/** A duration as callers write it in x-frugal-deadline: 90s, 15m, 2h, 1d (or bare seconds). */
export const durationText = z.string().regex(/^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)?$/, 'a duration such as 90s, 15m, 2h or 1d');

/** `lanes:` — work that can wait: its own queue, concurrency and share of each deployment's RPM/TPM. */
export const lanesSchema = z.strictObject({
  background: z
    .strictObject({
      /** The most of each deployment's RPM and TPM background work may use (0–1); real-time traffic keeps the rest. */
      share: z.number().gt(0).max(1).optional(),
      /** Background calls in flight at once on one instance. */
      concurrency: z.number().int().positive().max(10_000).optional(),
      /** The deadline of a background request that sends no x-frugal-deadline. */
      default_deadline: durationText.optional(),
      /** The longest deadline a caller may ask for (a reply held longer would outlive most clients' timeouts). */
      max_deadline: durationText.optional(),
      /** Requests carrying any of these tags (name=value, as in x-frugal-tags) are background work. */
      tags: z.array(z.string().regex(/^[^=\s]+=[^=]*$/, 'name=value')).optional(),
    })
    .optional(),
});
