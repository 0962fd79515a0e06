import type { QualitySettings } from '../config/quality-settings.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { OverheadCaller } from '../request/overhead-caller.js';
import { publishQualityEvent } from '../telemetry/quality-events.js';
import { createBackgroundJobs } from './background-jobs.js';
import { decide } from './hash-unit.js';
import { judgeExchange, judgeShadow } from './judge-exchange.js';
import { redactJson, redactText } from './redact-sample.js';
import type { Sample, SampleStore } from './sample-store.js';
import type { ExchangeSink, SampledExchange } from './sampled-exchange.js';

export interface QualityWorkerParts {
  settings: QualitySettings;
  /** Where samples are written; none: nothing is stored (judges may still run). */
  samples: SampleStore | undefined;
  /** Where judge scores go; none: judges do not run (there would be nowhere to keep their grade). */
  feedback: FeedbackStore | undefined;
  /** Judge, reference and shadow calls (priced, in the ledger, under the quality budget); none: no calls. */
  call: OverheadCaller | undefined;
  flushIntervalMs?: number;
  /** A batch this big is written at once, without waiting for the interval. */
  maxBatch?: number;
  /** Per judge / reference / shadow job. */
  jobTimeoutMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export interface QualityWorker extends ExchangeSink {
  /** Writes what waits and waits for the judges running (tests; shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The background half of sampling: exchanges offered by the reply path wait in a bounded array, are redacted and
 * written in batches (as the ledger writer batches rows), then judged by bounded background jobs. A full buffer
 * drops the sample and says so in a metric; nothing here ever blocks or fails a reply.
 */
export function createQualityWorker({ settings, samples, feedback, call, flushIntervalMs = 250, maxBatch = 200, jobTimeoutMs = 60_000, now = Date.now, onError }: QualityWorkerParts): QualityWorker {
  const jobs = createBackgroundJobs({ concurrency: settings.concurrency, limit: settings.queueSize, timeoutMs: jobTimeoutMs, onError });
  let pending: SampledExchange[] = [];
  /** Offered and not yet written: pending plus batches waiting their turn to be written (the bound's count). */
  let unwritten = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  function toSample(exchange: SampledExchange): Sample | undefined {
    const { settings: route } = exchange;
    if (exchange.route === undefined || route === undefined) return undefined;
    const createdAt = now();
    return {
      requestId: exchange.requestId,
      requestTs: exchange.requestTs,
      route: exchange.route,
      model: exchange.model,
      task: exchange.task,
      keyId: exchange.keyId,
      requestJson: route.storeBodies ? JSON.stringify(redactJson(exchange.request.messages ?? [], route.redact)) : null,
      answer: route.storeBodies ? redactText(exchange.answer, route.redact) : null,
      createdAt,
      expiresAt: createdAt + route.retentionMs,
    };
  }

  function schedule(exchange: SampledExchange) {
    if (!call || !feedback) return;
    const judge = exchange.settings?.judge;
    if (judge && decide(settings.seed, 'judge', exchange.requestId, judge.sample)) {
      submit(exchange, 'judge', (signal) => judgeExchange({ exchange, judge, call, feedback, signal }));
    }
    if (exchange.shadow) {
      const judgeModel = exchange.shadow.judgeModel ?? judge?.model;
      submit(exchange, 'shadow', (signal) => judgeShadow({ exchange, shadow: exchange.shadow!, judgeModel, call, feedback, signal }));
    }
  }

  function submit(exchange: SampledExchange, kind: 'judge' | 'shadow', job: (signal: AbortSignal) => Promise<void>) {
    if (!jobs.submit(job)) publishQualityEvent({ kind: 'dropped', route: exchange.route ?? null, reason: `${kind}_queue_full` });
  }

  async function write(batch: SampledExchange[]) {
    const rows = batch.map(toSample).filter((sample): sample is Sample => sample !== undefined);
    if (samples && rows.length > 0) {
      try {
        await samples.insert(rows);
        for (const row of rows) publishQualityEvent({ kind: 'sampled', route: row.route, reason: null });
      } catch (error) {
        onError?.(error);
      }
    }
    for (const exchange of batch) schedule(exchange);
  }

  function flushNow(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length > 0) writing = writing.then(() => write(batch)).finally(() => (unwritten -= batch.length));
    return writing;
  }

  return {
    offer(exchange) {
      if (closed || unwritten >= settings.queueSize) {
        publishQualityEvent({ kind: 'dropped', route: exchange.route ?? null, reason: 'sample_buffer_full' });
        return;
      }
      pending.push(exchange);
      unwritten += 1;
      if (pending.length >= maxBatch) {
        void flushNow();
        return;
      }
      if (timer === undefined) {
        timer = setTimeout(() => void flushNow(), flushIntervalMs);
        timer.unref();
      }
    },
    async flush() {
      await flushNow();
      await jobs.idle();
    },
    async close() {
      closed = true;
      await flushNow();
      await jobs.close();
    },
  };
}
