import { createHash } from 'node:crypto';

/**
 * Queue names and job ids shared by every backend. A job id is `<queue>/<backend id>`: `status` and `cancel`
 * take only the id, and pg-boss and BullMQ both need the queue to find a job.
 */

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function checkQueueName(queue: string): string {
  // pg-boss and BullMQ both refuse other characters (BullMQ uses ':' in its keys); one rule keeps backends swappable.
  if (!QUEUE_NAME.test(queue)) throw new RangeError(`A queue name is 1–100 letters, digits, '_', '.' or '-', got '${queue}'.`);
  return queue;
}

export function jobId(queue: string, backendId: string): string {
  return `${queue}/${backendId}`;
}

/** The queue and backend id of a job id; undefined for an id no queue made. */
export function parseJobId(id: string): { queue: string; backendId: string } | undefined {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return undefined;
  const queue = id.slice(0, slash);
  return QUEUE_NAME.test(queue) ? { queue, backendId: id.slice(slash + 1) } : undefined;
}

/** A UUID (version 8, name-based) from a queue and an idempotency key: the same key always gives the same job id. */
export function idempotentUuid(queue: string, key: string): string {
  const hex = createHash('sha256').update(queue).update('\0').update(key).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

export function checkMaxAttempts(value: number | undefined): number {
  const attempts = value ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${value}.`);
  return attempts;
}

/** The message a failed attempt leaves on its job (a thrown non-Error included). */
export function failureMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}
