import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFineTuningJsonl } from '../lab/distill/validate-fine-tuning.js';
import { LEARNING_T0, user, writeWorkload, type WorkloadRequest } from '../lab/scored-samples/learning-workload.case.js';
import { openLearningStores } from '../lab/scored-samples/open-learning-stores.case.js';
import { runExport, type ExportOptions } from './export-command.js';

const judged = (score: number) => [{ name: 'judge', score, source: 'judge' as const }];

/** Six samples: one passes the default bar for the teacher; each other one is left out for a different reason. */
const WORKLOAD: WorkloadRequest[] = [
  { id: 'e1', minute: 0, model: 'teacher', route: 'auto', costNanos: 9_000, messages: [{ role: 'system', content: 'Be brief.' }, ...user('Capital of Italy?')], answer: 'Rome.', scores: judged(0.9) },
  { id: 'e2', minute: 1, model: 'teacher', route: 'auto', costNanos: 9_000, messages: user('Capital of Spain?'), answer: 'Lisbon.', scores: judged(0.5) },
  { id: 'e3', minute: 2, model: 'student', route: 'auto', costNanos: 1_000, messages: user('Capital of Peru?'), answer: 'Lima.', scores: judged(1) },
  { id: 'e4', minute: 3, model: 'teacher', route: 'auto', costNanos: 9_000, messages: user('Capital of Chad?'), answer: "N'Djamena.", scores: [] },
  { id: 'e5', minute: 4, model: 'teacher', route: 'other', costNanos: 9_000, messages: user('Capital of Mali?'), answer: 'Bamako.', scores: judged(1) },
  // A user's thumbs-down outweighs a judge's high grade: every bar score must pass.
  { id: 'e6', minute: 5, model: 'teacher', route: 'auto', costNanos: 9_000, messages: user('Capital of Oman?'), answer: 'Muscat.', scores: [...judged(1), { score: 0 }] },
];

export interface ExportSetup {
  where(name: string): Promise<Pick<ExportOptions, 'dataDir' | 'databaseUrl' | 'schema'>>;
  cleanUp(): Promise<void>;
}

export function describeExportCommand(backend: string, setup: () => Promise<ExportSetup>) {
  describe(`frugal export (${backend})`, () => {
    let parts: ExportSetup;
    let where: Awaited<ReturnType<ExportSetup['where']>>;
    let dir: string;
    beforeAll(async () => {
      parts = await setup();
      dir = await mkdtemp(join(tmpdir(), 'frugal-export-'));
      where = await parts.where('export');
      const stores = await openLearningStores({ dataDir: where.dataDir ?? 'unused', databaseUrl: where.databaseUrl, schema: where.schema });
      try {
        await writeWorkload(stores, WORKLOAD);
      } finally {
        await Promise.allSettled([stores.ledger.close(), stores.samples.close(), stores.feedback.close(), stores.client.close()]);
      }
    });
    afterAll(async () => {
      await parts?.cleanUp();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("writes the teacher's samples that passed the bar as fine-tuning lines the format checks accept, and says what it left out", async () => {
      const out = join(dir, 'train.jsonl');
      const { counts, summary } = await runExport({ ...where, route: 'auto', format: 'chat-jsonl', model: 'teacher', out });
      const text = await readFile(out, 'utf8');
      expect(validateFineTuningJsonl(text)).toEqual({ examples: 1, errors: {}, failingLines: [] });
      expect(text).toBe(`${JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of Italy?' }, { role: 'assistant', content: 'Rome.' }] })}\n`);
      expect(counts).toEqual({ samples: 5, otherModel: 1, unscored: 1, belowBar: 2, notText: 0, duplicate: 0, exported: 1 });
      expect(summary).toBe(`exported 1 of 5 stored samples to ${out} (judge and default ≥ 0.8, answers of teacher); left out: 1 by another model, 1 not scored, 2 below the bar`);
    });

    it('takes another bar, a score name and a time range, and writes to stdout without --out', async () => {
      let stdout = '';
      const { counts } = await runExport({ ...where, route: 'auto', format: 'chat-jsonl', minScore: '0.5', score: 'judge', since: new Date(LEARNING_T0 + 60_000).toISOString() }, (text) => (stdout += text));
      // e2 (0.5), e3 (student), e6 (judge 1; its thumbs-down is not the bar's score now).
      expect(counts.exported).toBe(3);
      expect(stdout.trim().split('\n').map((line) => JSON.parse(line).messages.at(-1).content)).toEqual(['Lisbon.', 'Lima.', 'Muscat.']);
      expect(validateFineTuningJsonl(stdout).errors).toEqual({});
    });

    it('refuses an unknown format or a bar outside 0–1', async () => {
      await expect(runExport({ ...where, route: 'auto', format: 'alpaca' })).rejects.toThrow(/--format must be one of chat-jsonl/);
      await expect(runExport({ ...where, route: 'auto', format: 'chat-jsonl', minScore: '80' })).rejects.toThrow(/--min-score/);
    });
  });
}
