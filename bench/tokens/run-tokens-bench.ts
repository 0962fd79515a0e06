/**
 * Prompt-compression benchmark: compression ratio and answer retention on the development sets in
 * shared/data/compression, and the latency extractive compression adds at 8k tokens of context.
 *
 *   node --import tsx bench/tokens/run-tokens-bench.ts [--data DIR] [--iterations 400] [--only quality|latency]
 *
 * Prints markdown tables. Speed is measured here, never asserted in tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nqPrompt, type NqRow } from '../../src/lab/compress-eval/compress-eval-cases.js';
import { formatEvalTable, loadEvalSet, runCompressEval, type LoadEvalOptions } from '../../src/lab/compress-eval/compress-eval.js';
import { compressExtractiveSync } from '../../src/compress/extractive-compressor.js';
import type { ChatMessage } from '../../src/wire/chat-types.js';
import { countPromptTokens } from '../../src/tokens/count-tokens.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: join(import.meta.dirname, '../../../shared/data') },
    iterations: { type: 'string', default: '400' },
    'context-tokens': { type: 'string', default: '8000' },
    only: { type: 'string' },
  },
});
const dataDir = values.data!;
const iterations = Number(values.iterations);
const contextTokens = Number(values['context-tokens']);

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

async function qualityTables() {
  const base: LoadEvalOptions = { distractors: 9, distractorMode: 'random', seed: 1 };
  const runs: Array<{ file: string; options: LoadEvalOptions }> = [
    { file: 'compression/nq-dev.jsonl', options: base },
    { file: 'compression/nq-dev.jsonl', options: { ...base, distractorMode: 'similar' } },
    { file: 'compression/kv-75.jsonl', options: base },
    { file: 'compression/gsm8k-8shot-prompt.json', options: { ...base, questionsFile: join(dataDir, 'routing/routellm-gsm8k.jsonl'), limit: 300 } },
  ];
  console.log('## Compression quality (target ratio 2)\n');
  for (const run of runs) {
    const set = await loadEvalSet(join(dataDir, run.file), run.options);
    const reports = (['extractive', 'lossless'] as const).map((method) => runCompressEval(set.cases, { method, ratio: 2 }));
    console.log(`${formatEvalTable(set, reports)}\n`);
  }
}

async function ratioSweep() {
  console.log('## Extractive compression at other targets (nq-dev, 9 distractors, seed 1)\n');
  console.log('| distractors | target | achieved ratio | retention |');
  console.log('|---|---:|---:|---:|');
  for (const distractorMode of ['random', 'similar'] as const) {
    const set = await loadEvalSet(join(dataDir, 'compression/nq-dev.jsonl'), { distractors: 9, distractorMode, seed: 1 });
    for (const ratio of [1.5, 2, 3, 4]) {
      const report = runCompressEval(set.cases, { method: 'extractive', ratio });
      console.log(`| ${distractorMode} | ${ratio}× | ${report.ratio.toFixed(2)}× | ${(report.retention * 100).toFixed(1)}% |`);
    }
  }
  console.log('');
}

/** Distinct ~8k-token NQ-style prompts (gold passage + enough others), so tokeniser caches do not flatter us. */
function latencyPrompts(rows: readonly NqRow[], count: number): ChatMessage[][] {
  const prompts: ChatMessage[][] = [];
  let cursor = 0;
  for (let index = 0; index < count; index += 1) {
    const documents: NqRow[] = [];
    let tokens = 0;
    while (tokens < contextTokens) {
      const row = rows[cursor % rows.length];
      cursor += 1;
      documents.push(row);
      tokens += Math.round((row.title.length + row.context.length) / 4.4);
    }
    const asked = documents[Math.floor(documents.length / 2)];
    prompts.push([{ role: 'user', content: nqPrompt(documents, asked.question) }]);
  }
  return prompts;
}

function latencyTable() {
  const rows = readFileSync(join(dataDir, 'compression/nq-dev.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as NqRow);
  const prompts = latencyPrompts(rows, iterations);
  const warmup = latencyPrompts(rows.slice().reverse(), 50);
  for (const prompt of warmup) compressExtractiveSync(prompt, { minPromptTokens: 0, targetRatio: 2 });

  const compressMs: number[] = [];
  const countMs: number[] = [];
  let realTokens = 0;
  let worstDrift = 0;
  for (const prompt of prompts) {
    let started = performance.now();
    const result = compressExtractiveSync(prompt, { minPromptTokens: 0, targetRatio: 2 });
    compressMs.push(performance.now() - started);
    started = performance.now();
    const before = countPromptTokens(prompt);
    countMs.push(performance.now() - started);
    realTokens += before;
    const after = countPromptTokens(result.messages);
    worstDrift = Math.max(worstDrift, Math.abs(result.tokensAfter - after) / after, Math.abs(result.tokensBefore - before) / before);
  }
  compressMs.sort((a, b) => a - b);
  countMs.sort((a, b) => a - b);
  console.log(`## Added latency of extractive compression (${prompts.length} distinct prompts, mean ${Math.round(realTokens / prompts.length)} tokens)\n`);
  console.log('| measure | p50 ms | p99 ms |');
  console.log('|---|---:|---:|');
  console.log(`| compressExtractiveSync, ratio 2 | ${percentile(compressMs, 0.5).toFixed(2)} | ${percentile(compressMs, 0.99).toFixed(2)} |`);
  console.log(`| for scale: one gpt-tokenizer count of the whole prompt | ${percentile(countMs, 0.5).toFixed(2)} | ${percentile(countMs, 0.99).toFixed(2)} |`);
  console.log(`\nWorst drift of the compressor's own token counts (summed per unit) from a whole-prompt count: ${(worstDrift * 100).toFixed(2)}%`);
}

if (values.only !== 'latency') {
  await qualityTables();
  await ratioSweep();
}
if (values.only !== 'quality') latencyTable();
