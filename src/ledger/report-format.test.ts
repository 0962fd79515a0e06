import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import type { ReportRow } from './ledger-store.js';
import { formatReportCsv, formatReportJson, formatReportTable, formatUsd, parseSince, totalReport } from './report-format.js';

function reportRow(group: string | null, costNanos: bigint, requests = 1): ReportRow {
  return { group, requests, promptTokens: 100 * requests, completionTokens: 10 * requests, cachedTokens: requests, costNanos, savedNanos: costNanos / 2n, errors: 0, estimatedRows: requests > 1 ? 1 : 0 };
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
    // Each row saves 9 007 199 254 740 991 / 2 = 4 503 599 627 370 495 (integer division), twice 9 007 199 254 740 990.
    expect(totalReport([reportRow('a', 9_007_199_254_740_991n), reportRow('b', 9_007_199_254_740_991n)])).toEqual({
      requests: 2, promptTokens: 200, completionTokens: 20, cachedTokens: 2, costNanos: 18_014_398_509_481_982n, savedNanos: 9_007_199_254_740_990n,
      errors: 0, estimatedRows: 0,
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

  it('writes JSON with exact cost and saving strings and a total', () => {
    const parsed = JSON.parse(formatReportJson(rows, 'model'));
    expect(parsed.by).toBe('model');
    expect(parsed.rows[0]).toEqual({
      group: 'gpt-4o', requests: 3, promptTokens: 300, completionTokens: 30, cachedTokens: 3, costNanos: '1500000000', errors: 0, estimatedRows: 1, costUsd: '1.500000000',
      savedNanos: '750000000', savedUsd: '0.750000000',
    });
    expect(parsed.rows[1]).toMatchObject({ group: null, costNanos: '250', savedNanos: '125', savedUsd: '0.000000125' });
    // Saved 750 000 000 + 125.
    expect(parsed.total).toMatchObject({ requests: 4, costNanos: '1500000250', costUsd: '1.500000250', savedNanos: '750000125', savedUsd: '0.750000125' });
  });

  it('writes RFC 4180 CSV, quoting commas and quotes and defusing spreadsheet formulas', () => {
    const csv = formatReportCsv([reportRow('a,"b"', 1n), reportRow('=HYPERLINK("x")', 2n), reportRow(null, 3n)], 'feature');
    expect(csv.split('\r\n')).toEqual([
      'feature,requests,prompt_tokens,completion_tokens,cached_tokens,errors,estimated_rows,cost_nanos,cost_usd,saved_nanos,saved_usd',
      // Saved is cost / 2 rounded down: 0, 1, 1.
      '"a,""b""",1,100,10,1,0,0,1,0.000000001,0,0.000000000',
      `"'=HYPERLINK(""x"")",1,100,10,1,0,0,2,0.000000002,1,0.000000001`,
      ',1,100,10,1,0,0,3,0.000000003,1,0.000000001',
      '',
    ]);
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
