import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FrugalError } from '../../errors/frugal-error.js';
import { parseJsonLines } from '../router-training/labeled-examples.js';

/** How an answer is graded: against `expected` (exact, regex), a JSON schema, or by a judge model. */
export type GraderSpec = { kind: 'exact' } | { kind: 'regex' } | { kind: 'json_schema' } | { kind: 'judge'; model: string };

export interface EvalMessage {
  role: string;
  content: unknown;
}

/** One prompt of a bake-off file. */
export interface EvalRow {
  id: string;
  messages: EvalMessage[];
  expected?: string;
  /** The row's own grader, over the command's. */
  grader?: GraderSpec;
  /** For the json_schema grader. */
  schema?: Record<string, unknown>;
  /** Answers recorded per model (RouteLLM-style files): what `--replay` looks up instead of calling a model. */
  responses?: Readonly<Record<string, string>>;
}

export function parseGrader(text: string, where: string): GraderSpec {
  if (text === 'exact' || text === 'regex' || text === 'json_schema') return { kind: text };
  const judge = /^judge:(\S+)$/.exec(text);
  if (judge) return { kind: 'judge', model: judge[1] };
  throw new FrugalError('invalid_request', `${where}: grader must be exact, regex, json_schema or judge:MODEL, got '${text}'`, { param: 'grader' });
}

const message = z.object({ role: z.string(), content: z.unknown() }).passthrough();
const row = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    prompt: z.string().optional(),
    messages: z.array(message).min(1).optional(),
    expected: z.union([z.string(), z.number(), z.boolean()]).optional(),
    // RouteLLM's files call it `answer`: the same thing.
    answer: z.union([z.string(), z.number()]).optional(),
    grader: z.string().optional(),
    schema: z.record(z.string(), z.unknown()).optional(),
    responses: z.record(z.string(), z.string()).optional(),
  })
  .passthrough();

/** Rows of a JSONL file: `{ "id"?, "prompt" | "messages", "expected"?, "grader"?, "schema"? }`, each checked with its line number. */
export function parseEvalRows(text: string, source = 'input'): EvalRow[] {
  const lines = parseJsonLines(text, source);
  if (lines.length === 0) throw new FrugalError('invalid_request', `${source}: no rows`);
  const seen = new Set<string>();
  return lines.map(({ line, value }) => {
    const parsed = row.safeParse(value);
    const where = `${source}:${line}`;
    if (!parsed.success) throw new FrugalError('invalid_request', `${where}: ${parsed.error.issues[0]?.path.join('.') || 'row'}: ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    if ((data.prompt === undefined) === (data.messages === undefined)) throw new FrugalError('invalid_request', `${where}: give "prompt" (a string) or "messages" (a chat), one of them`);
    const id = data.id === undefined ? `line-${line}` : String(data.id);
    if (seen.has(id)) throw new FrugalError('invalid_request', `${where}: id '${id}' appears twice`);
    seen.add(id);
    const expected = data.expected ?? data.answer;
    const grader = data.grader === undefined ? undefined : parseGrader(data.grader, where);
    if (grader?.kind === 'json_schema' && data.schema === undefined) throw new FrugalError('invalid_request', `${where}: the json_schema grader needs a "schema"`);
    return {
      id,
      messages: data.messages ?? [{ role: 'user', content: data.prompt! }],
      ...(expected === undefined ? {} : { expected: String(expected) }),
      ...(grader === undefined ? {} : { grader }),
      ...(data.schema === undefined ? {} : { schema: data.schema }),
      ...(data.responses === undefined ? {} : { responses: data.responses }),
    };
  });
}

export async function readEvalRows(file: string): Promise<EvalRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FrugalError('invalid_request', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseEvalRows(text, file);
}

/**
 * `count` rows drawn without replacement by a seeded shuffle, kept in file order: the same seed draws the same
 * prompts, so two runs (or two gateways) are compared on one sample.
 */
export function sampleRows<T>(rows: readonly T[], count: number | undefined, seed: number): T[] {
  if (count === undefined || count >= rows.length) return [...rows];
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: small, seeded, and the same on every platform.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const indices = rows.map((_, index) => index);
  for (let i = indices.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((index) => rows[index]);
}
