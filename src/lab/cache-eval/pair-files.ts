import { readFile } from 'node:fs/promises';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatMessage } from '../../wire/chat-types.js';

/** Two texts and whether a cache may answer one with the other's answer. */
export interface LabelledPair {
  a: string;
  b: string;
  positive: boolean;
}

/** One context case: an entry already cached, a new request, and whether it should be served. */
export interface ContextualCase {
  id: string;
  kind: string;
  cached: { context: ChatMessage[]; query: string; response: string | null };
  lookup: { context: ChatMessage[]; query: string };
  shouldHit: boolean;
}

export type EvalFile =
  | { kind: 'pairs'; labelRule: string; pairs: LabelledPair[] }
  | { kind: 'contextual'; cases: ContextualCase[] };

/**
 * The label of each pair file, as its source has it. STS-B grades similarity 0–5 and has no hit label:
 * a pair counts as "should hit" from 4 ("mostly equivalent, unimportant details differ") up.
 */
export const STSB_POSITIVE_SCORE = 4;

function pairLabel(row: Record<string, unknown>): { positive: boolean; rule: string } | undefined {
  if (typeof row.duplicate === 'boolean') return { positive: row.duplicate, rule: 'duplicate' };
  if (typeof row.paraphrase === 'boolean') return { positive: row.paraphrase, rule: 'paraphrase' };
  if (typeof row.score === 'number') return { positive: row.score >= STSB_POSITIVE_SCORE, rule: `score >= ${STSB_POSITIVE_SCORE}` };
  return undefined;
}

/** Parses a JSON-lines evaluation file: `{a, b, duplicate|paraphrase|score}` pairs, or contextual cases. */
export function parseEvalFile(text: string, name: string): EvalFile {
  const rows = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, number) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new FrugalError('invalid_request', `${name}:${number + 1} is not JSON.`);
      }
    });
  if (rows.length === 0) throw new FrugalError('invalid_request', `${name} has no rows.`);
  if (typeof rows[0].should_hit === 'boolean') {
    return { kind: 'contextual', cases: rows.map((row, number) => contextualCase(row, `${name}:${number + 1}`)) };
  }
  let labelRule = '';
  const pairs = rows.map((row, number) => {
    const label = pairLabel(row);
    if (typeof row.a !== 'string' || typeof row.b !== 'string' || label === undefined) {
      throw new FrugalError('invalid_request', `${name}:${number + 1} needs string "a" and "b" and a duplicate, paraphrase or score label.`);
    }
    labelRule = label.rule;
    return { a: row.a, b: row.b, positive: label.positive };
  });
  return { kind: 'pairs', labelRule, pairs };
}

function contextualCase(row: Record<string, unknown>, where: string): ContextualCase {
  const cached = row.cached as ContextualCase['cached'] | undefined;
  const lookup = row.lookup as ContextualCase['lookup'] | undefined;
  if (typeof row.kind !== 'string' || !Array.isArray(cached?.context) || typeof cached.query !== 'string' || !Array.isArray(lookup?.context) || typeof lookup.query !== 'string') {
    throw new FrugalError('invalid_request', `${where} is not a contextual case (kind, cached{context,query}, lookup{context,query}, should_hit).`);
  }
  return { id: String(row.id ?? where), kind: row.kind, cached, lookup, shouldHit: row.should_hit === true };
}

export async function readEvalFile(path: string): Promise<EvalFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FrugalError('invalid_request', `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseEvalFile(text, path);
}
