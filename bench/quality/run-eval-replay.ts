/**
 * `frugal eval` replayed offline on RouteLLM's GSM8K file (answers looked up from the file, priced with router
 * eval's price-ratio model), beside `router eval`'s own numbers for the same two models: the outcome columns the
 * file records. Eval grades the recorded answers itself (exact, numbers as numbers), so the two quality columns
 * differ only where the graders disagree; the agreement is printed.
 *
 *   npm run bench:quality [-- --data ../shared/data/routing/routellm-gsm8k.jsonl]
 */
import { readFile } from 'node:fs/promises';
import { runEvalCommand } from '../../src/cli/eval-command.js';
import { gradeExact } from '../../src/lab/eval/graders.js';
import { pairTable, parseRoutingDataset } from '../../src/lab/router-eval/routing-dataset.js';
import { summarizePair as summary } from '../../src/lab/router-eval/router-eval.js';

const args = process.argv.slice(2);
const data = args[args.indexOf('--data') + 1] && args.includes('--data') ? args[args.indexOf('--data') + 1] : '../shared/data/routing/routellm-gsm8k.jsonl';

const text = await readFile(data, 'utf8');
const dataset = parseRoutingDataset(text, data);
const table = pairTable(dataset);
const pair = summary(table);

const started = performance.now();
const { result, output } = await runEvalCommand({ data, candidates: `${table.strong},${table.weak}`, replay: true });
const elapsed = performance.now() - started;

const raw = text.trim().split('\n').map((line) => JSON.parse(line) as { outcomes: Record<string, number>; responses: Record<string, string>; answer: string });
const agreement = (model: string) => raw.filter((row) => gradeExact(row.responses[model], String(row.answer)) === row.outcomes[model]).length / raw.length;

console.log(`# frugal eval --replay on ${data} (${dataset.rows.length} prompts, ${elapsed.toFixed(0)} ms)\n`);
console.log(output);
console.log('\n# beside router eval (the file\'s recorded outcomes)\n');
console.log('model                                  router_eval_quality  eval_quality  grader_agreement  router_eval_cost  eval_cost');
for (const [model, quality, cost] of [
  [table.strong, pair.strongQuality, pair.strongCost],
  [table.weak, pair.weakQuality, pair.weakCost],
] as const) {
  const row = result.candidates.find((candidate) => candidate.candidate === model)!;
  console.log(
    `${model.padEnd(38)} ${quality.toFixed(4).padStart(19)}  ${(row.quality.mean ?? 0).toFixed(4).padStart(12)}  ${agreement(model).toFixed(4).padStart(16)}  ${String(cost).padStart(16)}  ${String(row.costNanos).padStart(9)}`,
  );
}
