import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user, writeWorkload, type WorkloadRequest } from '../lab/scored-samples/learning-workload.case.js';
import { openLearningStores } from '../lab/scored-samples/open-learning-stores.case.js';
import { linearModelFromJson } from '../routing/classifier/linear-model.js';
import { runTrainFromLedger, type LedgerTrainOptions } from './router-train-from-ledger.js';

/**
 * An eval-like workload: 80 questions, each answered by `mini` (route auto) and `big`, graded `eval`. On invoice
 * questions only big is right; on weather questions both are. The two kinds are the same length, so only the
 * words tell them apart: something the linear router learns and the rules cannot know.
 */
export function invoiceWorkload(): WorkloadRequest[] {
  return Array.from({ length: 80 }, (_, i) => {
    const invoice = i % 2 === 0;
    const question = invoice ? `Reconcile invoice number ${i} against the ledger entries and list each difference.` : `Describe the usual spring weather in the town number ${i} in one short sentence.`;
    const grade = (score: number) => [{ name: 'eval', score, source: 'app' as const, metadata: { eval: 'run1', row: `q${i}` } }];
    return [
      { id: `mini-${i}`, minute: 2 * i, model: 'mini', route: 'auto', costNanos: 1_000 + i, messages: user(question), answer: 'mini says', scores: grade(invoice ? 0 : 1) },
      { id: `big-${i}`, minute: 2 * i + 1, model: 'big', route: 'big', costNanos: 20_000 + i, messages: user(question), answer: 'big says', scores: grade(1) },
    ];
  }).flat();
}

export interface TrainFromLedgerSetup {
  /** Ledger options that reach the database called `name` (created, migrated and filled by the suite). */
  where(name: string): Promise<Pick<LedgerTrainOptions, 'dataDir' | 'databaseUrl' | 'schema'>>;
  cleanUp(): Promise<void>;
}

/** `frugal router train --from-ledger` on the workload, on each backend. */
export function describeTrainFromLedger(backend: string, setup: () => Promise<TrainFromLedgerSetup>) {
  describe(`router train --from-ledger (${backend})`, () => {
    let parts: TrainFromLedgerSetup;
    let dir: string;
    let where: Awaited<ReturnType<TrainFromLedgerSetup['where']>>;
    beforeAll(async () => {
      parts = await setup();
      dir = await mkdtemp(join(tmpdir(), 'frugal-train-ledger-'));
      where = await parts.where('invoices');
      const stores = await openLearningStores({ dataDir: where.dataDir ?? 'unused', databaseUrl: where.databaseUrl, schema: where.schema });
      try {
        await writeWorkload(stores, invoiceWorkload());
      } finally {
        await Promise.allSettled([stores.ledger.close(), stores.samples.close(), stores.feedback.close(), stores.client.close()]);
      }
    });
    afterAll(async () => {
      await parts?.cleanUp();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('labels the pairs, holds out a fifth, says the new model beats the rules, and writes a routing model', async () => {
      const out = join(dir, 'model.json');
      const output = await runTrainFromLedger({ ...where, out, seed: 1, route: 'auto' });
      expect(output).toContain('80 answered by both big (strong, $0.00002004 per answer) and mini (weak, $0.00000104)');
      expect(output).toContain('80 by scores (default > eval > judge), 0 by judges');
      expect(output).toMatch(/labels: strong 40, tie 40/);
      expect(output).toMatch(/held-out accuracy \(stratified 16 of 80, seed 1\)/);
      expect(output).toContain('note: no --config');
      const trained = /\| trained \(held-out fit\) \| (\d\.\d{3}) \|/.exec(output)!;
      const rules = /\| in use: rules \| (\d\.\d{3}) \|/.exec(output)!;
      expect(Number(trained[1])).toBeGreaterThan(Number(rules[1]));
      expect(output).toContain(`verdict: the new model beats the one in use (rules) on the 16 held-out prompts: APGR ${trained[1]} vs ${rules[1]}`);
      const model = linearModelFromJson(await readFile(out, 'utf8'));
      expect([...model.labels].sort()).toEqual(['strong', 'tie']);
    });

    it("compares with the route's configured model file, and keeps the one in use when the new one is no better", async () => {
      const inUse = join(dir, 'in-use.json');
      await runTrainFromLedger({ ...where, out: inUse, seed: 1 });
      const config = join(dir, 'frugal.yaml');
      await writeFile(config, `routes:\n  auto:\n    strategy: classify\n    tasks: {}\n    default: mini\n    classifier: { model_file: ${JSON.stringify(inUse)} }\n`);
      // The file in use was fitted on every prompt, the held-out ones included: the held-out fit cannot do better.
      const output = await runTrainFromLedger({ ...where, config, out: join(dir, 'again.json'), seed: 1, route: 'auto' });
      expect(output).toContain(`| in use: model_file ${inUse} |`);
      expect(output).toMatch(/verdict: the new model does not beat the one in use \(model_file .*\) on the 16 held-out prompts: .*; keep the one in use/);
    });

    it('refuses to train on too little evidence, saying what it found', async () => {
      await expect(runTrainFromLedger({ ...where, out: join(dir, 'x.json'), seed: 1, since: '2000-01-01', scores: 'helpful' })).rejects.toThrow(/no question in the ledger was answered by two models/);
      await expect(runTrainFromLedger({ ...where, out: join(dir, 'x.json'), seed: 1, tieWithin: '2' })).rejects.toThrow(/--tie-within/);
    });
  });
}
