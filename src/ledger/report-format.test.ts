import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import type { ReportRow } from './ledger-store.js';
import { formatPercent, formatReportCsv, formatReportJson, formatReportTable, formatSavingsTable, formatUsd, parseSince, totalReport } from './report-format.js';

/**
 * Saves half the cost (rounded down), split consistently: routing lost 3 per request, compression saved 7 and
 * prompt caching 1, the response cache the rest (negative on the tiniest rows; the formats do not care).
 */
function reportRow(group: string | null, costNanos: bigint, requests = 1): ReportRow {
  const savedNanos = costNanos / 2n;
  const n = BigInt(requests);
  return {
    group, requests, promptTokens: 100 * requests, completionTokens: 10 * requests, cachedTokens: requests, costNanos, savedNanos,
    baselineNanos: costNanos + savedNanos, savedRoutingNanos: -3n * n, savedCacheNanos: savedNanos - 5n * n, savedCompressionNanos: 7n * n,
    savedPromptCacheNanos: n, savedBatchNanos: 0n, savedBatchingNanos: 0n, callerChoiceNanos: 2n * n, errors: 0, estimatedRows: requests > 1 ? 1 : 0,
  };
}

describe('formatUsd', () => {
  it('rounds nano-dollars half away from zero at the chosen digit', () => {
    expect(formatUsd(1_234_567_890n)).toBe('1.234568');
    expect(formatUsd(1_234_567_490n)).toBe('1.234567');
    expect(formatUsd(500n)).toBe('0.000001');
    expect(formatUsd(499n)).toBe('0.000000');
    expect(formatUsd(-1_500n)).toBe('-0.000002');
    expect(formatUsd(-400n)).toBe('0.000000');
    expect(formatUsd(0)).toBe('0.000000');
    expect(formatUsd(2_500_000_000, 0)).toBe('3');
    expect(formatUsd(1_999_999_999n, 2)).toBe('2.00');
  });

  it('is exact past 2^53 and to the nano-dollar (and beyond) with more digits', () => {
    expect(formatUsd(27_021_597_764_222_974n, 9)).toBe('27021597.764222974');
    expect(formatUsd(123_456_789_012_345_678_901n, 9)).toBe('123456789012.345678901');
    expect(formatUsd(1n, 9)).toBe('0.000000001');
    expect(formatUsd(1n, 11)).toBe('0.00000000100');
  });

  it('refuses a fractional number instead of guessing', () => {
    expect(() => formatUsd(1.5)).toThrow(FrugalError);
    expect(() => formatUsd(1n, -1)).toThrow(FrugalError);
  });
});

