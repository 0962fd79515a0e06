import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';
import { runEvalCommand } from './eval-command.js';

let cheap: MockOpenAIServer;
let strong: MockOpenAIServer;
let judge: MockOpenAIServer;
let frugal: TestGateway;
let dir: string;

beforeAll(async () => {
  [cheap, strong, judge] = await Promise.all([startMockOpenAIServer({ name: 'cheapp' }), startMockOpenAIServer({ name: 'strongp' }), startMockOpenAIServer({ name: 'judgep' })]);
  frugal = await startTestGateway({
    providers: {
      cheapp: { kind: 'openai', base_url: cheap.baseUrl },
      strongp: { kind: 'openai', base_url: strong.baseUrl },
      judgep: { kind: 'openai', base_url: judge.baseUrl },
    },
    models: [
      { name: 'cheap', provider: 'cheapp', price: { input: 0.1, output: 0.2 } },
      { name: 'strong', provider: 'strongp', price: { input: 1, output: 2 } },
      { name: 'judge', provider: 'judgep', price: { input: 0.5, output: 1 } },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'frugal-eval-'));
});

afterAll(async () => {
  await frugal?.close();
  await Promise.all([cheap?.close(), strong?.close(), judge?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A prompt whose answer each mock gives (mock directives address a mock by name). */
const ask = (question: string, answers: { cheap: string; strong: string }, extra = '') =>
  `${question} [[mock(cheapp):content=${answers.cheap}]] [[mock(strongp):content=${answers.strong}]]${extra}`;

async function dataFile(name: string, rows: object[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
  return file;
}

const rowsOf = (run: string) => frugal.rows.filter((row) => row.tags.eval === run);

describe('frugal eval against a gateway', () => {
  it('gives the known table with the exact grader, each cost equal to the ledger rows the gateway wrote', async () => {
    const data = await dataFile('exact.jsonl', [
      { id: 'r1', prompt: ask('Six times seven?', { cheap: '42', strong: '#### 42' }), expected: 42 },
      { id: 'r2', prompt: ask('Three plus four?', { cheap: 'It is 8', strong: 'It is 7' }), expected: '7' },
      { id: 'r3', prompt: ask('Capital of France?', { cheap: 'paris.', strong: 'Paris' }), expected: 'Paris' },
      { id: 'r4', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: ask('Five plus five?', { cheap: '10', strong: 'Answer: 10' }) }], expected: '10' },
    ]);
    const { result, output } = await runEvalCommand({ data, candidates: 'strong,cheap', url: frugal.baseUrl, concurrency: '3' });
    const [strongRow, cheapRow] = result.candidates;
    expect(result.baseline).toBe('strong');
    expect(strongRow).toMatchObject({ requests: 4, errors: 0, quality: { scored: 4, mean: 1 } });
    expect(cheapRow).toMatchObject({ requests: 4, errors: 0, wins: 0, ties: 3, losses: 1, quality: { scored: 4, mean: 0.75 } });
    // Paired differences 0, −1, 0, 0: mean −0.25, s = 0.5, t(3) = 3.1824 → upper end +0.546: not worse, and cheaper.
    expect(cheapRow.difference).toMatchObject({ paired: 4, mean: -0.25 });
    expect(cheapRow.difference!.high!).toBeCloseTo(-0.25 + 3.182446305 * 0.25, 6);
    expect(result.pick).toBe('cheap');

    // Every call is a priced ledger row tagged with the run; the table's money is those rows' money.
    await frugal.waitForRows(frugal.rows.length);
    const run = frugal.rows.find((row) => row.tags.feature === 'eval' && row.tags.eval_candidate === 'cheap')!.tags.eval;
    const rows = rowsOf(run);
    expect(rows).toHaveLength(8);
    for (const [candidate, summary] of [['strong', strongRow], ['cheap', cheapRow]] as const) {
      const mine = rows.filter((row) => row.tags.eval_candidate === candidate);
      expect(mine.map((row) => row.servedModel)).toEqual([candidate, candidate, candidate, candidate]);
      expect(summary.costNanos).toBe(mine.reduce((sum, row) => sum + row.costNanos, 0));
      expect(summary.costNanos).toBeGreaterThan(0);
    }
    expect(output.split('\n')[2]).toMatch(/^strong \(baseline\)\s+4\s+0\s/);
    expect(output).toContain(`cheap is ${(100 * (1 - cheapRow.costPerRequestNanos / strongRow.costPerRequestNanos)).toFixed(0)} % cheaper than strong; quality difference −0.25 ± 0.80, not significantly worse after 4 paired prompts`);
  });

  it('judges pairwise against the baseline when rows have no expected answer, the judge\'s calls counted as overhead', async () => {
    // The judge always says "A": the candidate on even rows, the baseline on odd rows (the order alternates).
    const verdict = ' [[mock(judgep):content={"winner":"A"}]]';
    const data = await dataFile('judge.jsonl', [0, 1, 2, 3].map((i) => ({ id: `j${i}`, prompt: ask(`Question ${i}?`, { cheap: `cheap ${i}`, strong: `strong ${i}` }, verdict) })));
    const { result } = await runEvalCommand({ data, candidates: 'strong,cheap', grader: 'judge:judge', url: frugal.baseUrl, json: true });
    const cheapRow = result.candidates[1];
    expect(cheapRow).toMatchObject({ wins: 2, ties: 0, losses: 2, quality: { scored: 4, mean: 0.5 } });
    expect(result.candidates[0].quality).toMatchObject({ scored: 4, mean: 0.5 });
    expect(result.judgeCalls).toBe(4);
    await frugal.waitForRows(frugal.rows.length);
    const run = frugal.rows.find((row) => row.tags.eval_role === 'judge' && row.tags.eval !== undefined && rowsOf(row.tags.eval).length === 12)!.tags.eval;
    const judged = rowsOf(run).filter((row) => row.tags.eval_role === 'judge');
    expect(judged.map((row) => row.servedModel)).toEqual(['judge', 'judge', 'judge', 'judge']);
    expect(result.judgeNanos).toBe(judged.reduce((sum, row) => sum + row.costNanos, 0));
    expect(result.spentNanos).toBe(rowsOf(run).reduce((sum, row) => sum + row.costNanos, 0));
  });

  it('stops before --max-usd is spent: the gateway refuses a call that could pass its share, and the rest are not run', async () => {
    // Long prompts make each strong call cost about $0.0005 and its worst case (prompt bytes + max_tokens) about $0.0022.
    const filler = 'lorem ipsum dolor sit amet '.repeat(70);
    const data = await dataFile('budget.jsonl', Array.from({ length: 12 }, (_, i) => ({ id: `b${i}`, prompt: ask(`${filler} ${i}?`, { cheap: `${i}`, strong: `${i}` }), expected: String(i) })));
    const { result, output } = await runEvalCommand({ data, candidates: 'strong,cheap', url: frugal.baseUrl, maxUsd: '0.005', maxTokens: '100', concurrency: '2' });
    expect(result.skipped).toBeGreaterThan(0);
    expect(result.candidates[0].requests + result.candidates[1].requests).toBeGreaterThan(0);
    expect(result.spentNanos).toBeLessThanOrEqual(5_000_000);
    await frugal.waitForRows(frugal.rows.length);
    const run = frugal.rows.find((row) => row.tags.eval_candidate !== undefined && rowsOf(row.tags.eval).some((r) => r.errorCode === 'cost_ceiling_exceeded'))!.tags.eval;
    const okRows = rowsOf(run).filter((row) => row.status === 'ok');
    expect(okRows.reduce((sum, row) => sum + row.costNanos, 0)).toBe(result.spentNanos);
    expect(output).toContain('calls not run: --max-usd reached');
  });

  it('refuses bad options and rows with a clear message', async () => {
    const data = await dataFile('bad.jsonl', [{ id: 'x' }]);
    await expect(runEvalCommand({ data, candidates: 'strong', url: frugal.baseUrl })).rejects.toThrow(/bad\.jsonl:1: give "prompt" \(a string\) or "messages"/);
    const good = await dataFile('good.jsonl', [{ prompt: 'hi', expected: 'x' }]);
    await expect(runEvalCommand({ data: good, candidates: 'strong', grader: 'vibes', url: frugal.baseUrl })).rejects.toThrow(/grader must be exact, regex, json_schema or judge:MODEL/);
    await expect(runEvalCommand({ data: good, candidates: 'strong', maxUsd: '-1', url: frugal.baseUrl })).rejects.toThrow(/--max-usd/);
    await expect(runEvalCommand({ data: good, candidates: 'strong,strong', url: frugal.baseUrl })).rejects.toThrow(/appears twice/);
  });
});
