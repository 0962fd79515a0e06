import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FrugalError } from '../../errors/frugal-error.js';
import { parseJsonLines } from '../router-training/labeled-examples.js';

/**
 * Per-prompt outcome tables (shared/data/routing/*.jsonl): a router's quality and cost on a file are look-ups,
 * so evaluation needs no LLM calls. Two source formats are read into one shape.
 */

export type RoutingFormat = 'outcomes' | 'models';

export interface RoutingRow {
  id: string;
  prompt: string;
  /** RouterBench's `dataset` field, when present. */
  group?: string;
  /** Per model: 1 = correct, 0 = wrong (fractions allowed). */
  quality: Readonly<Record<string, number>>;
  /** Per model, integer nano-dollars; only the `models` format has real costs. */
  costNanoUsd?: Readonly<Record<string, number>>;
  /** Per model, the recorded answer text, when the file has it (cascade checks are replayed on it). */
  responses?: Readonly<Record<string, string>>;
}

export interface RoutingDataset {
  format: RoutingFormat;
  rows: RoutingRow[];
  /** Models that have an outcome on every row. */
  models: string[];
}

const outcomesRow = z.object({
  id: z.string(),
  prompt: z.string(),
  outcomes: z.record(z.string(), z.union([z.number(), z.boolean()])),
  responses: z.record(z.string(), z.string()).optional(),
});
const modelsRow = z.object({
  id: z.string(),
  prompt: z.string(),
  dataset: z.string().optional(),
  models: z.record(z.string(), z.object({ correct: z.union([z.number(), z.boolean()]), cost_usd: z.number().nonnegative(), response: z.string().optional() })),
});

const NANO_PER_USD = 1e9;

function responsesOf(entries: ReadonlyArray<[string, { response?: string }]>): Record<string, string> | undefined {
  const recorded = entries.filter(([, result]) => result.response !== undefined);
  return recorded.length === 0 ? undefined : Object.fromEntries(recorded.map(([model, result]) => [model, result.response!]));
}

export function parseRoutingDataset(text: string, source = 'input'): RoutingDataset {
  const lines = parseJsonLines(text, source);
  if (lines.length === 0) throw new FrugalError('invalid_request', `${source}: no rows`);
  const first = lines[0].value;
  const format: RoutingFormat = typeof first === 'object' && first !== null && 'models' in first ? 'models' : 'outcomes';
  const rows = lines.map(({ line, value }): RoutingRow => {
    if (format === 'outcomes') {
      const parsed = outcomesRow.safeParse(value);
      if (!parsed.success) throw new FrugalError('invalid_request', `${source}:${line}: expected {"id","prompt","outcomes":{model: 0|1}}`);
      const quality = Object.fromEntries(Object.entries(parsed.data.outcomes).map(([model, outcome]) => [model, Number(outcome)]));
      return { id: parsed.data.id, prompt: parsed.data.prompt, quality, responses: parsed.data.responses };
    }
    const parsed = modelsRow.safeParse(value);
    if (!parsed.success) throw new FrugalError('invalid_request', `${source}:${line}: expected {"id","prompt","models":{model:{correct,cost_usd}}}`);
    const entries = Object.entries(parsed.data.models);
    return {
      id: parsed.data.id,
      prompt: parsed.data.prompt,
      group: parsed.data.dataset,
      quality: Object.fromEntries(entries.map(([model, result]) => [model, Number(result.correct)])),
      // USD floats are converted once, here, to integer nano-dollars; every sum after this is exact.
      costNanoUsd: Object.fromEntries(entries.map(([model, result]) => [model, Math.round(result.cost_usd * NANO_PER_USD)])),
      responses: responsesOf(entries),
    };
  });
  const models = Object.keys(rows[0].quality).filter((model) => rows.every((row) => model in row.quality));
  return { format, rows, models };
}

export async function readRoutingDataset(file: string): Promise<RoutingDataset> {
  return parseRoutingDataset(await readFile(file, 'utf8'), file);
}

/** Two models, column-wise, ready for threshold sweeps. Costs are integers in `costUnit`. */
export interface PairTable {
  strong: string;
  weak: string;
  strongQuality: Float64Array;
  weakQuality: Float64Array;
  strongCost: Float64Array;
  weakCost: Float64Array;
  costUnit: string;
  /** Printed next to every result that depends on them. */
  assumptions: string[];
}

