import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { channels, type RequestFinishedEvent } from './events.js';
import type { MetricLabels } from './metric-labels.js';
import { qualityChannels, type ExperimentArmEvent, type QualityEvent, type QualityRegressionEvent, type QualityScoreEvent } from './quality-events.js';

const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const OVERHEAD_KINDS = new Set(['judge', 'reference', 'shadow']);
const SIGNALS = new Set(['score', 'judge', 'judge_win', 'escalation_rate']);

/**
 * Quality metrics on the gateway's registry, fed by quality events. Labels: configured route/model names and task
 * names through `labels()` (bounded by the config); experiment and arm names are configured too, and pass the
 * capped internal vocabulary as a backstop.
 */
export function registerQualityMetrics(registry: Registry, labels: () => MetricLabels): { close(): void } {
  const registers = [registry];
  const samples = new Counter({ name: 'frugal_quality_samples_total', help: 'Requests sampled and stored for quality (redacted), by route or model.', labelNames: ['route'], registers });
  const judged = new Counter({ name: 'frugal_quality_judged_total', help: 'Sampled answers a judge graded, by route or model.', labelNames: ['route'], registers });
  const judgeScores = new Histogram({ name: 'frugal_quality_judge_score', help: 'Judge scores (0–1; pairwise: win 1, tie 0.5, loss 0).', labelNames: ['route'], buckets: SCORE_BUCKETS, registers });
  const dropped = new Counter({ name: 'frugal_quality_dropped_total', help: 'Samples or judge jobs dropped because the bounded buffer was full.', labelNames: ['route', 'reason'], registers });
  const unparsed = new Counter({ name: 'frugal_quality_unparsed_verdicts_total', help: 'Judge answers no score could be read from.', labelNames: ['route', 'mode'], registers });
  const meanScore = new Gauge({ name: 'frugal_quality_score', help: 'Mean over the last window (default 24 h) by route, model or task: signal score (feedback), judge, judge_win, escalation_rate.', labelNames: ['by', 'group', 'signal'], aggregator: 'average', registers });
  const regressions = new Counter({ name: 'frugal_quality_regressions_total', help: 'Quality regression alerts raised, by route and signal.', labelNames: ['route', 'signal'], registers });
  const armRequests = new Counter({ name: 'frugal_experiment_requests_total', help: 'Requests given an experiment arm.', labelNames: ['experiment', 'arm'], registers });
  const overheadUsd = new Counter({ name: 'frugal_quality_overhead_usd_total', help: 'USD spent on judges, reference answers and shadow arms (display; the ledger holds exact amounts).', labelNames: ['kind'], registers });

  const route = (name: string | null) => (name === null ? 'none' : labels().route(name));
  const onQuality = (message: unknown) => {
    const event = message as QualityEvent;
    const where = route(event.route);
    if (event.kind === 'sampled') samples.inc({ route: where });
    else if (event.kind === 'dropped') dropped.inc({ route: where, reason: labels().reason(event.reason ?? 'unknown') });
    else if (event.kind === 'unparsed') unparsed.inc({ route: where, mode: labels().reason(event.reason ?? 'unknown') });
    else {
      judged.inc({ route: where });
      if (event.score !== undefined) judgeScores.observe({ route: where }, event.score);
    }
  };
  const onScore = (message: unknown) => {
    const event = message as QualityScoreEvent;
    const label = labels();
    const group = event.by === 'task' ? label.task(event.group) : event.by === 'model' ? label.model(event.group) : label.route(event.group);
    meanScore.set({ by: event.by, group, signal: SIGNALS.has(event.score) ? event.score : 'other' }, event.mean);
  };
  const onRegression = (message: unknown) => {
    const event = message as QualityRegressionEvent;
    regressions.inc({ route: labels().route(event.route), signal: event.signal });
  };
  const onArm = (message: unknown) => {
    const event = message as ExperimentArmEvent;
    armRequests.inc({ experiment: labels().reason(`${event.experiment}`), arm: labels().reason(event.arm) });
  };
  const onFinished = (message: unknown) => {
    const { row } = message as RequestFinishedEvent;
    if (row.overhead && OVERHEAD_KINDS.has(row.overhead) && row.costNanos > 0) overheadUsd.inc({ kind: row.overhead }, row.costNanos / 1e9);
  };
  const subscriptions: Array<[{ subscribe(listener: (message: unknown) => void): void; unsubscribe(listener: (message: unknown) => void): unknown }, (message: unknown) => void]> = [
    [qualityChannels.quality, onQuality],
    [qualityChannels.qualityScore, onScore],
    [qualityChannels.qualityRegression, onRegression],
    [qualityChannels.experimentArm, onArm],
    [channels.requestFinished, onFinished],
  ];
  for (const [channel, listener] of subscriptions) channel.subscribe(listener);
  return {
    close() {
      for (const [channel, listener] of subscriptions) channel.unsubscribe(listener);
    },
  };
}
