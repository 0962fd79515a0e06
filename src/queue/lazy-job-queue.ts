import type { JobQueue } from './job-queue.js';

/**
 * A queue opened on first use: a gateway that never defers work never connects to pg-boss or Redis for it,
 * and never creates the SQLite file. Every method waits for the one open.
 */
export function lazyJobQueue(kind: string, open: () => Promise<JobQueue>): JobQueue & { opened(): boolean } {
  let opening: Promise<JobQueue> | undefined;
  const queue = () => (opening ??= open());
  return {
    kind,
    opened: () => opening !== undefined,
    enqueue: async (name, data, options) => (await queue()).enqueue(name, data, options),
    work: async (name, options, handler) => (await queue()).work(name, options, handler),
    status: async (id) => (await queue()).status(id),
    cancel: async (id) => (await queue()).cancel(id),
    depth: async (name) => (await queue()).depth(name),
    async dropQueue(name) {
      // Nothing to drop in a queue never opened.
      if (opening) await (await queue()).dropQueue?.(name);
    },
    async close() {
      if (opening) await (await opening.catch(() => undefined))?.close();
    },
  };
}
