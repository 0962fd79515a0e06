import { randomBytes } from 'node:crypto';

/** Ids at or after this creation time (2024-01-01) may be time-ordered ones; a random legacy id rarely decodes into the range. */
const EARLIEST_MS = Date.UTC(2024, 0, 1);
/** Clock skew between instances sharing a store. */
const SKEW_MS = 24 * 3_600_000;
const TIME_DIGITS = 12;

/**
 * A file or batch id that sorts by creation: the prefix, the creation time in ms as 12 hex digits, then 12 random hex
 * digits (`batch_0193b0c2f1a4…`). Lists page by (created_at, id), so a cursor whose item was deleted can still be
 * placed where it stood (`creationTimeOfId`).
 *
 * @example
 * newTimeOrderedId('batch_', Date.now());
 */
export function newTimeOrderedId(prefix: string, createdAtMs: number): string {
  return `${prefix}${Math.floor(createdAtMs).toString(16).padStart(TIME_DIGITS, '0')}${randomBytes(6).toString('hex')}`;
}

/**
 * The creation time a time-ordered id carries, or undefined for an id that carries none (a result file's hashed id,
 * an id made before ids were time-ordered, garbage) — judged by plausibility: between 2024 and a day from `nowMs`.
 */
export function creationTimeOfId(id: string, nowMs: number): number | undefined {
  const match = /^(?:file-|batch_)([0-9a-f]{12})[0-9a-f]{12}$/.exec(id);
  if (!match) return undefined;
  const at = Number.parseInt(match[1], 16);
  return at >= EARLIEST_MS && at <= nowMs + SKEW_MS ? at : undefined;
}
