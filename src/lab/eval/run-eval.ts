import type { OnProgress } from '../progress.js';
import type { EvalMessage, EvalRow, GraderSpec } from './eval-dataset.js';
import { summarizeEval, type EvalOutcome, type EvalSummary } from './eval-stats.js';
import { gradeExact, gradeJsonSchema, gradeRegex } from './graders.js';
import { judgePrompt, parseJudgeVerdict, type JudgeVerdict } from './judge.js';

export interface EvalCall {
  model: string;
  messages: EvalMessage[];
  /** The most this call may cost (the gateway refuses it before sending when it could cost more). */
  maxCostNanos?: number;
  tags: Record<string, string>;
}

export type EvalReply =
  | { ok: true; answer: string; costNanos: number; latencyMs: number; requestId?: string }
  | { ok: false; error: string; code?: string; costNanos: number; latencyMs: number; requestId?: string };

/** One graded answer, kept as feedback on its ledger row so `router train --from-ledger` can learn from the run. */
export interface EvalGrade {
  requestId: string;
  score: number;
  /** Where it came from: the run, the prompt, the candidate, how it was graded. */
  metadata: Record<string, string>;
}

/** How a bake-off reaches a model: a gateway over HTTP (the real pipeline), or recorded answers (`--replay`). */
export interface EvalCaller {
  call(call: EvalCall, row: EvalRow): Promise<EvalReply>;
  /** Keeps a grade beside the answer's ledger row (a gateway: POST /v1/feedback); false when it was not kept. */
  recordGrade?(grade: EvalGrade): Promise<boolean>;
}

export interface EvalOptions {
  rows: readonly EvalRow[];
  candidates: readonly string[];
  baseline: string;
  /** The command's grader; a row's own `grader` wins. */
  grader: GraderSpec;
  caller: EvalCaller;
  concurrency: number;
  /** Stop before spending more than this (nano-dollars), judge calls included. */
  maxNanos?: number;
  /** Tags every call carries (the ledger's `feature=eval`, the run id). */
  tags: Record<string, string>;
  onProgress?: OnProgress;
}

export interface EvalResult extends EvalSummary {
  outcomes: EvalOutcome[];
  /** What the judge calls cost: quality overhead, apart from the candidates' cost. */
  judgeNanos: number;
  judgeCalls: number;
  /** Answers no grader could score (a judge that gave no verdict, a row with nothing to grade against). */
  ungraded: number;
  /** Calls left out because --max-usd had no room for them. */
  skipped: number;
  spentNanos: number;
  /** Grades kept as feedback (name `eval`) on their answers' ledger rows, and those the gateway did not take. */
  gradesStored: number;
  gradesNotStored: number;
}

/**
 * Splits a spending cap between concurrent calls: each call may spend at most its share of what is neither spent
 * nor promised to a call in flight, and the gateway refuses a call that could pass its share before sending it.
 * So the total never passes the cap, whatever the calls cost.
 */
class SpendGate {
  private spent = 0;
  private promised = 0;
  private closed = false;
  constructor(
    private readonly maxNanos: number | undefined,
    private readonly slots: number,
  ) {}

  /** A ceiling for the next call (undefined: no cap), or null when the cap leaves no room. */
  open(inFlight: number): number | undefined | null {
    if (this.maxNanos === undefined) return undefined;
    if (this.closed) return null;
    const share = Math.floor((this.maxNanos - this.spent - this.promised) / Math.max(1, this.slots - inFlight));
    if (share <= 0) return null;
    this.promised += share;
    return share;
  }

  settle(ceiling: number | undefined, costNanos: number): void {
    if (ceiling !== undefined) this.promised -= ceiling;
    this.spent += costNanos;
  }

  /** A call refused for its ceiling: the rest will not fit either. */
  close(): void {
    this.closed = true;
  }

  get total(): number {
    return this.spent;
  }
}

