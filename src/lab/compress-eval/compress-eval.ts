import { readFile } from 'node:fs/promises';
import type { OnProgress } from '../progress.js';
import { basename } from 'node:path';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatMessage } from '../../wire/chat-types.js';
import { contentText, countPromptTokens } from '../../tokens/count-tokens.js';
import { compressExtractiveSync } from '../../compress/extractive-compressor.js';
import { cleanupPrompt } from '../../compress/lossless-cleanup.js';
import { gsm8kCases, kvCases, nqCases, type CompressEvalCase, type DistractorMode, type GsmPrompt, type KvRow, type NqRow } from './compress-eval-cases.js';

export type EvalMethod = 'extractive' | 'lossless';

export interface EvalRunOptions {
  method: EvalMethod;
  /** Target ratio for the extractive method. */
  ratio: number;
  /** Clock for the latency column, in milliseconds. */
  now?: () => number;
  onProgress?: OnProgress;
}

export interface CompressEvalReport {
  method: EvalMethod;
  cases: number;
  /** Cases the method actually changed. */
  compressed: number;
  tokensBefore: number;
  tokensAfter: number;
  /** Σ tokens before / Σ tokens after. */
  ratio: number;
  /** Share of cases whose answer survived. */
  retention: number;
  /** gsm8k: mean number of exemplars kept. */
  exemplarsKept?: number;
  meanMilliseconds: number;
}

export interface LoadedEvalSet {
  name: string;
  cases: CompressEvalCase[];
  /** What is synthetic about the cases, printed with the results. */
  note?: string;
}

export interface LoadEvalOptions {
  distractors: number;
  distractorMode: DistractorMode;
  seed: number;
  limit?: number;
  /** gsm8k: a JSON Lines file of test questions (`prompt` or `question` field), e.g. routing/routellm-gsm8k.jsonl. */
  questionsFile?: string;
}

function parseJsonLines<T>(text: string): T[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as T);
}

export async function loadEvalSet(file: string, options: LoadEvalOptions): Promise<LoadedEvalSet> {
  const text = await readFile(file, 'utf8');
  const name = basename(file);
  if (file.endsWith('.json')) {
    const prompt = JSON.parse(text) as GsmPrompt;
    if (!Array.isArray(prompt.shots)) throw new FrugalError('invalid_request', `${file}: expected the gsm8k few-shot prompt format ({ prompt, shots }).`);
    if (options.questionsFile === undefined) throw new FrugalError('invalid_request', 'The gsm8k prompt needs test questions: pass --questions FILE (e.g. routing/routellm-gsm8k.jsonl).');
    const rows = parseJsonLines<{ prompt?: string; question?: string }>(await readFile(options.questionsFile, 'utf8'));
    const questions = rows.map((row) => row.question ?? row.prompt ?? '').filter((question) => question !== '').slice(0, options.limit);
    return { name, cases: gsm8kCases(prompt, questions), note: `each case is the 8-shot prompt + one question of ${basename(options.questionsFile)}` };
  }
  const rows = parseJsonLines<Record<string, unknown>>(text);
  const first = rows[0] ?? {};
  if (typeof first.key === 'string' && typeof first.answer === 'string') return { name, cases: kvCases(rows as unknown as KvRow[], options.limit) };
  if (Array.isArray(first.answers)) {
    const cases = nqCases(rows as unknown as NqRow[], options);
    const note = `synthetic long context: each gold passage among ${options.distractors} ${options.distractorMode} distractor passages of other items (seed ${options.seed})`;
    return { name, cases, note };
  }
  throw new FrugalError('invalid_request', `${file}: unknown format; expected nq-dev, kv-75 or the gsm8k prompt (see shared/data/README.md).`);
}

function promptText(messages: readonly ChatMessage[]): string {
  return messages.map((message) => contentText(message.content)).join('\n\n');
}

function compress(messages: ChatMessage[], options: EvalRunOptions): { messages: ChatMessage[]; changed: boolean } {
  if (options.method === 'lossless') {
    const result = cleanupPrompt(messages);
    return { messages: result.messages, changed: result.changes.length > 0 };
  }
  const result = compressExtractiveSync(messages, { minPromptTokens: 0, targetRatio: options.ratio });
  return { messages: result.messages, changed: result.method !== 'none' };
}

/** Runs one method over the cases; token counts are real o200k counts of the prompts before and after. */
export function runCompressEval(cases: readonly CompressEvalCase[], options: EvalRunOptions): CompressEvalReport {
  const now = options.now ?? (() => performance.now());
  let tokensBefore = 0;
  let tokensAfter = 0;
  let retained = 0;
  let compressed = 0;
  let exemplars = 0;
  let hasExemplars = false;
  let milliseconds = 0;
  for (const [done, item] of cases.entries()) {
    options.onProgress?.({ stage: options.method, done, total: cases.length, unit: 'cases' });
    const started = now();
    const result = compress(item.messages, options);
    milliseconds += now() - started;
    tokensBefore += countPromptTokens(item.messages);
    tokensAfter += countPromptTokens(result.messages);
    if (result.changed) compressed += 1;
    const check = item.check(promptText(result.messages));
    if (check.retained) retained += 1;
    if (check.exemplarsKept !== undefined) {
      hasExemplars = true;
      exemplars += check.exemplarsKept;
    }
  }
  const count = cases.length;
  options.onProgress?.({ stage: options.method, done: count, total: count, unit: 'cases' });
  return {
    method: options.method,
    cases: count,
    compressed,
    tokensBefore,
    tokensAfter,
    ratio: tokensAfter === 0 ? 0 : tokensBefore / tokensAfter,
    retention: count === 0 ? 0 : retained / count,
    ...(hasExemplars ? { exemplarsKept: exemplars / count } : {}),
    meanMilliseconds: count === 0 ? 0 : milliseconds / count,
  };
}

/** A markdown table, one row per method. */
export function formatEvalTable(set: LoadedEvalSet, reports: readonly CompressEvalReport[]): string {
  const lines = [`${set.name}: ${set.cases.length} cases${set.note ? ` (${set.note})` : ''}`, ''];
  const withExemplars = reports.some((report) => report.exemplarsKept !== undefined);
  lines.push(`| method | compressed | tokens before | tokens after | ratio | retention |${withExemplars ? ' exemplars kept |' : ''} ms/case |`);
  lines.push(`|---|---:|---:|---:|---:|---:|${withExemplars ? '---:|' : ''}---:|`);
  for (const report of reports) {
    const exemplars = withExemplars ? ` ${report.exemplarsKept?.toFixed(2) ?? '-'} |` : '';
    lines.push(
      `| ${report.method} | ${report.compressed}/${report.cases} | ${report.tokensBefore} | ${report.tokensAfter} | ${report.ratio.toFixed(2)}× | ` +
        `${(report.retention * 100).toFixed(1)}% |${exemplars} ${report.meanMilliseconds.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}
