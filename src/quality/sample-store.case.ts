import { afterAll, describe, expect, it } from 'vitest';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { Sample, SampleStore } from './sample-store.js';

export interface SampleStoreFactory {
  /** The sample store and feedback store of the database called `name`: new the first time, the same one after. */
  open(name: string): { samples: SampleStore; feedback: FeedbackStore };
  cleanUp(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;

const sample = (requestId: string, hours: number, extra: Partial<Sample> = {}): Sample => ({
  requestId,
  requestTs: T0 + hours * 3_600_000,
  route: 'auto',
  model: 'gpt-4o-mini',
  task: null,
  keyId: 'key_a',
  requestJson: JSON.stringify([{ role: 'user', content: `question ${requestId}` }]),
  answer: `answer ${requestId} with "quotes", 'apostrophes' and ✓`,
  createdAt: T0 + hours * 3_600_000,
  expiresAt: T0 + 30 * DAY,
  ...extra,
});

/** Every SampleStore passes these, on its own database (SQLite file, PostgreSQL schema). */
export function describeSampleStoreConformance(backend: string, setup: () => Promise<SampleStoreFactory>) {
  describe(`SampleStore conformance (${backend})`, () => {
    let factory: SampleStoreFactory | undefined;
    const opened: Array<{ samples: SampleStore; feedback: FeedbackStore }> = [];
    async function open(name: string) {
      factory ??= await setup();
      const stores = factory.open(name);
      opened.push(stores);
      await stores.samples.migrate();
      return stores;
    }
    afterAll(async () => {
      for (const { samples, feedback } of opened) {
        await samples.close();
        await feedback.close();
      }
      await factory?.cleanUp();
    });

    it('writes a batch and reads each sample back exactly, texts and nulls included', async () => {
      const { samples } = await open('roundtrip');
      const batch = [sample('r1', 0), sample('r2', 1, { requestJson: null, answer: null, keyId: null, model: null, task: 'code' })];
      await samples.insert(batch);
      expect(await samples.get('r1')).toEqual(batch[0]);
      expect(await samples.get('r2')).toEqual(batch[1]);
      expect(await samples.get('nope')).toBeUndefined();
    });

    it('writes a batch larger than one statement holds, every row once', async () => {
      const { samples } = await open('large');
      await samples.insert(Array.from({ length: 123 }, (_, index) => sample(`big-${index}`, index)));
      const listed = await samples.awaitingReview({ limit: 500 });
      expect(listed).toHaveLength(123);
      expect(new Set(listed.map((each) => each.requestId)).size).toBe(123);
      expect(await samples.get('big-122')).toEqual(sample('big-122', 122));
    });

    it('gives the newest sample when an id was reused', async () => {
      const { samples } = await open('reused');
      await samples.insert([sample('r1', 5, { answer: 'newer' }), sample('r1', 0, { answer: 'older' })]);
      expect((await samples.get('r1'))?.answer).toBe('newer');
    });

    it('lists samples awaiting a reviewer, newest first, leaving out those a reviewer scored (not those a judge scored)', async () => {
      const { samples, feedback } = await open('review');
      await samples.insert([sample('r1', 0), sample('r2', 1), sample('r3', 2), sample('r4', 3, { route: 'other' })]);
      const base = { name: 'default', comment: null, scoredBy: null, metadata: null };
      await feedback.add({ ...base, requestId: 'r2', requestTs: T0 + 3_600_000, score: 1, source: 'reviewer' });
      await feedback.add({ ...base, requestId: 'r3', requestTs: T0 + 2 * 3_600_000, score: 0.5, source: 'judge', name: 'judge' });
      expect((await samples.awaitingReview()).map((s) => s.requestId)).toEqual(['r4', 'r3', 'r1']);
      expect((await samples.awaitingReview({ route: 'auto' })).map((s) => s.requestId)).toEqual(['r3', 'r1']);
      expect((await samples.awaitingReview({ limit: 1 })).map((s) => s.requestId)).toEqual(['r4']);
    });

    it('deletes exactly the samples whose retention has ended', async () => {
      const { samples } = await open('retention');
      await samples.insert([sample('old', 0, { expiresAt: T0 + DAY }), sample('new', 1, { expiresAt: T0 + 3 * DAY })]);
      expect(await samples.deleteExpired(T0 + 2 * DAY)).toBe(1);
      expect(await samples.get('old')).toBeUndefined();
      expect(await samples.get('new')).toBeDefined();
      expect(await samples.deleteExpired(T0 + 2 * DAY)).toBe(0);
    });
  });
}
