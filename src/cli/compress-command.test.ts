import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCompressCommand } from './compress-command.js';

const TOPICS = ['orchard', 'glacier', 'railway', 'violin', 'harbour', 'volcano', 'library', 'comet', 'desert', 'bakery', 'canal', 'meadow'];

let directory: string;
let nqFile: string;
let kvFile: string;

/** Invented NQ-shaped items: each passage answers its own question and none other's. */
function nqLines(): string {
  return TOPICS.map((topic, index) =>
    JSON.stringify({
      id: `item.${index}`,
      question: `when was the ${topic} museum founded`,
      title: `The ${topic}`,
      context: `The ${topic} museum was founded in ${1800 + index * 7} by a local society. Its collection grew slowly over many decades. ` +
        `Visitors to the ${topic} say the building is cold in winter. The ${topic} guide book has three editions and a map.`,
      answers: [`${1800 + index * 7}`],
    }),
  ).join('\n');
}

function kvLines(): string {
  return [0, 1, 2].map((item) => {
    const pairs = Array.from({ length: 40 }, (_, index) => [`key-${item}-${index}-${(index * 7919).toString(16)}`, `value-${(index * 104729).toString(16)}`]);
    const [key, answer] = pairs[17 + item];
    const context = `{${pairs.map(([k, v]) => `"${k}": "${v}"`).join(',\n ')}}`;
    return JSON.stringify({ id: `kv.${item}`, instruction: 'Extract the value for the key.', context, question: `Key: "${key}"`, answer, key, gold_index: 17 + item, num_pairs: 40 });
  }).join('\n');
}

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerCompressCommand(program);
  let output = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'frugal', 'compress', 'eval', ...args]);
  } finally {
    spy.mockRestore();
  }
  return output;
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'frugal-compress-'));
  nqFile = join(directory, 'nq.jsonl');
  kvFile = join(directory, 'kv.jsonl');
  await writeFile(nqFile, nqLines());
  await writeFile(kvFile, kvLines());
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('frugal compress eval', () => {
  it('reports ratio and retention per method on an NQ-format file, stating the synthetic distractors', async () => {
    const output = JSON.parse(await run(['--data', nqFile, '--distractors', '5', '--seed', '3', '--json']));
    expect(output.cases).toBe(TOPICS.length);
    expect(output.note).toContain('5 random distractor passages');
    expect(output.note).toContain('seed 3');
    const [extractive, lossless] = output.reports;
    expect(extractive.method).toBe('extractive');
    expect(extractive.ratio).toBeGreaterThan(1.8);
    expect(extractive.retention).toBe(1);
    expect(lossless.method).toBe('lossless');
    expect(lossless.retention).toBe(1);
    expect(lossless.tokensAfter).toBeLessThanOrEqual(lossless.tokensBefore);
  });

  it('checks the key/value pair verbatim on a kv-format file, for one method', async () => {
    const output = JSON.parse(await run(['--data', kvFile, '--method', 'extractive', '--ratio', '4', '--json']));
    expect(output.reports).toHaveLength(1);
    expect(output.reports[0]).toMatchObject({ method: 'extractive', cases: 3, compressed: 3, retention: 1 });
    expect(output.reports[0].ratio).toBeGreaterThan(3);
  });

  it('prints a markdown table by default', async () => {
    const output = await run(['--data', nqFile, '--limit', '4']);
    expect(output).toContain('nq.jsonl: 4 cases');
    expect(output).toMatch(/\| extractive \| 4\/4 \|/);
    expect(output).toMatch(/\| lossless \|/);
  });

  it('rejects an unknown method with a coded error', async () => {
    await expect(run(['--data', nqFile, '--method', 'magic'])).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
