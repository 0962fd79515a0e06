import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { linearModelFromJson } from '../routing/classifier/linear-model.js';
import { registerRouterCommand } from './router-command.js';

const STRONG = 'gpt-4-1106-preview';
const WEAK = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
const TOPICS = ['apples', 'rivers', 'trains', 'music', 'gardens', 'coffee', 'chess', 'clouds', 'bridges', 'islands'];

let directory: string;

/** Prompts about "quantum" topics need the strong model; the others both models answer. Learnable from words. */
function routingFile(): string {
  const lines: string[] = [];
  for (let index = 0; index < 80; index += 1) {
    const hard = index % 4 === 0;
    const topic = TOPICS[index % TOPICS.length];
    const prompt = hard ? `Explain quantum entanglement of ${topic} number ${index}` : `Tell me a fact about ${topic} number ${index}`;
    lines.push(JSON.stringify({ id: `row.${index}`, prompt, outcomes: { [STRONG]: 1, [WEAK]: hard ? 0 : 1 } }));
  }
  return `${lines.join('\n')}\n`;
}

/** RouterBench shape: the tiny model fails "proof" prompts, which only GPT-4 gets right; other prompts all get right. */
function multiModelFile(): string {
  const lines: string[] = [];
  for (let index = 0; index < 60; index += 1) {
    const hard = index % 3 === 0;
    const topic = TOPICS[index % TOPICS.length];
    const prompt = hard ? `Prove the theorem about ${topic} ${index}` : `Name a colour of ${topic} ${index}`;
    const models = {
      [STRONG]: { correct: 1, response: '', cost_usd: 0.01 },
      'mistralai/mixtral-8x7b-chat': { correct: hard ? 0 : 1, response: '', cost_usd: 0.0005 },
      tiny: { correct: hard ? 0 : 1, response: hard ? '' : 'Red', cost_usd: 0.0001 },
    };
    lines.push(JSON.stringify({ id: `mm.${index}`, dataset: 'synthetic', prompt, models }));
  }
  return `${lines.join('\n')}\n`;
}

function labeledFile(): string {
  const lines: string[] = [];
  TOPICS.forEach((topic) => {
    lines.push(JSON.stringify({ prompt: `Translate into French: I like ${topic}`, label: 'translate' }));
    lines.push(JSON.stringify({ prompt: `Summarize this article about ${topic} in two lines`, label: 'summarize' }));
    lines.push(JSON.stringify({ messages: [{ role: 'user', content: `Write a Python function that sorts ${topic}` }], label: 'code' }));
  });
  return `${lines.join('\n')}\n`;
}

async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerRouterCommand(program);
  let output = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'frugal', 'router', ...args]);
  } finally {
    spy.mockRestore();
  }
  return output;
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'frugal-router-cli-'));
  await writeFile(join(directory, 'routing.jsonl'), routingFile());
  await writeFile(join(directory, 'labeled.jsonl'), labeledFile());
  await writeFile(join(directory, 'multi.jsonl'), multiModelFile());
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('frugal router train', () => {
  it('fits a task classifier, prints held-out accuracy and a confusion matrix, and writes a loadable model', async () => {
    const out = join(directory, 'tasks.json');
    const output = await run('train', join(directory, 'labeled.jsonl'), '--out', out, '--seed', '3', '--epochs', '20');
    expect(output).toMatch(/held-out accuracy \(stratified 6 of 30, seed 3\): 100\.0%/);
    expect(output).toMatch(/true \\ predicted\s+code\s+summarize\s+translate/);
    const model = linearModelFromJson(await readFile(out, 'utf8'));
    expect(model.labels).toEqual(['code', 'summarize', 'translate']);
  });

  it('trains a routing model (strong wins / weak wins / tie) from an outcomes file', async () => {
    const out = join(directory, 'routing-model.json');
    const output = await run('train', join(directory, 'routing.jsonl'), '--out', out, '--epochs', '20');
    expect(output).toContain('labels: strong, tie');
    expect(output).toContain('assumption: cost: price-ratio model');
    // A perfect ranking: the 25% that need the strong model first, PGR 1 from there on → APGR 0.125 + 0.75.
    expect(output).toContain('| linear (held-out) | 0.875 | 12.5% | 20.0% |');
    expect(linearModelFromJson(await readFile(out, 'utf8')).labels).toEqual(['strong', 'tie']);
  });
});

