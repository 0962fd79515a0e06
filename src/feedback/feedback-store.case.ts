import { afterAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload, WORKLOAD_START } from '../ledger/ledger-store.case.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { FeedbackStore, NewFeedback } from './feedback-store.js';
import type { SqlFeedbackStoreOptions } from './sql-feedback-store.js';
import { currentScores } from './feedback-store.js';

export interface FeedbackStoreFactory {
  /** The feedback store and the ledger of the database called `name`: new the first time, the same one after. */
  open(name: string, options?: SqlFeedbackStoreOptions): { feedback: FeedbackStore; ledger: LedgerStore };
  /** Removes every database this factory made. */
  cleanUp(): Promise<void>;
}

const HOUR = 3_600_000;

/**
 * Seven ledger rows on two models: gpt-4o-mini a1…a4 (keys k1, k1, k2, null), gpt-4o b1, b2, and a second row
 * with the id a2 two days later (a reused x-request-id, key k2).
 */
export function scoredWorkload(): LedgerRow[] {
  const [template] = ledgerWorkload();
  const row = (id: string, hours: number, servedModel: string, keyId: string | null, costNanos: number): LedgerRow => ({ ...template, id, ts: WORKLOAD_START + hours * HOUR, servedModel, keyId, costNanos });
  return [
    row('a1', 0, 'gpt-4o-mini', 'k1', 1_000),
    row('a2', 1, 'gpt-4o-mini', 'k1', 2_000),
    row('a3', 2, 'gpt-4o-mini', 'k2', 3_000),
    row('a4', 3, 'gpt-4o-mini', null, 4_000),
    row('b1', 4, 'gpt-4o', 'k1', 50_000),
    row('b2', 5, 'gpt-4o', 'k1', 60_000),
    row('a2', 48, 'gpt-4o', 'k2', 70_000),
  ];
}

const at = (hours: number) => WORKLOAD_START + hours * HOUR;
const score = (requestId: string, hours: number, value: number, extra: Partial<NewFeedback> = {}): NewFeedback => ({
  requestId, requestTs: at(hours), name: 'default', score: value, comment: null, source: 'user', scoredBy: null, metadata: null, ...extra,
});