describe('report formats', () => {
  const rows = [reportRow('gpt-4o', 1_500_000_000n, 3), reportRow(null, 250n)];

  it('totals every column, cost and savings as exact bigints', () => {
    // Each row saves 9 007 199 254 740 991 / 2 = 4 503 599 627 370 495 (integer division), twice 9 007 199 254 740 990;
    // baseline twice 13 510 798 882 111 486; the cache twice (saved − 5).
    expect(totalReport([reportRow('a', 9_007_199_254_740_991n), reportRow('b', 9_007_199_254_740_991n)])).toEqual({
      requests: 2, promptTokens: 200, completionTokens: 20, cachedTokens: 2, costNanos: 18_014_398_509_481_982n, savedNanos: 9_007_199_254_740_990n,
      baselineNanos: 27_021_597_764_222_972n, savedRoutingNanos: -6n, savedCacheNanos: 9_007_199_254_740_980n, savedCompressionNanos: 14n,
      savedPromptCacheNanos: 2n, savedBatchNanos: 0n, savedBatchingNanos: 0n, callerChoiceNanos: 4n, errors: 0, estimatedRows: 0,
    });
  });

  it('prints a table with a header, a (none) group and a TOTAL line', () => {
    const lines = formatReportTable(rows, 'model').split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['model', 'requests', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'errors', 'estimated', 'spend_usd', 'saved_usd']);
    expect(lines[2].split(/\s+/)).toEqual(['gpt-4o', '3', '300', '30', '3', '0', '1', '1.500000', '0.750000']);
    // 250 nano-dollars spent and 125 saved both round to zero micro-dollars.
    expect(lines[3].split(/\s+/)).toEqual(['(none)', '1', '100', '10', '1', '0', '0', '0.000000', '0.000000']);
    expect(lines.at(-1)!.split(/\s+/)).toEqual(['TOTAL', '4', '400', '40', '4', '0', '1', '1.500000', '0.750000']);
    // Numbers are right-aligned: every line has the same width.
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });

  it('prints a TOTAL line of zeros for an empty report', () => {
    expect(formatReportTable([], 'day').split('\n').at(-1)!.split(/\s+/)).toEqual(['TOTAL', '0', '0', '0', '0', '0', '0', '0.000000', '0.000000']);
  });

  it('writes JSON with exact cost, saving, baseline and by-mechanism strings and a total', () => {
    const parsed = JSON.parse(formatReportJson(rows, 'model'));
    expect(parsed.by).toBe('model');
    // Saved 750 000 000 = routing −9 + cache 749 999 985 + compression 21 + prompt cache 3; baseline = cost + saved.
    expect(parsed.rows[0]).toEqual({
      group: 'gpt-4o', requests: 3, promptTokens: 300, completionTokens: 30, cachedTokens: 3, costNanos: '1500000000', errors: 0, estimatedRows: 1, costUsd: '1.500000000',
      savedNanos: '750000000', savedUsd: '0.750000000', baselineNanos: '2250000000', baselineUsd: '2.250000000',
      savedRoutingNanos: '-9', savedRoutingUsd: '-0.000000009', savedCacheNanos: '749999985', savedCacheUsd: '0.749999985',
      savedCompressionNanos: '21', savedCompressionUsd: '0.000000021', savedPromptCacheNanos: '3', savedPromptCacheUsd: '0.000000003',
      savedBatchNanos: '0', savedBatchUsd: '0.000000000', savedBatchingNanos: '0', savedBatchingUsd: '0.000000000', callerChoiceNanos: '6', callerChoiceUsd: '0.000000006',
    });
    expect(parsed.rows[1]).toMatchObject({ group: null, costNanos: '250', savedNanos: '125', savedUsd: '0.000000125', baselineNanos: '375', savedCacheNanos: '120' });
    // Saved 750 000 000 + 125; baseline 2 250 000 000 + 375; routing −9 − 3; cache 749 999 985 + 120.
    expect(parsed.total).toEqual({
      requests: 4, promptTokens: 400, completionTokens: 40, cachedTokens: 4, errors: 0, estimatedRows: 1, costNanos: '1500000250', costUsd: '1.500000250',
      savedNanos: '750000125', savedUsd: '0.750000125', baselineNanos: '2250000375', baselineUsd: '2.250000375',
      savedRoutingNanos: '-12', savedRoutingUsd: '-0.000000012', savedCacheNanos: '750000105', savedCacheUsd: '0.750000105',
      savedCompressionNanos: '28', savedCompressionUsd: '0.000000028', savedPromptCacheNanos: '4', savedPromptCacheUsd: '0.000000004',
      savedBatchNanos: '0', savedBatchUsd: '0.000000000', savedBatchingNanos: '0', savedBatchingUsd: '0.000000000', callerChoiceNanos: '8', callerChoiceUsd: '0.000000008',
    });
  });

  it('keeps JSON money exact past 2^53', () => {
    const max = 9_007_199_254_740_991n;
    const parsed = JSON.parse(formatReportJson([reportRow('a', max), reportRow('b', max)], 'model'));
    expect(parsed.total).toMatchObject({ baselineNanos: '27021597764222972', baselineUsd: '27021597.764222972', savedCacheNanos: '9007199254740980' });
  });

  it('writes RFC 4180 CSV, quoting commas and quotes and defusing spreadsheet formulas', () => {
    const csv = formatReportCsv([reportRow('a,"b"', 1n), reportRow('=HYPERLINK("x")', 2n), reportRow(null, 3n)], 'feature');
    expect(csv.split('\r\n')).toEqual([
      'feature,requests,prompt_tokens,completion_tokens,cached_tokens,errors,estimated_rows,cost_nanos,cost_usd,saved_nanos,saved_usd,' +
        'baseline_nanos,baseline_usd,saved_routing_nanos,saved_routing_usd,saved_cache_nanos,saved_cache_usd,' +
        'saved_compression_nanos,saved_compression_usd,saved_prompt_cache_nanos,saved_prompt_cache_usd,saved_batch_nanos,saved_batch_usd,saved_batching_nanos,saved_batching_usd,caller_choice_nanos,caller_choice_usd',
      // Saved is cost / 2 rounded down: 0, 1, 1; baseline cost + saved: 1, 3, 4; routing −3, compression 7, prompt cache 1
      // and the cache saved − 5: −5, −4, −4.
      '"a,""b""",1,100,10,1,0,0,1,0.000000001,0,0.000000000,1,0.000000001,-3,-0.000000003,-5,-0.000000005,7,0.000000007,1,0.000000001,0,0.000000000,0,0.000000000,2,0.000000002',
      `"'=HYPERLINK(""x"")",1,100,10,1,0,0,2,0.000000002,1,0.000000001,3,0.000000003,-3,-0.000000003,-4,-0.000000004,7,0.000000007,1,0.000000001,0,0.000000000,0,0.000000000,2,0.000000002`,
      ',1,100,10,1,0,0,3,0.000000003,1,0.000000001,4,0.000000004,-3,-0.000000003,-4,-0.000000004,7,0.000000007,1,0.000000001,0,0.000000000,0,0.000000000,2,0.000000002',
      '',
    ]);
  });
});