describe('frugal router eval', () => {
  it('prints every router next to the random, length and oracle baselines', async () => {
    const output = await run('eval', '--data', join(directory, 'routing.jsonl'), '--router', 'rules,random', '--folds', '3');
    for (const name of ['rules (complexity)', 'random (seed 1)', 'random (expected)', 'length', 'oracle']) expect(output).toContain(`| ${name} |`);
    expect(output).toContain('| random (expected) | 0.500 | 50.0% | 80.0% |');
  });

  it('gives cross-validated linear numbers as JSON', async () => {
    const output = await run('eval', '--data', join(directory, 'routing.jsonl'), '--router', 'linear', '--folds', '4', '--json');
    const result = JSON.parse(output) as { prompts: number; reports: Array<{ router: string; apgr: number; atTarget: { costCut: number } }> };
    expect(result.prompts).toBe(80);
    const linear = result.reports.find((report) => report.router === 'linear (4-fold CV)');
    const random = result.reports.find((report) => report.router === 'random (expected)');
    const oracle = result.reports.find((report) => report.router === 'oracle');
    // The words separate the classes, so held-out routing matches the oracle and clearly beats random.
    expect(linear?.apgr).toBeCloseTo(oracle?.apgr ?? 0, 3);
    expect(linear?.atTarget.costCut).toBeGreaterThan((random?.atTarget.costCut ?? 1) + 0.3);
  });

  it('scores with a trained model file instead of cross-validating', async () => {
    const out = join(directory, 'for-eval.json');
    await run('train', join(directory, 'routing.jsonl'), '--out', out, '--epochs', '20');
    const output = await run('eval', '--data', join(directory, 'routing.jsonl'), '--router', 'linear', '--model', out);
    expect(output).toContain('| linear (model file) |');
    expect(output).not.toContain('fold CV');
  });

  it('routes over every model of a RouterBench-format file with --multi', async () => {
    const output = await run('eval', '--data', join(directory, 'multi.jsonl'), '--multi', '--folds', '3', '--json');
    const report = JSON.parse(output) as { referenceCost: number; oracle: { quality: number; cost: number }; router: { atTarget: { costCut: number } } };
    // Oracle: 20 proofs on GPT-4 ($0.01) and 40 prompts on tiny ($0.0001) = $0.204 of always-GPT-4's $0.60.
    expect(report.referenceCost).toBe(600_000_000);
    expect(report.oracle).toEqual({ quality: 1, cost: 204_000_000 });
    expect(report.router.atTarget.costCut).toBeGreaterThan(0.5);
    const table = await run('eval', '--data', join(directory, 'multi.jsonl'), '--multi', '--folds', '3');
    expect(table).toContain('| oracle (cheapest right model) | 100.0% | $0.204 | 66.0% |');
  });

  it('rejects an unknown router with a coded error', async () => {
    await expect(run('eval', '--data', join(directory, 'routing.jsonl'), '--router', 'magic')).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('frugal router eval --route', () => {
  it('replays a configured cascade over recorded answers, with the file\'s real costs', async () => {
    const config = join(directory, 'cascade.yaml');
    await writeFile(config, `routes:\n  safe:\n    strategy: cascade\n    tiers: [cheap, ${STRONG}]\n    checks: [non_empty]\n`);
    const output = await run('eval', '--data', join(directory, 'multi.jsonl'), '--route', 'safe', '--config', config, '--as', 'cheap=tiny', '--json');
    const report = JSON.parse(output);
    // 40 easy rows answered "Red" by tiny; the 20 hard ones are empty and escalate: tiny on every row + GPT-4 on 20.
    expect(report.configured.quality).toBe(1);
    expect(report.configured.escalationRate).toBeCloseTo(20 / 60, 12);
    expect(report.configured.costCut).toBeCloseTo(1 - (60 * 0.0001 + 20 * 0.01) / (60 * 0.01), 9);
    expect(report.paths.map((path: { path: string }) => path.path).sort()).toEqual(['safe>cascade:cheap(fail:non_empty)>gpt-4-1106-preview', 'safe>cascade>tiny']);
    expect(report.baselines.map((baseline: { router: string }) => baseline.router)).toEqual(['random (expected)', 'length', 'oracle']);
  });

  it('uses a trained routing model\'s score as the complexity of a classify route', async () => {
    const model = join(directory, 'replay-model.json');
    await run('train', join(directory, 'routing.jsonl'), '--out', model, '--epochs', '20');
    const config = join(directory, 'trained.yaml');
    await writeFile(config, `routes:\n  auto:\n    strategy: classify\n    classifier: { model_file: ${model} }\n    tasks: {}\n    default: ${WEAK}\n    complex: { threshold: 0.75, target: ${STRONG} }\n`);
    const text = await run('eval', '--data', join(directory, 'routing.jsonl'), '--route', 'auto', '--config', config);
    expect(text).toContain('@95% of strong quality: reached');
    const report = JSON.parse(await run('eval', '--data', join(directory, 'routing.jsonl'), '--route', 'auto', '--config', config, '--json'));
    // The "quantum" quarter goes to the strong model, the rest to the weak one, which gets them right.
    expect(report.configured.strongCallShare).toBe(0.25);
    expect(report.configured.quality).toBe(1);
    expect(report.sweep.length).toBeGreaterThan(1);
  });

  it('asks for the config that defines the route', async () => {
    const saved = process.env.FRUGAL_CONFIG;
    delete process.env.FRUGAL_CONFIG;
    try {
      await expect(run('eval', '--data', join(directory, 'routing.jsonl'), '--route', 'auto')).rejects.toMatchObject({ code: 'invalid_request', param: 'config' });
    } finally {
      if (saved !== undefined) process.env.FRUGAL_CONFIG = saved;
    }
  });
});