/** Every FeedbackStore passes these, on its own database (SQLite file, PostgreSQL schema). */
export function describeFeedbackStoreConformance(backend: string, setup: () => Promise<FeedbackStoreFactory>) {
  describe(`FeedbackStore conformance (${backend})`, () => {
    let factory: FeedbackStoreFactory | undefined;
    const opened: Array<{ feedback: FeedbackStore; ledger: LedgerStore }> = [];
    async function open(name: string, options?: SqlFeedbackStoreOptions) {
      factory ??= await setup();
      const stores = factory.open(name, options);
      opened.push(stores);
      await stores.ledger.migrate();
      await stores.feedback.migrate();
      await stores.ledger.insert(scoredWorkload());
      return stores;
    }
    afterAll(async () => {
      for (const { feedback, ledger } of opened) {
        await feedback.close();
        await ledger.close();
      }
      await factory?.cleanUp();
    });

    it('finds a request\'s ledger rows by id, newest first with their keys, and nothing for an unknown id', async () => {
      const { feedback } = await open('find');
      expect(await feedback.findRequests('a1')).toEqual([{ id: 'a1', ts: at(0), keyId: 'k1' }]);
      expect(await feedback.findRequests('a4')).toEqual([{ id: 'a4', ts: at(3), keyId: null }]);
      expect(await feedback.findRequests('a2')).toEqual([{ id: 'a2', ts: at(48), keyId: 'k2' }, { id: 'a2', ts: at(1), keyId: 'k1' }]);
      expect(await feedback.findRequests('nope')).toEqual([]);
    });

    it('appends every score, keeps them as history, and the latest per name is the current score', async () => {
      let clock = 1_000;
      let ids = 0;
      const { feedback } = await open('history', { now: () => (clock += 1), newId: () => `fb_${(ids += 1)}` });
      const first = await feedback.add(score('a1', 0, 1, { comment: 'great', scoredBy: 'k1', metadata: { weight: 0.5, nested: { ok: true } } }));
      expect(first).toMatchObject({ id: 'fb_1', createdAt: 1_001, score: 1, comment: 'great' });
      await feedback.add(score('a1', 0, 0.25, { name: 'correct', source: 'reviewer', scoredBy: 'master' }));
      await feedback.add(score('a1', 0, 0, { comment: 'changed my mind' }));
      await feedback.add(score('a2', 1, 1));
      const history = await feedback.history({ id: 'a1', ts: at(0) });
      expect(history).toEqual([
        { id: 'fb_1', requestId: 'a1', requestTs: at(0), name: 'default', score: 1, comment: 'great', source: 'user', scoredBy: 'k1', metadata: { weight: 0.5, nested: { ok: true } }, createdAt: 1_001 },
        { id: 'fb_2', requestId: 'a1', requestTs: at(0), name: 'correct', score: 0.25, comment: null, source: 'reviewer', scoredBy: 'master', metadata: null, createdAt: 1_002 },
        { id: 'fb_3', requestId: 'a1', requestTs: at(0), name: 'default', score: 0, comment: 'changed my mind', source: 'user', scoredBy: null, metadata: null, createdAt: 1_003 },
      ]);
      expect(currentScores(history).map((entry) => [entry.name, entry.score])).toEqual([['default', 0], ['correct', 0.25]]);
    });

    it('keeps the scores of two rows that share a reused id apart', async () => {
      const { feedback } = await open('reused');
      await feedback.add(score('a2', 1, 1));
      await feedback.add(score('a2', 48, 0));
      expect((await feedback.history({ id: 'a2', ts: at(1) })).map((entry) => entry.score)).toEqual([1]);
      expect((await feedback.history({ id: 'a2', ts: at(48) })).map((entry) => entry.score)).toEqual([0]);
    });

    it('sums each request\'s current score per group: count, sum, squares, thumbs and ones', async () => {
      const { feedback } = await open('stats');
      await feedback.add(score('a1', 0, 1));
      await feedback.add(score('a1', 0, 0)); // the update replaces the 1
      await feedback.add(score('a2', 1, 1));
      await feedback.add(score('a2', 1, 0, { name: 'correct' }));
      await feedback.add(score('a3', 2, 1));
      await feedback.add(score('b1', 4, 0.5));
      await feedback.add(score('b2', 5, 0.9));
      await feedback.add(score('a2', 48, 0.2)); // the reused id's later row, served by gpt-4o
      const byModel = await feedback.scoreStats({ by: 'model' });
      const sorted = [...byModel].sort((a, b) => String(a.group).localeCompare(String(b.group)));
      expect(sorted).toEqual([
        { group: 'gpt-4o', group2: null, scored: 3, sum: expect.closeTo(1.6, 12), sumOfSquares: expect.closeTo(1.1, 12), binary: 0, ones: 0 },
        { group: 'gpt-4o-mini', group2: null, scored: 3, sum: 2, sumOfSquares: 2, binary: 3, ones: 2 },
      ]);
      // A time range reads the ledger rows' start: a1 (hour 0) and the reused a2 (hour 48) fall outside.
      const ranged = await feedback.scoreStats({ by: 'model', since: at(1), until: at(6) });
      expect(ranged.find((group) => group.group === 'gpt-4o-mini')).toMatchObject({ scored: 2, ones: 2 });
      expect(ranged.find((group) => group.group === 'gpt-4o')).toMatchObject({ scored: 2, sum: expect.closeTo(1.4, 12) });
      // A named score is its own series.
      expect(await feedback.scoreStats({ by: 'model', name: 'correct' })).toEqual([{ group: 'gpt-4o-mini', group2: null, scored: 1, sum: 0, sumOfSquares: 0, binary: 1, ones: 0 }]);
      // Groups by a second dimension as the ledger report does; keys are raw values.
      const byKey = await feedback.scoreStats({ by: 'model', then: 'key' });
      expect(byKey.filter((group) => group.group === 'gpt-4o-mini').map((group) => [group.group2, group.scored]).sort()).toEqual([['k1', 2], ['k2', 1]]);
    });

    it('migrates again as a no-op, and two stores migrating at once both succeed', async () => {
      const { feedback } = await open('migrate');
      await feedback.add(score('a1', 0, 1));
      const again = factory!.open('migrate');
      opened.push(again);
      const other = factory!.open('migrate');
      opened.push(other);
      await Promise.all([again.feedback.migrate(), other.feedback.migrate()]);
      expect((await again.feedback.history({ id: 'a1', ts: at(0) })).map((entry) => entry.score)).toEqual([1]);
    });
  });
}
