import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { embedderFromOptions, formatCacheEval, registerCacheCommand, runCacheEval } from './cache-command.js';

let folder: string;
let pairsFile: string;
let contextFile: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'frugal-cache-eval-'));
  pairsFile = join(folder, 'pairs.jsonl');
  contextFile = join(folder, 'ctx.jsonl');
  await writeFile(
    pairsFile,
    [
      { id: '1', a: 'How do I reset my password?', b: 'how do I reset my password', duplicate: true },
      { id: '2', a: 'What is the capital of France?', b: 'How tall is Mount Everest?', duplicate: false },
      { id: '3', a: 'What is the best way to learn Python?', b: 'How should a beginner start with Python programming?', duplicate: true },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n'),
  );
  const context = [{ role: 'user', content: 'What is the capital of France?' }, { role: 'assistant', content: 'Paris.' }];
  await writeFile(
    contextFile,
    JSON.stringify({ id: 'c', kind: 'followup-other-context', cached: { context, query: 'And its population?', response: '2.1M' }, lookup: { context: [], query: 'And its population?' }, should_hit: false }),
  );
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('frugal cache eval', () => {
  it('reports precision and recall per pair file and rates per kind for contextual files', async () => {
    const results = await runCacheEval({ pairs: [pairsFile, contextFile], embedder: 'offline', threshold: '0.95' });
    expect(results[0]).toMatchObject({ file: 'pairs.jsonl', kind: 'pairs', labelRule: 'duplicate', evaluation: { pairs: 3, positives: 2, truePositives: 1, falsePositives: 0 } });
    expect(results[1]).toMatchObject({ file: 'ctx.jsonl', kind: 'contextual', evaluation: { falseHitRate: 0 } });
    const text = formatCacheEval(results, 'offline');
    expect(text).toContain('pairs.jsonl');
    expect(text).toMatch(/followup-other-context\s+no\s+1\s+0\s+0\.000/);
  });

  it('uses the embedder’s measured threshold by default', async () => {
    const [result] = await runCacheEval({ pairs: [pairsFile], embedder: 'offline' });
    expect(result.evaluation.threshold).toBe(embedderFromOptions({ pairs: [], embedder: 'offline' }).suggestedThreshold);
  });

  it('rejects a bad threshold or embedder with invalid_request', async () => {
    await expect(runCacheEval({ pairs: [pairsFile], embedder: 'offline', threshold: '2' })).rejects.toThrow(FrugalError);
    expect(() => embedderFromOptions({ pairs: [], embedder: 'word2vec' })).toThrow(FrugalError);
    expect(() => embedderFromOptions({ pairs: [], embedder: 'openai', embeddingModel: 'm' })).toThrow(/--embedding-base-url/);
  });

  it('is registered as `cache eval` and prints JSON with --json', async () => {
    const program = new Command().exitOverride();
    registerCacheCommand(program);
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      await program.parseAsync(['node', 'frugal', 'cache', 'eval', '--pairs', pairsFile, '--threshold', '0.9', '--json']);
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(written.join(''));
    expect(report.embedder).toMatch(/^frugal-offline-hash-v1:/);
    expect(report.results[0]).toMatchObject({ kind: 'pairs', evaluation: { threshold: 0.9, pairs: 3 } });
  });
});
