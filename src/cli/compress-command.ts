import type { Command } from 'commander';
import type { DistractorMode } from '../lab/compress-eval/compress-eval-cases.js';
import { formatEvalTable, loadEvalSet, runCompressEval, type EvalMethod } from '../lab/compress-eval/compress-eval.js';
import { FrugalError } from '../errors/frugal-error.js';
import { commandProgress } from './progress-reporter.js';

/** `frugal compress eval`: compression ratio and answer retention of each method on a development file. */

const METHODS: readonly EvalMethod[] = ['extractive', 'lossless'];
const DISTRACTOR_MODES: readonly DistractorMode[] = ['random', 'similar'];

interface EvalOptions {
  data: string;
  ratio: number;
  method?: EvalMethod;
  distractors: number;
  distractorMode: DistractorMode;
  seed: number;
  limit?: number;
  questions?: string;
  json?: boolean;
}

function integerOption(name: string, minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum) throw new FrugalError('invalid_request', `--${name} must be an integer ≥ ${minimum}, got "${value}"`);
    return parsed;
  };
}

function ratioOption(value: string): number {
  const parsed = Number(value);
  if (!(parsed >= 1)) throw new FrugalError('invalid_request', `--ratio must be a number ≥ 1, got "${value}"`);
  return parsed;
}

function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new FrugalError('invalid_request', `--${name} must be one of ${choices.join(', ')}, got "${value}"`);
    return value as T;
  };
}

export async function runCompressEvalCommand(options: EvalOptions, write: (text: string) => void): Promise<void> {
  const set = await loadEvalSet(options.data, {
    distractors: options.distractors,
    distractorMode: options.distractorMode,
    seed: options.seed,
    limit: options.limit,
    questionsFile: options.questions,
  });
  const methods = options.method === undefined ? METHODS : [options.method];
  const progress = commandProgress('compress eval', options);
  let reports;
  try {
    reports = methods.map((method) => runCompressEval(set.cases, { method, ratio: options.ratio, onProgress: progress.onProgress }));
  } finally {
    progress.finish();
  }
  if (options.json) {
    write(`${JSON.stringify({ data: set.name, cases: set.cases.length, note: set.note ?? null, targetRatio: options.ratio, reports }, null, 2)}\n`);
    return;
  }
  write(`${formatEvalTable(set, reports)}\n`);
}

/**
 * @example
 * registerCompressCommand(program); // frugal compress eval --data ../shared/data/compression/nq-dev.jsonl --ratio 2
 */
export function registerCompressCommand(program: Command): void {
  const compress = program.command('compress').description('Measure prompt compression offline.');
  compress
    .command('eval')
    .description('Compression ratio and answer retention per method on nq-dev, kv-75 or the gsm8k few-shot prompt.')
    .requiredOption('--data <file>', 'a file in the format of shared/data/compression (nq-dev.jsonl, kv-75.jsonl, gsm8k-8shot-prompt.json)')
    .option('--ratio <x>', 'target ratio (tokens before / after) for the extractive method', ratioOption, 2)
    .option('--method <name>', `one method only: ${METHODS.join(' or ')} (default: both)`, choiceOption('method', METHODS))
    .option('--distractors <n>', 'nq: other items\' passages added around the gold passage (synthetic long context)', integerOption('distractors', 0), 9)
    .option('--distractor-mode <mode>', `nq: ${DISTRACTOR_MODES.join(' or ')} (the passages most similar to the question by BM25)`, choiceOption('distractor-mode', DISTRACTOR_MODES), 'random')
    .option('--seed <n>', 'nq: seed for the distractors and the gold position', integerOption('seed', 0), 1)
    .option('--limit <n>', 'evaluate only the first N items', integerOption('limit', 1))
    .option('--questions <file>', 'gsm8k: JSON Lines test questions (prompt or question field), e.g. routing/routellm-gsm8k.jsonl')
    .option('--json', 'print JSON')
    .action(async (options: EvalOptions) => runCompressEvalCommand(options, (text) => process.stdout.write(text)));
}
