import type { QualityAlertSettings } from '../config/quality-settings.js';
import { summarizeScores } from '../feedback/score-interval.js';
import { publishQualityRegression, publishQualityScore } from '../telemetry/quality-events.js';
import { scoreDifference, Z_OF_CONFIDENCE } from './score-difference.js';
import { QUALITY_SIGNALS, type QualitySignal, type QualityWindowReader } from './quality-window-reader.js';

/** The JSON body of a regression alert (the webhook's other alerts share `type`, `at` and `text`). */
export interface QualityRegressionPayload {
  type: 'quality_regression';
  route: string;
  signal: QualitySignal;
  baseline: { mean: number; scored: number; since: string };
  current: { mean: number; scored: number; since: string };
  /** current − baseline, and the half-width of its interval at the configured confidence. */
  difference: number;
  halfWidth: number;
  at: string;
  text: string;
}

export interface RegressionMonitorParts {
  settings: QualityAlertSettings;
  /** The routes (or model names) watched: the configured quality routes. */
  routes: readonly string[];
  read: QualityWindowReader;
  /** Posts the alert once per dedupe key until `untilMs` (the webhook alerter's `send`). */
  send: (payload: QualityRegressionPayload, dedupeKey: string, untilMs: number) => void;
  /** False: only the quality gauges are refreshed (no `quality.alerts` configured). */
  alerting?: boolean;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export interface RegressionMonitor {
  /** One check of every watched route and signal; returns the alerts it raised. */
  check(): Promise<QualityRegressionPayload[]>;
  start(): void;
  stop(): void;
}

/** Scores getting worse means going down; escalations getting worse means going up. */
const WORSE: Record<QualitySignal, 'down' | 'up'> = { score: 'down', judge: 'down', judge_win: 'down', escalation_rate: 'up' };
const LABEL: Record<QualitySignal, string> = { score: 'mean feedback score', judge: 'mean judge score', judge_win: 'judge win-rate', escalation_rate: 'escalation rate' };

/**
 * Watches each quality route: its mean feedback score, judge score, judge win-rate and escalation rate over the
 * last window against the baseline before it. An alert fires when the change is in the bad direction and beyond
 * the interval of the difference at the configured confidence (default 99 %; with at least `minScored` on both sides): a planted drop fires, noise of
 * the same size as the interval does not. Alerts go to the webhook (deduplicated per window) and a metric.
 *
 * @example
 * const monitor = createRegressionMonitor({ settings, routes: ['auto'], read, send: (p, key, until) => void alerts.send(p, key, until) });
 * monitor.start();
 */
export function createRegressionMonitor({ settings, routes, read, send, alerting = true, now = Date.now, onError }: RegressionMonitorParts): RegressionMonitor {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const z = Z_OF_CONFIDENCE[String(settings.confidence)] ?? Z_OF_CONFIDENCE['0.99'];

  /** The current window's mean of every signal by model and by task (routes are published below), for /metrics. */
  async function publishGauges(since: number, until: number) {
    for (const by of ['model', 'task'] as const) {
      for (const [group, window] of await read(by, since, until)) {
        for (const signal of QUALITY_SIGNALS) {
          const summary = summarizeScores(window[signal]);
          if (summary.mean !== null) publishQualityScore({ by, group, score: signal, mean: summary.mean, scored: summary.scored });
        }
      }
    }
  }

  async function check(): Promise<QualityRegressionPayload[]> {
    const at = now();
    const currentSince = at - settings.windowMs;
    const baselineSince = currentSince - settings.baselineMs;
    const [current, baseline] = await Promise.all([read('route', currentSince, at), alerting ? read('route', baselineSince, currentSince) : new Map()]);
    await publishGauges(currentSince, at);
    const raised: QualityRegressionPayload[] = [];
    for (const route of routes) {
      const now_ = current.get(route);
      const before = baseline.get(route);
      if (!now_ || !before) continue;
      for (const signal of QUALITY_SIGNALS) {
        const summary = summarizeScores(now_[signal]);
        if (summary.mean !== null) publishQualityScore({ by: 'route', group: route, score: signal, mean: summary.mean, scored: summary.scored });
        if (now_[signal].scored < settings.minScored || before[signal].scored < settings.minScored) continue;
        const shift = scoreDifference(before[signal], now_[signal], z);
        if (!shift.significant || shift.difference === null || shift.halfWidth === null) continue;
        const direction = shift.difference < 0 ? 'down' : 'up';
        if (direction !== WORSE[signal]) continue;
        const baselineMean = before[signal].sum / before[signal].scored;
        const currentMean = now_[signal].sum / now_[signal].scored;
        const payload: QualityRegressionPayload = {
          type: 'quality_regression',
          route,
          signal,
          baseline: { mean: baselineMean, scored: before[signal].scored, since: new Date(baselineSince).toISOString() },
          current: { mean: currentMean, scored: now_[signal].scored, since: new Date(currentSince).toISOString() },
          difference: shift.difference,
          halfWidth: shift.halfWidth,
          at: new Date(at).toISOString(),
          text:
            `Route '${route}': ${LABEL[signal]} ${direction === 'down' ? 'fell' : 'rose'} from ${baselineMean.toFixed(3)} to ${currentMean.toFixed(3)} ` +
            `(${shift.difference >= 0 ? '+' : '−'}${Math.abs(shift.difference).toFixed(3)} ± ${shift.halfWidth.toFixed(3)}, ${now_[signal].scored} against ${before[signal].scored} scored).`,
        };
        // Once per route, signal and window: a check every few minutes does not repeat the same alert.
        send(payload, `quality:${route}:${signal}:${Math.floor(at / settings.windowMs)}`, at + settings.windowMs);
        publishQualityRegression({ route, signal, direction });
        raised.push(payload);
      }
    }
    return raised;
  }

  return {
    check,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (running) return;
        running = true;
        check()
          .catch((error: unknown) => onError?.(error))
          .finally(() => (running = false));
      }, settings.everyMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
