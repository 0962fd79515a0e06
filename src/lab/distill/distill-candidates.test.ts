import { describe, expect, it } from 'vitest';
import { usdPerMillionToPico } from '../../catalog/pricing.js';
import type { ReportRow } from '../../ledger/ledger-store.js';
import { distillCandidates } from './distill-candidates.js';

const DAY = 86_400_000;

function row(group: string | null, requests: number, promptTokens: number, completionTokens: number, costNanos: bigint): ReportRow {
  return {
    group, requests, promptTokens, completionTokens, cachedTokens: 0, costNanos, savedNanos: 0n, baselineNanos: costNanos, savedRoutingNanos: 0n, savedCacheNanos: 0n,
    savedCompressionNanos: 0n, savedPromptCacheNanos: 0n, savedBatchNanos: 0n, savedBatchingNanos: 0n, callerChoiceNanos: 0n, errors: 0, estimatedRows: 0,
  };
}

// $0.20 / $0.80 per 1M tokens: 200 000 and 800 000 pico-dollars a token.
const price = { inputPico: usdPerMillionToPico('0.2'), outputPico: usdPerMillionToPico('0.8'), cachedInputPico: usdPerMillionToPico('0.2'), cacheWritePico: usdPerMillionToPico('0.2') };

describe('distillCandidates', () => {
  it('projects a week to a 30-day month and prices the same tokens at the distilled rate, most saving first', () => {
    // A week of 'classify': 300 000 calls (→ 1 285 714.29 → 1 285 714 a month), 60M prompt + 6M completion tokens
    // costing $90; distilled: 60M × 0.2 + 6M × 0.8 = $16.80 a week. × 30/7 → $385.714285714 and $72 a month.
    // 'chat' is smaller and dearer per call; a null task keeps its (none) group.
    const rows = [row('chat', 70_000, 7_000_000, 7_000_000, 50_000_000_000n), row('classify', 300_000, 60_000_000, 6_000_000, 90_000_000_000n), row(null, 7, 700, 70, 1_000n)];
    const [first, second, third] = distillCandidates(rows, 7 * DAY, price);
    expect(first).toEqual({
      task: 'classify', requests: 300_000, monthlyCalls: 1_285_714, monthlySpendNanos: 385_714_285_714n, distilledMonthlyNanos: 72_000_000_000n,
      monthlySavingNanos: 313_714_285_714n, passes: true,
    });
    // chat: $50 a week → $214.285714286; distilled 7M × 0.2 + 7M × 0.8 = $7 → $30 a month; 300 000 calls a month.
    expect(second).toMatchObject({ task: 'chat', monthlyCalls: 300_000, monthlySpendNanos: 214_285_714_286n, distilledMonthlyNanos: 30_000_000_000n, passes: false });
    expect(third).toMatchObject({ task: null, monthlyCalls: 30, passes: false });
  });

  it('lowers the bar when asked, and leaves out groups with no requests', () => {
    const rows = [row('chat', 70_000, 7_000_000, 7_000_000, 50_000_000_000n), row('empty', 0, 0, 0, 0n)];
    expect(distillCandidates(rows, 7 * DAY, price, 100_000).map((c) => [c.task, c.passes])).toEqual([['chat', true]]);
  });
});
