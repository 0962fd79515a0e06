/**
 * Judges answer in JSON, mostly: the object may sit in a ```json fence, after a sentence, with a score out of 10
 * or as a string. These read what judges actually write and give up (undefined) rather than guess.
 */

export interface RubricVerdict {
  /** In [0, 1]. */
  score: number;
  reason: string | null;
}

export type PairwiseWinner = 'A' | 'B' | 'tie';

export interface PairwiseVerdict {
  winner: PairwiseWinner;
  reason: string | null;
}

/** Every balanced {...} in the text that parses as a JSON object, in order. */
function* jsonObjects(text: string): Generator<Record<string, unknown>> {
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let index = start; index < text.length; index += 1) {
      const char = text[index];
      if (inString) {
        if (char === '\\') index += 1;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === '{') depth += 1;
      else if (char === '}' && --depth === 0) {
        try {
          const value: unknown = JSON.parse(text.slice(start, index + 1));
          if (value !== null && typeof value === 'object' && !Array.isArray(value)) yield value as Record<string, unknown>;
        } catch {
          // not JSON: try the next opening brace
        }
        break;
      }
    }
  }
}

function reasonOf(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 1_000) : null;
}

/** A 0–1 score; 0–10 and 0–100 scales are mapped down; anything else is no score. */
function normalise(raw: number): number | undefined {
  if (!Number.isFinite(raw) || raw < 0) return undefined;
  if (raw <= 1) return raw;
  if (raw <= 10) return raw / 10;
  if (raw <= 100) return raw / 100;
  return undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

export function parseRubricVerdict(text: string): RubricVerdict | undefined {
  for (const object of jsonObjects(text)) {
    const raw = numberOf(object.score ?? object.rating ?? object.grade);
    const score = raw === undefined ? undefined : normalise(raw);
    if (score !== undefined) return { score, reason: reasonOf(object.reason ?? object.explanation ?? object.rationale) };
  }
  // Not JSON: "Score: 0.8 — because …"
  const match = /\bscore\b["']?\s*[:=]\s*(\d+(?:\.\d+)?)(?:\s*\/\s*(10|100))?/i.exec(text);
  if (match) {
    const score = match[2] ? Number(match[1]) / Number(match[2]) : normalise(Number(match[1]));
    if (score !== undefined && score >= 0 && score <= 1) return { score, reason: null };
  }
  return undefined;
}

function winnerOf(value: unknown): PairwiseWinner | undefined {
  if (typeof value !== 'string') return undefined;
  const normalised = value.trim().toLowerCase().replace(/^answer\s+/, '');
  if (normalised === 'a') return 'A';
  if (normalised === 'b') return 'B';
  if (normalised === 'tie' || normalised === 'draw' || normalised === 'equal' || normalised === 'both') return 'tie';
  return undefined;
}

export function parsePairwiseVerdict(text: string): PairwiseVerdict | undefined {
  for (const object of jsonObjects(text)) {
    const winner = winnerOf(object.winner ?? object.better ?? object.verdict);
    if (winner) return { winner, reason: reasonOf(object.reason ?? object.explanation) };
  }
  const match = /\bwinner\b["']?\s*[:=]\s*["']?(A|B|tie)\b/i.exec(text);
  const winner = match ? winnerOf(match[1]) : undefined;
  return winner ? { winner, reason: null } : undefined;
}

/** The served (or candidate) answer's score from a pairwise verdict: a win 1, a tie ½, a loss 0. */
export function winScore(winner: PairwiseWinner, ours: 'A' | 'B'): number {
  return winner === 'tie' ? 0.5 : winner === ours ? 1 : 0;
}