/** Runs `tasks` with at most `concurrency` at once, in order of start. */
async function pool<T>(items: readonly T[], concurrency: number, run: (item: T, inFlight: () => number) => Promise<void>): Promise<void> {
  let next = 0;
  let inFlight = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++];
      inFlight += 1;
      try {
        await run(item, () => inFlight - 1);
      } finally {
        inFlight -= 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

function gradeWithoutModel(grader: GraderSpec, row: EvalRow, answer: string): number | undefined {
  if (grader.kind === 'json_schema') return row.schema === undefined ? undefined : gradeJsonSchema(answer, row.schema);
  if (row.expected === undefined) return undefined;
  if (grader.kind === 'exact') return gradeExact(answer, row.expected);
  if (grader.kind === 'regex') return gradeRegex(answer, row.expected);
  return undefined;
}

const VERDICT_SCORE = { win: 1, tie: 0.5, loss: 0 } as const;

/**
 * The bake-off: every prompt through every candidate (concurrently, under the cap), then every answer graded —
 * by rule, or by a judge model (scored against `expected`, else pairwise against the baseline's answer) — then one
 * summary row per candidate.
 */
export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const { rows, candidates, baseline, caller } = options;
  const gate = new SpendGate(options.maxNanos, options.concurrency);
  const outcomes = new Map<string, EvalOutcome>();
  const key = (rowId: string, candidate: string) => `${candidate}\u0000${rowId}`;
  const calls = rows.flatMap((row) => candidates.map((candidate) => ({ row, candidate })));
  let done = 0;
  const report = (stage: string, total: number) => options.onProgress?.({ stage, done, total, unit: 'calls' });

  const send = async (row: EvalRow, model: string, messages: EvalMessage[], tags: Record<string, string>, inFlight: number) => {
    const ceiling = gate.open(inFlight);
    if (ceiling === null) return null;
    const reply = await caller.call({ model, messages, maxCostNanos: ceiling, tags: { ...options.tags, ...tags } }, row);
    gate.settle(ceiling, reply.costNanos);
    if (!reply.ok && reply.code === 'cost_ceiling_exceeded') {
      gate.close();
      return null;
    }
    return reply;
  };

  report('calling candidates', calls.length);
  await pool(calls, options.concurrency, async ({ row, candidate }, inFlight) => {
    const reply = await send(row, candidate, row.messages, { eval_candidate: candidate }, inFlight());
    const outcome: EvalOutcome =
      reply === null
        ? { rowId: row.id, candidate, skipped: true, costNanos: 0, latencyMs: 0 }
        : reply.ok
          ? { rowId: row.id, candidate, answer: reply.answer, costNanos: reply.costNanos, latencyMs: reply.latencyMs, requestId: reply.requestId }
          : { rowId: row.id, candidate, error: reply.error, costNanos: reply.costNanos, latencyMs: reply.latencyMs, requestId: reply.requestId };
    outcomes.set(key(row.id, candidate), outcome);
    done += 1;
    report('calling candidates', calls.length);
  });

  let judgeNanos = 0;
  let judgeCalls = 0;
  const judged: Array<{ row: EvalRow; outcome: EvalOutcome; model: string; index: number }> = [];
  rows.forEach((row, index) => {
    const grader = row.grader ?? options.grader;
    for (const candidate of candidates) {
      const outcome = outcomes.get(key(row.id, candidate))!;
      if (outcome.answer === undefined) continue;
      if (grader.kind !== 'judge') {
        outcome.score = gradeWithoutModel(grader, row, outcome.answer);
        continue;
      }
      // Pairwise against the baseline: the baseline ties itself by definition, no call needed.
      if (row.expected === undefined && candidate === baseline) {
        outcome.score = VERDICT_SCORE.tie;
        continue;
      }
      judged.push({ row, outcome, model: grader.model, index });
    }
  });

  done = 0;
  if (judged.length > 0) report('judging answers', judged.length);
  await pool(judged, options.concurrency, async ({ row, outcome, model, index }, inFlight) => {
    const reference = row.expected === undefined ? outcomes.get(key(row.id, baseline))?.answer : undefined;
    if (row.expected === undefined && reference === undefined) return;
    // Pairwise order alternates by row, so a judge's taste for the first answer cancels out over the file.
    const swap = index % 2 === 1;
    const prompt = judgePrompt(row, outcome.answer!, reference, swap);
    const reply = await send(row, model, prompt, { eval_candidate: outcome.candidate, eval_role: 'judge' }, inFlight());
    done += 1;
    report('judging answers', judged.length);
    if (reply === null) return;
    judgeCalls += 1;
    judgeNanos += reply.costNanos;
    if (!reply.ok) return;
    const verdict: JudgeVerdict | undefined = parseJudgeVerdict(reply.answer, reference === undefined ? 'score' : 'pairwise', swap);
    if (verdict === undefined) return;
    if (verdict.kind === 'score') outcome.score = verdict.score;
    else {
      outcome.versusBaseline = verdict.outcome;
      outcome.score = VERDICT_SCORE[verdict.outcome];
    }
  });

  const all = [...outcomes.values()];
  const { stored, notStored } = await recordGrades(options, all);
  const summary = summarizeEval(candidates, baseline, all);
  return {
    ...summary,
    outcomes: all,
    judgeNanos,
    judgeCalls,
    ungraded: all.filter((outcome) => outcome.answer !== undefined && outcome.score === undefined).length,
    skipped: all.filter((outcome) => outcome.skipped).length,
    spentNanos: gate.total,
    gradesStored: stored,
    gradesNotStored: notStored,
  };
}

/** Each graded answer that has a ledger row, its grade kept there (concurrently, as the calls ran). */
async function recordGrades(options: EvalOptions, outcomes: readonly EvalOutcome[]): Promise<{ stored: number; notStored: number }> {
  const record = options.caller.recordGrade?.bind(options.caller);
  const graded = outcomes.filter((outcome) => outcome.requestId !== undefined && outcome.score !== undefined);
  let stored = 0;
  if (record === undefined || graded.length === 0) return { stored, notStored: 0 };
  const rows = new Map(options.rows.map((row) => [row.id, row]));
  await pool(graded, options.concurrency, async (outcome) => {
    const grader = rows.get(outcome.rowId)?.grader ?? options.grader;
    const metadata: Record<string, string> = { row: outcome.rowId, candidate: outcome.candidate, grader: grader.kind === 'judge' ? `judge:${grader.model}` : grader.kind };
    if (options.tags.eval !== undefined) metadata.eval = options.tags.eval;
    if (outcome.versusBaseline !== undefined) metadata.versus_baseline = outcome.versusBaseline;
    if (await record({ requestId: outcome.requestId!, score: outcome.score!, metadata })) stored += 1;
  });
  return { stored, notStored: graded.length - stored };
}
