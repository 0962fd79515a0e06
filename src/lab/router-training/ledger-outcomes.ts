import { FrugalError } from '../../errors/frugal-error.js';
import { STRONG_LABEL, TIE_LABEL, WEAK_LABEL } from '../../routing/classify-request.js';
import type { ScoredSample, ShadowVerdict } from '../scored-samples/scored-sample-reader.js';
import { conversationKey, parseStoredRequest, type StoredRequest } from '../scored-samples/stored-request.js';
import type { PairTable } from '../router-eval/routing-dataset.js';

/**
 * The ledger's quality evidence turned into the routing outcomes `frugal router train` learns from: per question,
 * which of two models did better. A question answered by both models is found by its stored (redacted) messages —
 * an eval run sends the same messages to every candidate; a pairwise judge and a shadow arm grade two answers to
 * one request directly.
 *
 * Evidence, per question and model pair:
 * - absolute scores of both models' answers (the first score name of `scoreNames` an answer has: feedback,
 *   a reviewer's grade, an eval grade, a rubric judge), averaged per model;
 * - else pairwise verdicts between them (a reference judge's `judge_win` on a sample; a shadow's `judge_win`).
 */

/** Which named score of an answer counts, in order: the app's or user's own verdict first, then eval grades, then judges. */
export const DEFAULT_SCORE_NAMES = ['default', 'eval', 'judge'] as const;
/** Scores closer than this are a tie: a rubric judge's 0.80 against 0.75 says nothing about which model to pay for. */
export const DEFAULT_TIE_WITHIN = 0.1;

export interface LedgerOutcomeOptions {
  /** Keep questions that at least one sample of this quality route (or model) asked. */
  route?: string;
  scoreNames?: readonly string[];
  strong?: string;
  weak?: string;
  tieWithin?: number;
}

export interface LedgerOutcomeInput {
  samples: readonly ScoredSample[];
  shadows: readonly ShadowVerdict[];
  /** Ledger rows of reference answers (by request id): model and cost. */
  references: ReadonlyMap<string, { model: string | null; costNanos: number }>;
}

export interface LedgerPrompt {
  request: StoredRequest;
  label: string;
  strongQuality: number;
  weakQuality: number;
  strongCost: number;
  weakCost: number;
  evidence: 'scores' | 'verdicts';
}

export interface LedgerOutcomes {
  strong: string;
  weak: string;
  prompts: LedgerPrompt[];
  table: PairTable;
  counts: {
    /** Samples read (with bodies). */
    samples: number;
    /** Distinct questions in scope (after --route). */
    questions: number;
    /** Questions with evidence on the chosen pair: the training examples. */
    paired: number;
    /** Questions with evidence on one model only. */
    singleModel: number;
  };
  /** Mean cost per answer, per model seen. */
  meanCost: ReadonlyMap<string, number>;
}

interface Verdict {
  /** The model whose win share `score` is. */
  model: string;
  other: string;
  score: number;
  cost: number | null;
  otherCost: number | null;
}

