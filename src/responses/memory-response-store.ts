import { ownerColumn, type ResponseStore, type StoredResponse } from './response-store.js';

export interface MemoryResponseStoreOptions {
  /** At most this many responses; the least recently used go first. */
  maxResponses?: number;
}

/**
 * Stored responses in process memory, for a gateway without a ledger database: bounded (least recently used
 * evicted first) and lost on restart, which the start-up line says.
 *
 * @example
 * const store = createMemoryResponseStore({ maxResponses: 1_000 });
 */
export function createMemoryResponseStore({ maxResponses = 10_000 }: MemoryResponseStoreOptions = {}): ResponseStore {
  // A Map iterates in insertion order: re-inserting on read makes the first key the least recently used.
  const entries = new Map<string, StoredResponse>();
  const copy = (stored: StoredResponse): StoredResponse => structuredClone(stored);
  const owned = (id: string, owner: string | null) => {
    const found = entries.get(id);
    return found !== undefined && ownerColumn(found.owner) === ownerColumn(owner) ? found : undefined;
  };

  return {
    description: `memory (at most ${maxResponses} responses, lost on restart)`,
    async migrate() {},
    async save(stored) {
      const existing = entries.get(stored.id);
      if (existing !== undefined && ownerColumn(existing.owner) !== ownerColumn(stored.owner)) return;
      entries.delete(stored.id);
      entries.set(stored.id, copy(stored));
      while (entries.size > maxResponses) entries.delete(entries.keys().next().value!);
    },
    async replace(stored) {
      if (owned(stored.id, stored.owner) === undefined) return false;
      entries.set(stored.id, copy(stored));
      return true;
    },
    async get(id, owner) {
      const found = owned(id, owner);
      if (found === undefined) return undefined;
      entries.delete(id);
      entries.set(id, found);
      return copy(found);
    },
    async delete(id, owner) {
      return owned(id, owner) !== undefined && entries.delete(id);
    },
    async close() {
      entries.clear();
    },
  };
}