function savingsRow(group: string | null, requests: number, nanos: { cost: bigint; routing: bigint; cache: bigint; compression: bigint; promptCache: bigint; batch?: bigint; batching?: bigint; callerChoice?: bigint }): ReportRow {
  const savedNanos = nanos.routing + nanos.cache + nanos.compression + nanos.promptCache + (nanos.batch ?? 0n) + (nanos.batching ?? 0n);
  return {
    group, requests, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costNanos: nanos.cost, savedNanos, baselineNanos: nanos.cost + savedNanos,
    savedRoutingNanos: nanos.routing, savedCacheNanos: nanos.cache, savedCompressionNanos: nanos.compression, savedPromptCacheNanos: nanos.promptCache, savedBatchNanos: nanos.batch ?? 0n, savedBatchingNanos: nanos.batching ?? 0n,
    callerChoiceNanos: nanos.callerChoice ?? 0n, errors: 0, estimatedRows: 0,
  };
}

describe('savings table', () => {
  const rows = [
    // $1 spent of a $4 baseline: saved $3 = routing 2.5 + cache 0.3 + compression 0.15 + prompt cache 0.05, 75 %.
    // Callers also named cheaper models than the baseline themselves: $0.70, shown apart and in no saving.
    savingsRow('gpt-4o-mini', 4, { cost: 1_000_000_000n, routing: 2_500_000_000n, cache: 300_000_000n, compression: 150_000_000n, promptCache: 50_000_000n, callerChoice: 700_000_000n }),
    // A dearer model than the baseline: $2 spent of $1.5, routing −0.6 and compression +0.1 → saved −0.5, −33.3 %;
    // a batch lane saved 0.04 that a failed prompt batch's re-sends gave back.
    savingsRow('claude-sonnet', 1, { cost: 2_000_000_000n, routing: -600_000_000n, cache: 0n, compression: 100_000_000n, promptCache: 0n, batch: 40_000_000n, batching: -40_000_000n }),
    // Cache hits: nothing spent, 1 234 567 nano-dollars saved, 100 %.
    savingsRow(null, 2, { cost: 0n, routing: 0n, cache: 1_234_567n, compression: 0n, promptCache: 0n }),
  ];

  it('prints baseline, spend, saved and the saving by mechanism per group, with a TOTAL line', () => {
    const lines = formatSavingsTable(rows, 'model').split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['model', 'requests', 'baseline_usd', 'spend_usd', 'saved_usd', 'routing_usd', 'cache_usd', 'compression_usd', 'prompt_cache_usd', 'batch_usd', 'batching_usd', 'saved_pct', 'caller_choice_usd']);
    expect(lines[1]).toMatch(/^-+( +-+){12}$/);
    expect(lines[2].split(/\s+/)).toEqual(['gpt-4o-mini', '4', '4.000000', '1.000000', '3.000000', '2.500000', '0.300000', '0.150000', '0.050000', '0.000000', '0.000000', '75.0', '0.700000']);
    expect(lines[3].split(/\s+/)).toEqual(['claude-sonnet', '1', '1.500000', '2.000000', '-0.500000', '-0.600000', '0.000000', '0.100000', '0.000000', '0.040000', '-0.040000', '-33.3', '0.000000']);
    expect(lines[4].split(/\s+/)).toEqual(['(none)', '2', '0.001235', '0.000000', '0.001235', '0.000000', '0.001235', '0.000000', '0.000000', '0.000000', '0.000000', '100.0', '0.000000']);
    // Baseline 5 501 234 567, spend 3 000 000 000, saved 2 501 234 567 (45.4667 %), routing 1.9, cache 0.301234567.
    expect(lines.at(-1)!.split(/\s+/)).toEqual(['TOTAL', '7', '5.501235', '3.000000', '2.501235', '1.900000', '0.301235', '0.250000', '0.050000', '0.040000', '-0.040000', '45.5', '0.700000']);
    expect(lines).toHaveLength(7);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });

  it('says n/a for the percentage when there is no baseline, as in an empty report', () => {
    expect(formatSavingsTable([], 'team').split('\n').at(-1)!.split(/\s+/)).toEqual(['TOTAL', '0', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', '0.000000', 'n/a', '0.000000']);
  });
});

describe('formatPercent', () => {
  it('rounds half away from zero at the chosen decimal, with no negative zero', () => {
    expect(formatPercent(1n, 3n)).toBe('33.3');
    expect(formatPercent(2n, 3n)).toBe('66.7');
    expect(formatPercent(-1n, 8n)).toBe('-12.5');
    expect(formatPercent(1n, 16n)).toBe('6.3');
    expect(formatPercent(-1n, 16n)).toBe('-6.3');
    expect(formatPercent(1n, 2_000n)).toBe('0.1');
    expect(formatPercent(1n, 2_001n)).toBe('0.0');
    expect(formatPercent(-1n, 3_000n)).toBe('0.0');
    expect(formatPercent(3n, 2n)).toBe('150.0');
    expect(formatPercent(1n, 3n, 0)).toBe('33');
    expect(formatPercent(1n, 3n, 3)).toBe('33.333');
  });

  it('is exact far past 2^53 and says n/a for a zero whole', () => {
    expect(formatPercent(2n ** 80n, 3n * 2n ** 80n, 6)).toBe('33.333333');
    expect(formatPercent(2n ** 80n - 1n, 2n ** 80n, 9)).toBe('100.000000000');
    expect(formatPercent(0n, 0n)).toBe('n/a');
    expect(formatPercent(5n, 0n)).toBe('n/a');
    expect(() => formatPercent(1n, 3n, -1)).toThrow(FrugalError);
  });
});

describe('parseSince', () => {
  const now = Date.UTC(2025, 2, 10, 12, 0, 0);

  it('reads durations back from now', () => {
    expect(parseSince('30m', now)).toBe(now - 30 * 60_000);
    expect(parseSince('24h', now)).toBe(now - 24 * 3_600_000);
    expect(parseSince('7d', now)).toBe(Date.UTC(2025, 2, 3, 12, 0, 0));
    expect(parseSince('2w', now)).toBe(Date.UTC(2025, 1, 24, 12, 0, 0));
  });

  it('reads ISO dates and times, UTC unless an offset is given', () => {
    expect(parseSince('2025-03-01', now)).toBe(Date.UTC(2025, 2, 1));
    expect(parseSince('2025-03-01T12:30', now)).toBe(Date.UTC(2025, 2, 1, 12, 30));
    expect(parseSince('2025-03-01T12:30:15.5Z', now)).toBe(Date.UTC(2025, 2, 1, 12, 30, 15, 500));
    expect(parseSince('2025-03-01T12:00:00+02:00', now)).toBe(Date.UTC(2025, 2, 1, 10));
  });

  it('refuses anything else with a coded error naming the option', () => {
    for (const bad of ['7', 'seven days', '7 days', '-7d', '2025-02-30', '2025-13-01', 'March 1', '']) {
      let caught: unknown;
      try {
        parseSince(bad, now, 'until');
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toMatchObject({ code: 'invalid_request', param: 'until' });
    }
  });
});
