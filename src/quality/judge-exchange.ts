import type { JudgeSettings } from '../config/quality-settings.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { OverheadCaller } from '../request/overhead-caller.js';
import { publishQualityEvent } from '../telemetry/quality-events.js';
import { hashUnit } from './hash-unit.js';
import { pairwiseJudgeRequest, rubricJudgeRequest } from './judge-prompt.js';
import { parsePairwiseVerdict, parseRubricVerdict, winScore, type PairwiseWinner } from './judge-verdict.js';
import { redactText } from './redact-sample.js';
import type { SampledExchange } from './sampled-exchange.js';

/** Score names judges write: `report --quality judge` and `report --quality judge_win` read them. */
export const JUDGE_SCORE = 'judge';
export const JUDGE_WIN_SCORE = 'judge_win';

interface JudgeJob {
  exchange: SampledExchange;
  call: OverheadCaller;
  feedback: FeedbackStore;
  signal: AbortSignal;
}

const of = (exchange: SampledExchange) => ({ requestId: exchange.requestId, keyId: exchange.keyId, tags: exchange.tags });

/**
 * Order of the two answers shown to a pairwise judge, from the request id: judges favour the first position, so
 * ours is A on about half the requests (deterministically, so a test can tell which).
 */
export function oursFirst(requestId: string): boolean {
  return hashUnit(0x51ed270b, requestId) < 0.5;
}

async function pairwise(job: JudgeJob, judgeModel: string, ours: string, theirs: string, experiment: { name: string; arm: string } | undefined): Promise<{ winner: PairwiseWinner; score: number; reason: string | null; judgeId: string } | undefined> {
  const first = oursFirst(job.exchange.requestId);
  const judged = await job.call({
    overhead: 'judge',
    model: judgeModel,
    request: pairwiseJudgeRequest(job.exchange.request, first ? ours : theirs, first ? theirs : ours),
    of: of(job.exchange),
    experiment,
    signal: job.signal,
  });
  const verdict = parsePairwiseVerdict(judged.text);
  if (!verdict) {
    publishQualityEvent({ kind: 'unparsed', route: job.exchange.route ?? null, reason: 'pairwise' });
    return undefined;
  }
  return { winner: verdict.winner, score: winScore(verdict.winner, first ? 'A' : 'B'), reason: verdict.reason, judgeId: judged.requestId };
}

/** A sampled answer graded by the route's judge: on its rubric, or pairwise against the reference model's answer. */
export async function judgeExchange(job: JudgeJob & { judge: JudgeSettings }): Promise<void> {
  const { exchange, judge, feedback } = job;
  const patterns = exchange.settings?.redact ?? [];
  const target = { requestId: exchange.requestId, requestTs: exchange.requestTs, source: 'judge' as const, scoredBy: `judge:${judge.model}` };
  if (judge.mode === 'rubric') {
    const judged = await job.call({ overhead: 'judge', model: judge.model, request: rubricJudgeRequest(judge.rubric, exchange.request, exchange.answer), of: of(exchange), experiment: exchange.experiment, signal: job.signal });
    const verdict = parseRubricVerdict(judged.text);
    if (!verdict) {
      publishQualityEvent({ kind: 'unparsed', route: exchange.route ?? null, reason: 'rubric' });
      return;
    }
    await feedback.add({ ...target, name: JUDGE_SCORE, score: verdict.score, comment: verdict.reason && redactText(verdict.reason, patterns), metadata: { mode: 'rubric', judge_request_id: judged.requestId } });
    publishQualityEvent({ kind: 'judged', route: exchange.route ?? null, reason: null, score: verdict.score });
    return;
  }
  const reference = await job.call({ overhead: 'reference', model: judge.referenceModel, request: exchange.request, of: of(exchange), experiment: exchange.experiment, signal: job.signal });
  const result = await pairwise(job, judge.model, exchange.answer, reference.text, exchange.experiment);
  if (!result) return;
  await feedback.add({
    ...target,
    name: JUDGE_WIN_SCORE,
    score: result.score,
    comment: result.reason && redactText(result.reason, patterns),
    metadata: { mode: 'pairwise', against: judge.referenceModel, verdict: result.score === 1 ? 'win' : result.score === 0 ? 'loss' : 'tie', reference_request_id: reference.requestId, judge_request_id: result.judgeId },
  });
  publishQualityEvent({ kind: 'judged', route: exchange.route ?? null, reason: null, score: result.score });
}

/**
 * A shadow arm: the candidate answers a copy of the request (never served: its answer goes only to the judge),
 * and, when a judge is named, is graded pairwise against the answer that was served. The grade is kept on the
 * shadow's own ledger row, so `report --experiment` shows it as the shadow arm's win-rate.
 */
export async function judgeShadow(job: JudgeJob & { shadow: NonNullable<SampledExchange['shadow']>; judgeModel: string | undefined }): Promise<void> {
  const { exchange, shadow, feedback } = job;
  const arm = { name: shadow.experiment, arm: shadow.name };
  const candidate = await job.call({ overhead: 'shadow', model: shadow.model, request: exchange.request, of: of(exchange), experiment: arm, signal: job.signal });
  if (job.judgeModel === undefined) return;
  const result = await pairwise(job, job.judgeModel, candidate.text, exchange.answer, arm);
  if (!result) return;
  await feedback.add({
    requestId: candidate.requestId,
    requestTs: candidate.ts,
    source: 'judge',
    scoredBy: `judge:${job.judgeModel}`,
    name: JUDGE_WIN_SCORE,
    score: result.score,
    comment: result.reason && redactText(result.reason, exchange.settings?.redact ?? []),
    metadata: { mode: 'shadow', against: exchange.requestId, served_arm: exchange.experiment?.arm ?? null, judge_request_id: result.judgeId },
  });
}
