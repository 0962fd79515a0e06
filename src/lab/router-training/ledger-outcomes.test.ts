import { describe, expect, it } from 'vitest';
import type { CurrentScore, ScoredSample, ShadowVerdict } from '../scored-samples/scored-sample-reader.js';
import { ledgerOutcomes } from './ledger-outcomes.js';

let next = 0;
function sample(question: string, model: string, costNanos: number | null, scores: Array<Partial<CurrentScore> & { score: number }>, route = 'auto'): ScoredSample {
  next += 1;
  return {
    requestId: `r${next}`,
    requestTs: next,
    route,
    model,
    task: null,
    requestJson: JSON.stringify([{ role: 'user', content: question }]),
    answer: 'an answer',
    costNanos,
    scores: scores.map((score) => ({ name: 'default', source: 'user', metadata: null, ...score })),
  };
}

const none = { shadows: [] as ShadowVerdict[], references: new Map() };

describe('ledger outcomes', () => {
  it('pairs two models on the same question by their scores, the dearer one as strong, labels by who did better', () => {
    const samples = [
      sample('q1', 'mini', 1_000, [{ score: 0 }]),
      sample('q1', 'big', 20_000, [{ score: 1 }]),
      sample('q2', 'mini', 1_200, [{ score: 1 }]),
      sample('q2', 'big', 22_000, [{ score: 1 }]),
      sample('q3', 'big', 18_000, [{ score: 0 }]),
      sample('q3', 'mini', 800, [{ score: 1 }]),
      sample('q4', 'mini', 900, [{ score: 1 }]),
    ];
    const outcomes = ledgerOutcomes({ samples, ...none });
    expect([outcomes.strong, outcomes.weak]).toEqual(['big', 'mini']);
    expect(outcomes.prompts.map((prompt) => [prompt.request.messages[0].content, prompt.label])).toEqual([
      ['q1', 'strong'],
      ['q2', 'tie'],
      ['q3', 'weak'],
    ]);
    expect(Array.from(outcomes.table.strongCost)).toEqual([20_000, 22_000, 18_000]);
    expect(Array.from(outcomes.table.weakCost)).toEqual([1_000, 1_200, 800]);
    expect(outcomes.counts).toEqual({ samples: 7, questions: 4, paired: 3, singleModel: 1 });
  });

  it('takes the first score name an answer has, averages repeated answers, and calls close scores a tie', () => {
    const samples = [
      // The app's own verdict wins over the judge's on the same answer.
      sample('q1', 'mini', 1_000, [{ name: 'judge', score: 1, source: 'judge' }, { score: 0 }]),
      sample('q1', 'big', 9_000, [{ name: 'judge', score: 0.9, source: 'judge' }]),
      // Two answers of mini to q2: mean 0.5 against big's 0.55: within 0.1, a tie.
      sample('q2', 'mini', 1_000, [{ name: 'eval', score: 1, source: 'app' }]),
      sample('q2', 'mini', 1_000, [{ name: 'eval', score: 0, source: 'app' }]),
      sample('q2', 'big', 9_000, [{ name: 'judge', score: 0.55, source: 'judge' }]),
      // Only a score name not asked for: no evidence.
      sample('q3', 'mini', 1_000, [{ name: 'helpful', score: 1 }]),
      sample('q3', 'big', 9_000, [{ name: 'helpful', score: 0 }]),
    ];
    const outcomes = ledgerOutcomes({ samples, ...none });
    expect(outcomes.prompts.map((prompt) => [prompt.request.messages[0].content, prompt.label, prompt.strongQuality, prompt.weakQuality])).toEqual([
      ['q1', 'strong', 0.9, 0],
      ['q2', 'tie', 0.55, 0.5],
    ]);
    const helpful = ledgerOutcomes({ samples, ...none }, { scoreNames: ['helpful'] });
    expect(helpful.prompts.map((prompt) => prompt.label)).toEqual(['weak']);
    expect(ledgerOutcomes({ samples, ...none }, { tieWithin: 0 }).prompts[1].label).toBe('strong');
  });

  it("uses a reference judge's and a shadow's pairwise verdicts where the two models have no scores, costs from their rows", () => {
    const referenced = sample('q1', 'mini', 1_000, [{ name: 'judge_win', score: 0, source: 'judge', metadata: { mode: 'pairwise', against: 'big', reference_request_id: 'ref1' } }]);
    const served = sample('q2', 'mini', 2_000, []);
    const tied = sample('q3', 'big', 30_000, []);
    const shadows: ShadowVerdict[] = [
      { servedRequestId: served.requestId, candidateModel: 'big', candidateCostNanos: 40_000, score: 0 },
      { servedRequestId: tied.requestId, candidateModel: 'mini', candidateCostNanos: 3_000, score: 0.5 },
      { servedRequestId: 'not-sampled', candidateModel: 'big', candidateCostNanos: 1, score: 1 },
    ];
    const references = new Map([['ref1', { model: 'big', costNanos: 50_000 }]]);
    const outcomes = ledgerOutcomes({ samples: [referenced, served, tied], shadows, references });
    expect([outcomes.strong, outcomes.weak]).toEqual(['big', 'mini']);
    expect(outcomes.prompts.map((prompt) => [prompt.request.messages[0].content, prompt.label, prompt.evidence, prompt.strongCost, prompt.weakCost])).toEqual([
      // The reference (big) beat the sampled answer (mini).
      ['q1', 'strong', 'verdicts', 50_000, 1_000],
      // The shadow (big) lost to the served answer (mini).
      ['q2', 'weak', 'verdicts', 40_000, 2_000],
      ['q3', 'tie', 'verdicts', 30_000, 3_000],
    ]);
  });

  it('keeps the questions a route asked, with the answers other routes gave to them, and honours --strong / --weak', () => {
    const samples = [
      sample('q1', 'mini', 1_000, [{ score: 0 }], 'auto'),
      sample('q1', 'big', 9_000, [{ score: 1 }], 'big'),
      sample('q1', 'mid', 4_000, [{ score: 1 }], 'mid'),
      sample('q2', 'mini', 1_000, [{ score: 0 }], 'other'),
      sample('q2', 'big', 9_000, [{ score: 1 }], 'big'),
    ];
    const auto = ledgerOutcomes({ samples, ...none }, { route: 'auto', weak: 'mini' });
    expect(auto.counts.questions).toBe(1);
    expect([auto.strong, auto.weak, auto.prompts.length]).toEqual(['big', 'mini', 1]);
    expect(ledgerOutcomes({ samples, ...none }, { route: 'auto', strong: 'mid' })).toMatchObject({ strong: 'mid', weak: 'mini' });
    expect(() => ledgerOutcomes({ samples, ...none }, { route: 'nobody' })).toThrow(/no question in the ledger was answered by two models/);
    expect(() => ledgerOutcomes({ samples, ...none }, { strong: 'mid', weak: 'nope' })).toThrow(/\(mid and nope\)/);
  });
});
