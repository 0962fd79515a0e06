import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { openLedgerSqlClient } from '../experiments/experiment-stats.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { createSeededRandom } from '../routing/seeded-random.js';
import { createPrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { createQualityWindowReader } from './quality-window-reader.js';
import { createRegressionMonitor, type QualityRegressionPayload } from './regression-monitor.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 10, 12);
const settings = { everyMs: 15 * 60_000, windowMs: 24 * HOUR, baselineMs: 7 * 24 * HOUR, minScored: 30, confidence: 0.99 };

let cleanUp: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanUp.reverse()) await step();
  cleanUp = [];
});

/**
 * A week of baseline and a day of current traffic on route `auto` (600 and 200 requests, each scored by the
 * application). Scores are the route's mean plus seeded noise of ±0.3; `escalatedShare` of rows escalated.
 */
async function ledgerWith({ baselineMean, currentMean, seed, currentEscalated = 0.1 }: { baselineMean: number; currentMean: number; seed: number; currentEscalated?: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-regression-'));
  const ledger = createSqliteLedgerStore({ path: join(dir, 'ledger.sqlite') });
  const feedback = openFeedbackStore({ dataDir: dir });
  const client = openLedgerSqlClient({ dataDir: dir });
  cleanUp.push(async () => {
    await client.close();
    await feedback.close();
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  });
  await ledger.migrate();
  const random = createSeededRandom(seed);
  const [template] = ledgerWorkload();
  const rows: LedgerRow[] = [];
  const scores: Array<[LedgerRow, number]> = [];
  const add = (count: number, from: number, span: number, mean: number, escalated: number) => {
    for (let index = 0; index < count; index += 1) {
      const row: LedgerRow = { ...template, id: `r${rows.length}`, ts: from + Math.floor((index / count) * span), status: 'ok', overhead: null, routeTrace: random() < escalated ? 'auto>cascade:invalid_json>gpt-4o' : 'auto>gpt-4o-mini' };
      rows.push(row);
      scores.push([row, Math.min(1, Math.max(0, mean + (random() - 0.5) * 0.6))]);
    }
  };
  add(600, NOW - settings.windowMs - settings.baselineMs, settings.baselineMs, baselineMean, 0.1);
  add(200, NOW - settings.windowMs, settings.windowMs - 1, currentMean, currentEscalated);
  await ledger.insert(rows);
  for (const [row, score] of scores) await feedback.add({ requestId: row.id, requestTs: row.ts, name: 'default', score, comment: null, source: 'app', scoredBy: null, metadata: null });
  return createQualityWindowReader(client);
}

function monitorOn(read: ReturnType<typeof createQualityWindowReader>) {
  const sent: Array<{ payload: QualityRegressionPayload; key: string }> = [];
  const monitor = createRegressionMonitor({ settings, routes: ['auto'], read, send: (payload, key) => sent.push({ payload, key }), now: () => NOW });
  return { monitor, sent };
}

describe('quality regression alerts', () => {
  it('fire on a planted drop of the mean score, through the webhook and the metric', async () => {
    const metrics = createPrometheusMetrics();
    cleanUp.push(async () => metrics.close());
    const { monitor, sent } = monitorOn(await ledgerWith({ baselineMean: 0.8, currentMean: 0.65, seed: 1 }));
    const raised = await monitor.check();
    expect(raised.map((alert) => alert.signal)).toEqual(['score']);
    expect(sent).toHaveLength(1);
    expect(sent[0].payload).toMatchObject({ type: 'quality_regression', route: 'auto', signal: 'score', baseline: { scored: 600 }, current: { scored: 200 } });
    expect(sent[0].payload.difference).toBeLessThan(-sent[0].payload.halfWidth);
    expect(sent[0].payload.text).toMatch(/^Route 'auto': mean feedback score fell from 0\.\d{3} to 0\.\d{3}/);
    expect(await metrics.registry.getSingleMetricAsString('frugal_quality_regressions_total')).toContain('frugal_quality_regressions_total{route="other",signal="score"} 1');
    // The gauges: the current window's means by route and by model (names outside a config are `other`).
    const gauges = await metrics.registry.getSingleMetricAsString('frugal_quality_score');
    expect(gauges).toMatch(/frugal_quality_score\{by="route",group="other",signal="score"\} 0\.6\d+/);
    expect(gauges).toMatch(/frugal_quality_score\{by="model",group="other",signal="escalation_rate"\} 0\.\d+/);
  });

  it('refresh the gauges but raise nothing when alerts are not configured', async () => {
    const read = await ledgerWith({ baselineMean: 0.8, currentMean: 0.5, seed: 2 });
    const sent: unknown[] = [];
    const monitor = createRegressionMonitor({ settings, alerting: false, routes: ['auto'], read, send: (payload) => sent.push(payload), now: () => NOW });
    expect(await monitor.check()).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('stay quiet on noise: the same mean in both windows, over ten seeds', async () => {
    for (let seed = 10; seed < 20; seed += 1) {
      const { monitor, sent } = monitorOn(await ledgerWith({ baselineMean: 0.8, currentMean: 0.8, seed }));
      expect(await monitor.check()).toEqual([]);
      expect(sent).toEqual([]);
    }
  });

  it('fire when the escalation rate climbs, and not when the score rises', async () => {
    const { monitor } = monitorOn(await ledgerWith({ baselineMean: 0.7, currentMean: 0.85, seed: 3, currentEscalated: 0.35 }));
    expect((await monitor.check()).map((alert) => alert.signal)).toEqual(['escalation_rate']);
  });
});