interface Question {
  request: StoredRequest;
  inRoute: boolean;
  absolute: Map<string, { scores: number[]; costs: number[] }>;
  verdicts: Verdict[];
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

function collectQuestions(input: LedgerOutcomeInput, options: LedgerOutcomeOptions): { questions: Map<string, Question>; costs: Map<string, number[]> } {
  const scoreNames = options.scoreNames ?? DEFAULT_SCORE_NAMES;
  const questions = new Map<string, Question>();
  const costs = new Map<string, number[]>();
  const costOf = (model: string, cost: number | null) => {
    if (cost === null) return;
    let list = costs.get(model);
    if (list === undefined) costs.set(model, (list = []));
    list.push(cost);
  };
  const byRequest = new Map<string, { sample: ScoredSample; key: string }>();
  for (const sample of input.samples) {
    const request = parseStoredRequest(sample.requestJson);
    if (request === undefined || sample.model === null) continue;
    const key = conversationKey(request);
    let question = questions.get(key);
    if (question === undefined) questions.set(key, (question = { request, inRoute: false, absolute: new Map(), verdicts: [] }));
    if (options.route === undefined || sample.route === options.route) question.inRoute = true;
    byRequest.set(sample.requestId, { sample, key });
    costOf(sample.model, sample.costNanos);
    const absolute = scoreNames.map((name) => sample.scores.find((score) => score.name === name)).find((score) => score !== undefined);
    if (absolute !== undefined) {
      let entry = question.absolute.get(sample.model);
      if (entry === undefined) question.absolute.set(sample.model, (entry = { scores: [], costs: [] }));
      entry.scores.push(absolute.score);
      if (sample.costNanos !== null) entry.costs.push(sample.costNanos);
    }
    const pairwise = sample.scores.find((score) => score.name === 'judge_win' && score.metadata?.mode === 'pairwise');
    const against = pairwise?.metadata?.against;
    if (pairwise !== undefined && typeof against === 'string' && against !== sample.model) {
      const referenceId = pairwise.metadata?.reference_request_id;
      const reference = typeof referenceId === 'string' ? input.references.get(referenceId) : undefined;
      question.verdicts.push({ model: sample.model, other: against, score: pairwise.score, cost: sample.costNanos, otherCost: reference?.costNanos ?? null });
      costOf(against, reference?.costNanos ?? null);
    }
  }
  for (const shadow of input.shadows) {
    const served = byRequest.get(shadow.servedRequestId);
    if (served === undefined || shadow.candidateModel === null || served.sample.model === null || shadow.candidateModel === served.sample.model) continue;
    questions.get(served.key)!.verdicts.push({ model: shadow.candidateModel, other: served.sample.model, score: shadow.score, cost: shadow.candidateCostNanos, otherCost: served.sample.costNanos });
    costOf(shadow.candidateModel, shadow.candidateCostNanos);
  }
  return { questions, costs };
}

/** The model pairs a question has evidence on. */
function pairsOf(question: Question): Set<string> {
  const pairs = new Set<string>();
  const scored = [...question.absolute.keys()].sort();
  for (let i = 0; i < scored.length; i += 1) for (let j = i + 1; j < scored.length; j += 1) pairs.add(pairKey(scored[i], scored[j]));
  for (const verdict of question.verdicts) pairs.add(pairKey(verdict.model, verdict.other));
  return pairs;
}

function choosePair(questions: readonly Question[], meanCost: ReadonlyMap<string, number>, options: LedgerOutcomeOptions): { strong: string; weak: string } {
  const counts = new Map<string, number>();
  for (const question of questions) for (const pair of pairsOf(question)) counts.set(pair, (counts.get(pair) ?? 0) + 1);
  const wanted = (pair: string) => {
    const [a, b] = pair.split('\u0000');
    return (options.strong === undefined || a === options.strong || b === options.strong) && (options.weak === undefined || a === options.weak || b === options.weak);
  };
  // With one model named, an equally common partner on the right side of it in price is the likelier meaning.
  const partnerCost = (pair: string) => {
    const [a, b] = pair.split('\u0000');
    const named = options.strong ?? options.weak;
    if (named === undefined || (options.strong !== undefined && options.weak !== undefined)) return 0;
    const cost = meanCost.get(a === named ? b : a) ?? 0;
    return options.strong !== undefined ? cost : -cost;
  };
  // The pair with the most questions (ties: by price as above, then by name, so every run chooses the same).
  const best = [...counts].filter(([pair]) => wanted(pair)).sort((x, y) => y[1] - x[1] || partnerCost(x[0]) - partnerCost(y[0]) || (x[0] < y[0] ? -1 : 1))[0];
  if (best === undefined) {
    const named = [options.strong, options.weak].filter((name) => name !== undefined).join(' and ');
    throw new FrugalError(
      'invalid_request',
      `no question in the ledger was answered by two models${named === '' ? '' : ` (${named})`} with scores or a judge's verdict on both. ` +
        'Routing data needs the same question answered by both models: run `frugal eval` with its candidates sampled (quality.routes.<model>: { sample: 1 }), ' +
        'a pairwise judge (judge.reference_model), or a shadow arm.',
    );
  }
  const [a, b] = best[0].split('\u0000');
  if (options.strong !== undefined) return { strong: options.strong, weak: a === options.strong ? b : a };
  if (options.weak !== undefined) return { strong: a === options.weak ? b : a, weak: options.weak };
  // The strong model is the one that costs more per answer; names break a tie.
  const costA = meanCost.get(a) ?? 0;
  const costB = meanCost.get(b) ?? 0;
  return costA > costB || (costA === costB && a > b) ? { strong: a, weak: b } : { strong: b, weak: a };
}

/**
 * @example
 * const outcomes = ledgerOutcomes({ samples, shadows, references }, { route: 'auto' });
 * outcomes.prompts[0].label; // 'strong' | 'weak' | 'tie'
 */
export function ledgerOutcomes(input: LedgerOutcomeInput, options: LedgerOutcomeOptions = {}): LedgerOutcomes {
  const tieWithin = options.tieWithin ?? DEFAULT_TIE_WITHIN;
  const { questions, costs } = collectQuestions(input, options);
  const meanCost = new Map([...costs].map(([model, list]) => [model, mean(list)]));
  const inScope = [...questions.values()].filter((question) => question.inRoute);
  const { strong, weak } = choosePair(inScope, meanCost, options);
  const prompts: LedgerPrompt[] = [];
  let singleModel = 0;
  for (const question of inScope) {
    const s = question.absolute.get(strong);
    const w = question.absolute.get(weak);
    const verdicts = question.verdicts.filter((verdict) => pairKey(verdict.model, verdict.other) === pairKey(strong, weak));
    const models = new Set([...question.absolute.keys(), ...question.verdicts.flatMap((verdict) => [verdict.model, verdict.other])]);
    let strongQuality: number;
    let weakQuality: number;
    let evidence: LedgerPrompt['evidence'];
    const strongCosts: number[] = [...(s?.costs ?? [])];
    const weakCosts: number[] = [...(w?.costs ?? [])];
    if (s !== undefined && w !== undefined) {
      strongQuality = mean(s.scores);
      weakQuality = mean(w.scores);
      evidence = 'scores';
    } else if (verdicts.length > 0) {
      // The strong model's share of wins (a tie is half a win each).
      strongQuality = mean(verdicts.map((verdict) => (verdict.model === strong ? verdict.score : 1 - verdict.score)));
      weakQuality = 1 - strongQuality;
      evidence = 'verdicts';
      for (const verdict of verdicts) {
        const [strongCost, weakCost] = verdict.model === strong ? [verdict.cost, verdict.otherCost] : [verdict.otherCost, verdict.cost];
        if (strongCost !== null) strongCosts.push(strongCost);
        if (weakCost !== null) weakCosts.push(weakCost);
      }
    } else {
      if (models.size === 1) singleModel += 1;
      continue;
    }
    const label = Math.abs(strongQuality - weakQuality) < tieWithin || strongQuality === weakQuality ? TIE_LABEL : strongQuality > weakQuality ? STRONG_LABEL : WEAK_LABEL;
    prompts.push({
      request: question.request,
      label,
      strongQuality,
      weakQuality,
      // An answer whose ledger row is missing costs what its model costs on average.
      strongCost: strongCosts.length > 0 ? mean(strongCosts) : (meanCost.get(strong) ?? 0),
      weakCost: weakCosts.length > 0 ? mean(weakCosts) : (meanCost.get(weak) ?? 0),
      evidence,
    });
  }
  const column = (pick: (prompt: LedgerPrompt) => number) => Float64Array.from(prompts, pick);
  return {
    strong,
    weak,
    prompts,
    table: {
      strong,
      weak,
      strongQuality: column((prompt) => prompt.strongQuality),
      weakQuality: column((prompt) => prompt.weakQuality),
      strongCost: column((prompt) => Math.round(prompt.strongCost)),
      weakCost: column((prompt) => Math.round(prompt.weakCost)),
      costUnit: 'nano-USD',
      assumptions: ['cost: the ledger cost of each answer (its model\'s mean where a row is missing)', `quality: scores ${(options.scoreNames ?? DEFAULT_SCORE_NAMES).join(' > ')}, else judges' pairwise verdicts`],
    },
    counts: { samples: input.samples.length, questions: inScope.length, paired: prompts.length, singleModel },
    meanCost,
  };
}
