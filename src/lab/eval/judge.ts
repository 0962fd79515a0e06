import type { EvalMessage, EvalRow } from './eval-dataset.js';

export type JudgeVerdict = { kind: 'score'; score: number; reason?: string } | { kind: 'pairwise'; outcome: 'win' | 'tie' | 'loss'; reason?: string };

function questionOf(row: EvalRow): string {
  return row.messages
    .map((message) => `${message.role}: ${typeof message.content === 'string' ? message.content : JSON.stringify(message.content)}`)
    .join('\n');
}

/**
 * The judge's instructions: grade against the expected answer (a score in [0, 1]), or say which of two answers is
 * better. In pairwise mode `swap` shows the candidate second, so position bias averages out over a file.
 */
export function judgePrompt(row: EvalRow, answer: string, reference: string | undefined, swap: boolean): EvalMessage[] {
  const system =
    'You are a strict grader of AI answers. Reply with one JSON object and nothing else.';
  if (reference === undefined) {
    return [
      { role: 'system', content: system },
      {
        role: 'user',
        content:
          `Question:\n${questionOf(row)}\n\nReference answer:\n${row.expected ?? ''}\n\nAnswer to grade:\n${answer}\n\n` +
          'How correct and complete is the answer, compared with the reference? Reply {"score": <number from 0 to 1>, "reason": "<one sentence>"}.',
      },
    ];
  }
  const [first, second] = swap ? [reference, answer] : [answer, reference];
  return [
    { role: 'system', content: system },
    {
      role: 'user',
      content:
        `Question:\n${questionOf(row)}\n\nAnswer A:\n${first}\n\nAnswer B:\n${second}\n\n` +
        'Which answer is better (correct, helpful, complete)? Reply {"winner": "A" | "B" | "tie", "reason": "<one sentence>"}.',
    },
  ];
}

function firstJsonObject(text: string): Record<string, unknown> | undefined {
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    for (let end = text.lastIndexOf('}'); end > start; end = text.lastIndexOf('}', end - 1)) {
      try {
        const value = JSON.parse(text.slice(start, end + 1)) as unknown;
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
      } catch {
        // Not this span; try a shorter one.
      }
    }
  }
  return undefined;
}

/** The judge's reply as a verdict for the candidate; undefined when it gave none that can be read. */
export function parseJudgeVerdict(reply: string, mode: 'score' | 'pairwise', swap: boolean): JudgeVerdict | undefined {
  const json = firstJsonObject(reply);
  const reason = typeof json?.reason === 'string' ? json.reason : undefined;
  if (mode === 'score') {
    const raw = json?.score ?? /"?score"?\s*[:=]\s*(-?\d+(?:\.\d+)?)/i.exec(reply)?.[1];
    const score = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
    if (!Number.isFinite(score) || score < 0 || score > 1) return undefined;
    return { kind: 'score', score, reason };
  }
  const raw = (typeof json?.winner === 'string' ? json.winner : /"?winner"?\s*[:=]\s*"?(A|B|tie)\b/i.exec(reply)?.[1])?.trim().toLowerCase();
  if (raw !== 'a' && raw !== 'b' && raw !== 'tie') return undefined;
  if (raw === 'tie') return { kind: 'pairwise', outcome: 'tie', reason };
  // The candidate is A unless swapped.
  const candidateWon = (raw === 'a') !== swap;
  return { kind: 'pairwise', outcome: candidateWon ? 'win' : 'loss', reason };
}
