import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { linearModelFromJson } from '../routing/classifier/linear-model.js';
import { startMockOpenAIServer } from '../testing/mock-openai-server.js';
import { killLeftovers, startServe } from '../testing/serve-child.js';
import { runEvalCommand } from './eval-command.js';
import { runTrainFromLedger } from './router-train-from-ledger.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  vi.unstubAllEnvs();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the learning loop through frugal serve', { timeout: 90_000 }, () => {
  it('keeps each eval grade on its answer, and router train --from-ledger learns the run as strong / weak / tie outcomes', async () => {
    const [cheap, strong] = await Promise.all([startMockOpenAIServer({ name: 'cheapp' }), startMockOpenAIServer({ name: 'strongp' })]);
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-learning-loop-'));
    dirs.push(dataDir);
    // Both candidates sampled with their bodies: the eval's questions are stored, so the two answers meet by question.
    const served = await startServe(dataDir, `
providers:
  cheapp: { kind: openai, base_url: "${cheap.baseUrl}" }
  strongp: { kind: openai, base_url: "${strong.baseUrl}" }
models:
  - { name: mini, provider: cheapp, price: { input: 0.1, output: 0.2 } }
  - { name: big, provider: strongp, price: { input: 2, output: 8 } }
ledger: { data_dir: "${dataDir}" }
quality:
  routes:
    mini: { sample: 1 }
    big: { sample: 1 }
`);
    let gradesStored: number;
    try {
      // On invoice questions only big answers right; on weather questions both do.
      const rows = Array.from({ length: 30 }, (_, i) => {
        const invoice = i % 2 === 0;
        const question = invoice ? `Reconcile invoice ${i} with the ledger and give the total.` : `Give the usual spring weather of town ${i} in a word.`;
        const right = invoice ? `${1000 + i}` : 'mild';
        return { id: `q${i}`, prompt: `${question} [[mock(cheapp):content=${invoice ? 'unsure' : right}]] [[mock(strongp):content=${right}]]`, expected: right };
      });
      const data = join(dataDir, 'bakeoff.jsonl');
      await writeFile(data, rows.map((row) => JSON.stringify(row)).join('\n'));
      const { result, output } = await runEvalCommand({ data, candidates: 'big,mini', url: `${served.baseUrl}/v1`, concurrency: '4' });
      expect(result.candidates.map((row) => [row.candidate, row.quality.mean])).toEqual([
        ['big', 1],
        ['mini', 0.5],
      ]);
      gradesStored = result.gradesStored;
      expect([result.gradesStored, result.gradesNotStored]).toEqual([60, 0]);
      expect(output).not.toContain('grades not kept');
      served.child.kill('SIGTERM');
      expect((await served.exited).code).toBe(0);
    } finally {
      await Promise.all([cheap.close(), strong.close()]);
    }

    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('FRUGAL_CONFIG', '');
    const out = join(dataDir, 'router.json');
    const report = await runTrainFromLedger({ dataDir, out, seed: 1, route: 'mini', scores: 'eval' });
    expect(gradesStored).toBe(60);
    expect(report).toContain('60 samples; 30 questions asked on mini');
    expect(report).toMatch(/30 answered by both big \(strong, \$[\d.]+ per answer\) and mini \(weak, \$[\d.]+\): 30 by scores \(eval\)/);
    expect(report).toContain('labels: strong 15, tie 15');
    expect(report).toMatch(/verdict: the new model (beats|does not beat) the one in use \(rules\) on the 6 held-out prompts/);
    expect(linearModelFromJson(await readFile(out, 'utf8')).labels).toContain('strong');
  });
});
