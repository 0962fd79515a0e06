import { afterAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../keys/sql-client.js';
import { LEARNING_T0, user, writeWorkload, type LearningStores, type WorkloadRequest } from './learning-workload.case.js';
import { createScoredSampleReader } from './scored-sample-reader.js';

export interface ReaderFactory {
  /** The stores and a SqlClient of the database called `name` (new and migrated the first time). */
  open(name: string): Promise<LearningStores & { client: SqlClient }>;
  cleanUp(): Promise<void>;
}

const MINUTE = 60_000;

/** Six requests: two models on one question, a re-scored answer, a judge, a sample without bodies, another route, a shadow. */
const WORKLOAD: WorkloadRequest[] = [
  { id: 'c1', minute: 0, model: 'cheap', route: 'auto', costNanos: 1_000, messages: user('What is 2+2?'), answer: '4', scores: [{ score: 0 }, { score: 1, comment: 'changed my mind' }] },
  { id: 's1', minute: 1, model: 'strong', route: 'strong', costNanos: 20_000, messages: user('What is 2+2?'), answer: 'Four.', scores: [{ score: 1 }, { name: 'judge', score: 0.9, source: 'judge' }] },
  { id: 'c2', minute: 2, model: 'cheap', route: 'auto', costNanos: 1_500, messages: null, answer: null, scores: [{ score: 1 }] },
  {
    id: 'c3',
    minute: 3,
    model: 'cheap',
    route: 'auto',
    costNanos: 1_200,
    messages: [{ role: 'system', content: 'Be brief, "quoted" ✓' }, ...user('Prove it.')],
    answer: 'QED',
    scores: [{ name: 'judge_win', score: 0, source: 'judge', metadata: { mode: 'pairwise', against: 'strong', verdict: 'loss', reference_request_id: 'ref3' } }],
  },
  { id: 'ref3', minute: 3, model: 'strong', route: 'strong', costNanos: 30_000, messages: null, answer: null, unsampled: true },
  {
    id: 'sh1',
    minute: 4,
    model: 'strong',
    route: 'auto',
    costNanos: 25_000,
    messages: null,
    answer: null,
    unsampled: true,
    scores: [{ name: 'judge_win', score: 1, source: 'judge', metadata: { mode: 'shadow', against: 'c1', served_arm: null } }],
  },
  { id: 'late', minute: 60, model: 'cheap', route: 'auto', costNanos: 900, messages: user('Later question'), answer: 'later', scores: [] },
];

/** Every backend reads the same samples, scores and verdicts back from the same workload. */
export function describeScoredSampleReader(backend: string, setup: () => Promise<ReaderFactory>) {
  describe(`scored sample reader (${backend})`, () => {
    let factory: ReaderFactory | undefined;
    const opened: Array<LearningStores & { client: SqlClient }> = [];
    async function open(name: string) {
      factory ??= await setup();
      const stores = await factory.open(name);
      opened.push(stores);
      await writeWorkload(stores, WORKLOAD);
      return { ...stores, reader: createScoredSampleReader(stores.client) };
    }
    afterAll(async () => {
      for (const stores of opened) await Promise.allSettled([stores.ledger.close(), stores.samples.close(), stores.feedback.close(), stores.client.close()]);
      await factory?.cleanUp();
    });

    it('reads samples with bodies oldest first, each with its cost and its current score per name', async () => {
      const { reader } = await open('samples');
      const samples = await reader.samples();
      expect(samples.map((sample) => sample.requestId)).toEqual(['c1', 's1', 'c3', 'late']);
      const [c1, s1, c3] = samples;
      expect(c1).toMatchObject({ route: 'auto', model: 'cheap', answer: '4', costNanos: 1_000, requestTs: LEARNING_T0 });
      expect(JSON.parse(c1.requestJson)).toEqual(user('What is 2+2?'));
      // The update wins over the first thumbs-down; history is not double-counted.
      expect(c1.scores).toEqual([{ name: 'default', score: 1, source: 'user', metadata: null }]);
      expect(s1.scores.map((score) => [score.name, score.score, score.source])).toEqual([
        ['default', 1, 'user'],
        ['judge', 0.9, 'judge'],
      ]);
      expect(c3.scores[0]).toMatchObject({ name: 'judge_win', score: 0, metadata: { against: 'strong', reference_request_id: 'ref3' } });
      expect(JSON.parse(c3.requestJson)[0].content).toBe('Be brief, "quoted" ✓');
    });

    it('filters by route and by time, and keeps the newest when limited', async () => {
      const { reader } = await open('filters');
      expect((await reader.samples({ route: 'strong' })).map((sample) => sample.requestId)).toEqual(['s1']);
      expect((await reader.samples({ since: LEARNING_T0 + 2 * MINUTE, until: LEARNING_T0 + 60 * MINUTE })).map((sample) => sample.requestId)).toEqual(['c3']);
      expect((await reader.samples({ limit: 2 })).map((sample) => sample.requestId)).toEqual(['c3', 'late']);
      await expect(reader.samples({ limit: 0 })).rejects.toThrow(/limit/);
    });

    it("reads a shadow's verdict with the served request it answered, its model and its cost", async () => {
      const { reader } = await open('shadows');
      expect(await reader.shadowVerdicts()).toEqual([{ servedRequestId: 'c1', candidateModel: 'strong', candidateCostNanos: 25_000, score: 1 }]);
      expect(await reader.shadowVerdicts({ since: LEARNING_T0 + 5 * MINUTE })).toEqual([]);
    });

    it('looks up ledger rows by id for reference answers', async () => {
      const { reader } = await open('rows');
      const rows = await reader.ledgerRows(['ref3', 'nope', 'c1', 'ref3']);
      expect([...rows.entries()].sort()).toEqual([
        ['c1', { model: 'cheap', costNanos: 1_000 }],
        ['ref3', { model: 'strong', costNanos: 30_000 }],
      ]);
    });
  });
}
