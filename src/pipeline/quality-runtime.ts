import type { GatewayConfig } from '../config/gateway-config.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import { createQualityBudget, type QualityBudget } from '../quality/quality-budget.js';
import { createQualityWorker, type QualityWorker } from '../quality/quality-worker.js';
import type { SampleStore } from '../quality/sample-store.js';
import type { QualityWindowReader } from '../quality/quality-window-reader.js';
import { createRegressionMonitor, type RegressionMonitor } from '../quality/regression-monitor.js';
import type { WebhookAlerter } from '../budget/webhook-alerts.js';
import { createOverheadCaller } from './overhead-call.js';
import type { Handler, Stage } from './stage.js';
import { experimentStage } from './stages/experiment-stage.js';
import { qualitySampleStage } from './stages/quality-sample-stage.js';

/** Where samples and judges' scores are kept (the ledger's database); both outlive a config reload. */
export interface QualityStores {
  samples: SampleStore | undefined;
  feedback: FeedbackStore | undefined;
  /** What the regression monitor reads; none: no regression alerts. */
  windows?: QualityWindowReader;
}

export interface QualityRuntime {
  /** Right inside the ledger stage: sees every answer as it was served. */
  sampleStage: Stage | undefined;
  /** Before the cache: an arm's answers are cached under the arm's model, never mixed with another arm's. */
  experimentStage: Stage | undefined;
  worker: QualityWorker | undefined;
  budget: QualityBudget | undefined;
  monitor: RegressionMonitor | undefined;
  close(): Promise<void>;
}

/**
 * Samples, judges, shadow arms and experiment splits for one gateway generation. Judges and shadows call through
 * `route` (the route handler: priced attempts, any model or route name) under the quality budget, and write their
 * own ledger rows tagged as overhead.
 */
export function createQualityRuntime({
  config,
  route,
  ledger,
  stores,
  alerts,
  onError,
}: {
  config: GatewayConfig;
  route: Handler;
  ledger: LedgerSink | undefined;
  stores: QualityStores | undefined;
  /** The alert webhook (alerts.webhook_url); regression alerts are counted in a metric either way. */
  alerts?: Pick<WebhookAlerter, 'send'>;
  onError?: (error: unknown) => void;
}): QualityRuntime {
  const { budgetNanosPerDay } = config.quality;
  const budget = budgetNanosPerDay === undefined ? undefined : createQualityBudget({ limitNanosPerDay: budgetNanosPerDay });
  const wanted = config.quality.routes.size > 0 || config.experiments.some((experiment) => experiment.shadow);
  const worker = wanted
    ? createQualityWorker({
        settings: config.quality,
        samples: stores?.samples,
        feedback: stores?.feedback,
        call: budget && createOverheadCaller({ route, ledger, hold: budget.hold }),
        onError,
      })
    : undefined;
  const monitor = monitorFor(config, stores, alerts, onError);
  monitor?.start();
  const retention = stores?.samples && config.quality.routes.size > 0 ? startRetention(stores.samples, onError) : undefined;
  return {
    sampleStage: worker && qualitySampleStage(config, worker),
    experimentStage: experimentStage(config),
    worker,
    budget,
    monitor,
    close: async () => {
      monitor?.stop();
      clearInterval(retention);
      await worker?.close();
    },
  };
}

function monitorFor(config: GatewayConfig, stores: QualityStores | undefined, alerts: Pick<WebhookAlerter, 'send'> | undefined, onError?: (error: unknown) => void): RegressionMonitor | undefined {
  if (!stores?.windows || config.quality.routes.size === 0) return undefined;
  // Without quality.alerts the monitor still refreshes the quality gauges (last 24 h, every 15 minutes).
  const settings = config.quality.alerts ?? { everyMs: 15 * 60_000, windowMs: 86_400_000, baselineMs: 7 * 86_400_000, minScored: 30, confidence: 0.99 };
  return createRegressionMonitor({
    settings,
    alerting: config.quality.alerts !== undefined,
    routes: [...config.quality.routes.keys()],
    read: stores.windows,
    send: (payload, key, until) => void alerts?.send(payload, key, until),
    onError,
  });
}

const HOUR_MS = 3_600_000;

/** Deletes samples past their route's retention: at start and every hour, off the request path. */
function startRetention(samples: SampleStore, onError?: (error: unknown) => void): NodeJS.Timeout {
  const sweep = () => void samples.deleteExpired(Date.now()).catch((error: unknown) => onError?.(error));
  setImmediate(sweep).unref();
  const timer = setInterval(sweep, HOUR_MS);
  timer.unref();
  return timer;
}