export const DEFAULT_STRONG_MODEL = 'gpt-4-1106-preview';
export const DEFAULT_WEAK_MODELS: Readonly<Record<RoutingFormat, string>> = {
  outcomes: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
  models: 'mistralai/mixtral-8x7b-chat',
};

/** USD per 1M tokens that secondary summaries of the RouteLLM paper cite for GPT-4 and Mixtral (unverified). */
export const ROUTELLM_ASSUMED_PRICES = { strong: 24.7, weak: 0.24 } as const;

export interface PairTableOptions {
  strong?: string;
  weak?: string;
  /** For files without costs: USD per 1M tokens, same token count assumed for both models. */
  assumedPrices?: { strong: number; weak: number };
}

function requireModel(dataset: RoutingDataset, model: string, role: string): void {
  if (!dataset.models.includes(model)) {
    throw new FrugalError('invalid_request', `${role} model "${model}" is not in the data (models: ${dataset.models.join(', ')})`);
  }
}

export function pairTable(dataset: RoutingDataset, options: PairTableOptions = {}): PairTable {
  const strong = options.strong ?? DEFAULT_STRONG_MODEL;
  const weak = options.weak ?? DEFAULT_WEAK_MODELS[dataset.format];
  requireModel(dataset, strong, 'strong');
  requireModel(dataset, weak, 'weak');
  const rows = dataset.rows;
  const column = (pick: (row: RoutingRow) => number) => Float64Array.from(rows, pick);
  if (dataset.format === 'models') {
    return {
      strong,
      weak,
      strongQuality: column((row) => row.quality[strong]),
      weakQuality: column((row) => row.quality[weak]),
      strongCost: column((row) => row.costNanoUsd?.[strong] ?? 0),
      weakCost: column((row) => row.costNanoUsd?.[weak] ?? 0),
      costUnit: 'nano-USD',
      assumptions: ['cost: real per-prompt cost_usd from the file'],
    };
  }
  const prices = options.assumedPrices ?? ROUTELLM_ASSUMED_PRICES;
  // Hundredths of a cent per 1M tokens keep both prices integers, so cost sums stay exact.
  const strongUnits = Math.round(prices.strong * 10_000);
  const weakUnits = Math.round(prices.weak * 10_000);
  return {
    strong,
    weak,
    strongQuality: column((row) => row.quality[strong]),
    weakQuality: column((row) => row.quality[weak]),
    strongCost: column(() => strongUnits),
    weakCost: column(() => weakUnits),
    costUnit: 'assumed price units',
    assumptions: [
      `cost: price-ratio model, not in the data: ${strong} $${prices.strong}/1M tokens, ${weak} $${prices.weak}/1M tokens, ` +
        `same tokens per call, so a weak call costs ${(weakUnits / strongUnits).toFixed(4)} of a strong call`,
    ],
  };
}

/** The same table restricted to some prompts (a held-out split). */
export function selectRows(table: PairTable, indices: readonly number[]): PairTable {
  const pick = (column: Float64Array) => Float64Array.from(indices, (index) => column[index]);
  return {
    ...table,
    strongQuality: pick(table.strongQuality),
    weakQuality: pick(table.weakQuality),
    strongCost: pick(table.strongCost),
    weakCost: pick(table.weakCost),
  };
}

/** Every model's cost on every row, in one integer unit: real nano-dollars, or the stated price-ratio model. */
export interface CostLookup {
  cost(row: number, model: string): number;
  costUnit: string;
  assumptions: string[];
}

export function costLookup(dataset: RoutingDataset, options: PairTableOptions = {}): CostLookup {
  if (dataset.format === 'models') {
    return { cost: (row, model) => dataset.rows[row].costNanoUsd?.[model] ?? 0, costUnit: 'nano-USD', assumptions: ['cost: real per-prompt cost_usd from the file'] };
  }
  const strong = options.strong ?? DEFAULT_STRONG_MODEL;
  const prices = options.assumedPrices ?? ROUTELLM_ASSUMED_PRICES;
  const strongUnits = Math.round(prices.strong * 10_000);
  const weakUnits = Math.round(prices.weak * 10_000);
  return {
    cost: (_row, model) => (model === strong ? strongUnits : weakUnits),
    costUnit: 'assumed price units',
    assumptions: [`cost: price-ratio model, not in the data: ${strong} $${prices.strong}/1M tokens, every other model $${prices.weak}/1M, same tokens per call`],
  };
}
