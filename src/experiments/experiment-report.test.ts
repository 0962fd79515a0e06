import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { armVerdict, formatExperimentReport, percentile } from './experiment-report.js';
import { openLedgerSqlClient, readExperimentStats, type ArmStats } from './experiment-stats.js';

const arm = (name: string, extra: Partial<ArmStats>): ArmStats => ({
  arm: name,
  shadow: false,
  requests: 0,
  errors: 0,
  costNanos: 0n,
  latenciesMs: [],
  quality: { scored: 0, sum: 0, sumOfSquares: 0, binary: 0, ones: 0 },
  wins: { scored: 0, sum: 0, sumOfSquares: 0, binary: 0, ones: 0 },
  ...extra,
});

describe('experiment verdicts', () => {
  it('says how much cheaper an arm is and whether its quality differs beyond the interval', () => {
    // 620 scores a side, variance 0.0726: ± 1.96·√(2·0.0726/620) = 0.030; means 0.80 and 0.79.
    const a = arm('a', { requests: 1_000, costNanos: 1_000_000n, quality: { scored: 620, sum: 496, sumOfSquares: 0.0726 * 619 + 620 * 0.64, binary: 0, ones: 0 } });
    const b = arm('b', { requests: 1_000, costNanos: 380_000n, quality: { scored: 620, sum: 489.8, sumOfSquares: 0.0726 * 619 + 620 * 0.6241, binary: 0, ones: 0 } });
    const verdict = armVerdict(a, b);
    expect(verdict.cheaperPercent).toBeCloseTo(62, 9);
    expect(verdict.sentence).toBe('arm b is 62 % cheaper than a; quality difference −0.01 ± 0.03, not significant after 1 240 scored requests');
  });

  it('calls a real drop significant, and a pricier arm more expensive', () => {
    const a = arm('a', { requests: 10, costNanos: 100n, quality: { scored: 100, sum: 90, sumOfSquares: 90, binary: 100, ones: 90 } });
    const b = arm('b', { requests: 10, costNanos: 150n, quality: { scored: 100, sum: 60, sumOfSquares: 60, binary: 100, ones: 60 } });
    expect(armVerdict(a, b).sentence).toBe('arm b is 50 % more expensive than a; quality difference −0.30 ± 0.11, significantly worse after 200 scored requests');
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('experiment stats from the ledger database', () => {
  it('counts requests, exact cost, latencies and judge scores per arm, shadow included and judges apart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-experiment-'));
    const ledger = createSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') });
    const feedback = openFeedbackStore({ dataDir: dir });
    const client = openLedgerSqlClient({ dataDir: dir });
    try {
      await ledger.migrate();
      const [template] = ledgerWorkload();
      const row = (id: string, armName: string | null, costNanos: number, latencyMs: number, extra: Partial<LedgerRow> = {}): LedgerRow => ({
        ...template, id, ts: 1_000 + Number(id.slice(1)), experiment: 'ab', arm: armName, costNanos, latencyMs, status: 'ok', overhead: null, ...extra,
      });
      await ledger.insert([
        row('r1', 'a', 1_000, 100),
        row('r2', 'a', 3_000, 300),
        row('r3', 'b', 500, 50),
        row('r4', 'b', 700, 70, { status: 'error' }),
        row('r5', 'shadow', 90, 40, { overhead: 'shadow' }),
        row('r6', 'shadow', 7, 1, { overhead: 'judge' }),
        row('r7', 'a', 5, 1, { experiment: 'other' }),
      ]);
      const score = (id: string, value: number, name = 'judge') => feedback.add({ requestId: id, requestTs: 1_000 + Number(id.slice(1)), name, score: value, comment: null, source: 'judge', scoredBy: null, metadata: null });
      await score('r1', 0.2);
      await score('r1', 0.6); // the latest counts
      await score('r2', 1);
      await score('r3', 0.5);
      await score('r5', 1, 'judge_win');
      const stats = await readExperimentStats(client, 'ab');
      expect(stats.judgeCostNanos).toBe(7n);
      expect(stats.arms.map(({ arm: name, shadow, requests, errors, costNanos, latenciesMs }) => ({ name, shadow, requests, errors, costNanos, latenciesMs }))).toEqual([
        { name: 'a', shadow: false, requests: 2, errors: 0, costNanos: 4_000n, latenciesMs: [100, 300] },
        { name: 'b', shadow: false, requests: 2, errors: 1, costNanos: 1_200n, latenciesMs: [50] },
        { name: 'shadow', shadow: true, requests: 1, errors: 0, costNanos: 90n, latenciesMs: [40] },
      ]);
      expect(stats.arms[0].quality).toMatchObject({ scored: 2, binary: 1, ones: 1 });
      expect(stats.arms[0].quality.sum).toBeCloseTo(1.6, 12);
      expect(stats.arms[0].quality.sumOfSquares).toBeCloseTo(0.36 + 1, 12);
      expect(stats.arms[2].wins).toMatchObject({ scored: 1, ones: 1 });
      const text = formatExperimentReport(stats, 'judge');
      expect(text).toContain('Arm b is 70 % cheaper than a');
      expect(text).toContain('Shadow arm shadow is 96 % cheaper than a');
    } finally {
      await client.close();
      await feedback.close();
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
