import { join } from 'node:path';
import type { z } from 'zod';
import type { lanesSchema, queueSchema } from './lanes-schema.js';

export interface QueueSettings {
  /** Which engine, as chosen (explicitly, or from what else is configured). */
  backend: 'sqlite' | 'postgres' | 'redis';
  /** Why that backend, for the start-up log line. */
  reason: string;
  sqlitePath: string;
  databaseUrl: string | undefined;
  redisUrl: string;
  /** BullMQ key prefix / pg-boss schema. */
  keyPrefix: string;
  leaseMs: number;
}

export interface LaneSettings {
  background: {
    /** Parts per million of each deployment's RPM/TPM background work may use. */
    sharePpm: number;
    concurrency: number;
    defaultDeadlineMs: number;
    maxDeadlineMs: number;
    /** name → values that make a request background. */
    tags: ReadonlyMap<string, ReadonlySet<string>>;
    /** Routes configured `priority: background`. */
    routes: ReadonlySet<string>;
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "15m" → 900 000; bare numbers are seconds. Undefined for text that is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

interface Inputs {
  queue: z.infer<typeof queueSchema> | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  /** The Redis the rest of the config uses, when any part uses one. */
  redisInUse: string | undefined;
  env: Record<string, string | undefined>;
}

/** PostgreSQL configured → pg-boss; else Redis-only → BullMQ; else the embedded SQLite queue; `queue.backend` overrides. */
export function queueSettings({ queue, dataDir, databaseUrl, redisInUse, env }: Inputs, fail: (message: string) => Error): QueueSettings {
  let backend = queue?.backend;
  let reason = 'queue.backend';
  if (backend === undefined) {
    if (databaseUrl) [backend, reason] = ['postgres', 'the ledger is in PostgreSQL'];
    else if (redisInUse) [backend, reason] = ['redis', 'Redis is configured and PostgreSQL is not'];
    else [backend, reason] = ['sqlite', 'no PostgreSQL or Redis configured'];
  }
  if (backend === 'postgres' && !databaseUrl) throw fail('queue.backend: postgres needs DATABASE_URL (or ledger.database_url)');
  const redisUrl = queue?.redis_url || redisInUse || env.REDIS_URL || 'redis://127.0.0.1:6379';
  return {
    backend,
    reason,
    sqlitePath: join(dataDir, 'queue.sqlite'),
    databaseUrl,
    redisUrl,
    keyPrefix: queue?.key_prefix ?? 'frugal_queue',
    leaseMs: queue?.lease_ms ?? 60_000,
  };
}

export function laneSettings(raw: z.infer<typeof lanesSchema> | undefined, routes: Readonly<Record<string, unknown>>, fail: (message: string) => Error): LaneSettings {
  const background = raw?.background ?? {};
  const duration = (text: string | undefined, fallback: number, path: string) => {
    if (text === undefined) return fallback;
    const ms = parseDurationMs(text);
    if (ms === undefined || ms <= 0) throw fail(`lanes.background.${path}: '${text}' is not a positive duration such as 15m`);
    return ms;
  };
  const maxDeadlineMs = duration(background.max_deadline, 3_600_000, 'max_deadline');
  const defaultDeadlineMs = duration(background.default_deadline, 15 * 60_000, 'default_deadline');
  if (defaultDeadlineMs > maxDeadlineMs) throw fail('lanes.background.default_deadline: longer than max_deadline');
  const tags = new Map<string, Set<string>>();
  for (const pair of background.tags ?? []) {
    const [name, value] = pair.split('=');
    let values = tags.get(name);
    if (!values) tags.set(name, (values = new Set()));
    values.add(value);
  }
  const backgroundRoutes = new Set(
    Object.entries(routes).flatMap(([name, spec]) => ((spec as { priority?: unknown } | null)?.priority === 'background' ? [name] : [])),
  );
  return {
    background: {
      sharePpm: Math.round((background.share ?? 0.3) * 1_000_000),
      concurrency: background.concurrency ?? 8,
      defaultDeadlineMs,
      maxDeadlineMs,
      tags,
      routes: backgroundRoutes,
    },
  };
}
