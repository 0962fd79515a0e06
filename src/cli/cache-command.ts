import { basename } from 'node:path';
import type { Command } from 'commander';
import { evaluateContextual, evaluatePairs, type ContextualEvaluation, type PairEvaluation } from '../lab/cache-eval/cache-eval.js';
import { readEvalFile } from '../lab/cache-eval/pair-files.js';
import type { Embedder } from '../cache/semantic/embedder.js';
import { createOfflineEmbedder } from '../cache/semantic/offline-embedder.js';
import { createOpenAIEmbedder } from '../cache/semantic/openai-embedder.js';
import { DEFAULT_SEMANTIC_THRESHOLD } from '../cache/semantic/semantic-cache.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { OnProgress } from '../lab/progress.js';
import { commandProgress } from './progress-reporter.js';

export interface CacheEvalOptions {
  pairs: string[];
  threshold?: string;
  json?: boolean;
  embedder: string;
  embeddingBaseUrl?: string;
  embeddingModel?: string;
  embeddingDimensions?: string;
}

export type CacheEvalResult =
  | { file: string; kind: 'pairs'; labelRule: string; evaluation: PairEvaluation }
  | { file: string; kind: 'contextual'; evaluation: ContextualEvaluation };

/** The embedder the command measures: offline by default, or any OpenAI-compatible endpoint (key from $FRUGAL_EMBEDDING_API_KEY). */
export function embedderFromOptions(options: CacheEvalOptions, env: NodeJS.ProcessEnv = process.env): Embedder {
  if (options.embedder === 'offline') return createOfflineEmbedder();
  if (options.embedder !== 'openai') throw new FrugalError('invalid_request', `Unknown embedder '${options.embedder}': use offline or openai.`);
  const dimensions = Number(options.embeddingDimensions);
  if (!options.embeddingBaseUrl || !options.embeddingModel || !Number.isInteger(dimensions) || dimensions <= 0) {
    throw new FrugalError('invalid_request', 'The openai embedder needs --embedding-base-url, --embedding-model and --embedding-dimensions.');
  }
  return createOpenAIEmbedder({ baseUrl: options.embeddingBaseUrl, model: options.embeddingModel, dimensions, apiKey: env.FRUGAL_EMBEDDING_API_KEY });
}

function parseThreshold(value: string | undefined, embedder: Embedder): number {
  if (value === undefined) return embedder.suggestedThreshold ?? DEFAULT_SEMANTIC_THRESHOLD;
  const threshold = Number(value);
  if (!(threshold > 0 && threshold <= 1)) throw new FrugalError('invalid_request', `--threshold must be in (0, 1], got '${value}'.`);
  return threshold;
}

export async function runCacheEval(options: CacheEvalOptions, embedder = embedderFromOptions(options), onProgress?: OnProgress): Promise<CacheEvalResult[]> {
  const threshold = parseThreshold(options.threshold, embedder);
  const results: CacheEvalResult[] = [];
  for (const path of options.pairs) {
    const file = await readEvalFile(path);
    const name = basename(path);
    const ofFile: OnProgress | undefined = onProgress && ((progress) => onProgress({ ...progress, stage: `${name}, ${progress.stage}` }));
    if (file.kind === 'pairs') results.push({ file: name, kind: 'pairs', labelRule: file.labelRule, evaluation: await evaluatePairs(file.pairs, embedder, threshold, undefined, ofFile) });
    else results.push({ file: name, kind: 'contextual', evaluation: await evaluateContextual(file.cases, embedder, threshold, ofFile) });
  }
  return results;
}

const fixed = (value: number | null, digits = 3) => (value === null ? '-' : value.toFixed(digits));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Human-readable report: one table for pair files, one per contextual file. */
export function formatCacheEval(results: readonly CacheEvalResult[], embedderId: string): string {
  const sections: string[] = [`embedder: ${embedderId}`];
  const pairs = results.filter((result) => result.kind === 'pairs');
  if (pairs.length > 0) {
    const target = (evaluation: PairEvaluation, goal: number) => {
      const found = evaluation.targets.find((item) => item.target === goal);
      return found?.threshold == null ? 'never' : `${fixed(found.threshold)} (R ${fixed(found.recall)})`;
    };
    sections.push(
      table(
        ['file', 'positive =', 'pairs', 'positives', 'threshold', 'precision', 'recall', 'F1', 'P>=0.95 at', 'P>=0.99 at'],
        pairs.map(({ file, labelRule, evaluation }) => [
          file,
          labelRule,
          String(evaluation.pairs),
          String(evaluation.positives),
          String(evaluation.threshold),
          fixed(evaluation.precision),
          fixed(evaluation.recall),
          fixed(evaluation.f1),
          target(evaluation, 0.95),
          target(evaluation, 0.99),
        ]),
      ),
    );
  }
  for (const result of results) {
    if (result.kind !== 'contextual') continue;
    const { evaluation } = result;
    sections.push(
      `${result.file} (threshold ${evaluation.threshold}): hit rate ${fixed(evaluation.hitRate)} where it should hit, false-hit rate ${fixed(evaluation.falseHitRate)} where it should not\n` +
        table(
          ['kind', 'should hit', 'cases', 'hits', 'rate'],
          evaluation.kinds.map((kind) => [kind.kind, kind.shouldHit ? 'yes' : 'no', String(kind.cases), String(kind.hits), fixed(kind.rate)]),
        ),
    );
  }
  return sections.join('\n\n');
}

/** `frugal cache eval`: how often the semantic cache would hit, and how often wrongly, on labelled pairs. */
export function registerCacheCommand(program: Command) {
  const cache = program.command('cache').description('Response cache tools.');
  cache
    .command('eval')
    .description('Measure semantic-cache precision and recall on labelled pair files (JSON lines).')
    .requiredOption('--pairs <file>', 'pair or contextual file; repeat for several', (value: string, previous: string[] = []) => [...previous, value])
    .option('--threshold <similarity>', 'similarity needed for a hit (default: the embedder’s measured one)')
    .option('--json', 'print JSON')
    .option('--embedder <name>', 'offline or openai', 'offline')
    .option('--embedding-base-url <url>', 'OpenAI-compatible API root for --embedder openai, e.g. https://api.openai.com/v1')
    .option('--embedding-model <name>', 'embedding model for --embedder openai')
    .option('--embedding-dimensions <n>', 'vector length of that model')
    .action(async (options: CacheEvalOptions) => {
      const embedder = embedderFromOptions(options);
      const progress = commandProgress('cache eval', options);
      let results: CacheEvalResult[];
      try {
        results = await runCacheEval(options, embedder, progress.onProgress);
      } finally {
        progress.finish();
      }
      if (options.json) process.stdout.write(`${JSON.stringify({ embedder: embedder.id, results }, null, 2)}\n`);
      else process.stdout.write(`${formatCacheEval(results, embedder.id)}\n`);
    });
}
