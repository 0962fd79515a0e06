import type { GatewayConfig } from '../config/gateway-config.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { compose, type Handler, type Stage } from './stage.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import { savingsBaselines } from './savings-baseline.js';
import { ledgerStage } from './stages/ledger-stage.js';
import { createModelCaller } from './stages/provider-call.js';
import { createRouteHandler } from './stages/route-handler.js';
import { validateStage } from './stages/validate-stage.js';
import { tokenReductionStage } from './stages/token-reduction-stage.js';
import { spendControlStage } from './stages/spend-control-stage.js';
import type { SpendControl } from '../budget/open-spend-control.js';
import { promptOrderStage } from './stages/prompt-order-stage.js';
import { cacheStage } from './stages/cache-stage.js';
import type { CacheStore } from '../cache/cache-store.js';
import type { SemanticCache } from '../cache/semantic/semantic-cache.js';
import { startHealthChecks } from '../routing/resilience/health-checks.js';
import { createQualityRuntime, type QualityStores } from './quality-runtime.js';
import type { JobQueue } from '../queue/job-queue.js';
import { laneStage } from './stages/lane-stage.js';
import { laneGate } from '../lanes/lane-gate.js';
import { createLaneScheduler } from '../lanes/lane-scheduler.js';
import { createBackgroundShare } from '../lanes/background-share.js';
import { deploymentLimits } from '../lanes/deployment-limits.js';
import { promptBatcher } from '../batching/prompt-batcher.js';
import { routeBatching } from '../batching/route-batching.js';

export interface PipelineParts {
  config: GatewayConfig;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  ledger: LedgerSink | undefined;
  /** Where cached answers live; none turns the cache stage off. */
  cacheStore: CacheStore | undefined;
  semanticCache?: SemanticCache;
  spendControl: SpendControl;
  /** Passed in so tests are exact (weighted picks, retry jitter). */
  random?: () => number;
  /** Where samples and judge scores go (quality.routes, shadow arms); none: sampled answers are not kept or judged. */
  quality?: QualityStores;
  /** The durable queue background work runs through; none: no background lane (every request is real time). */
  jobQueue?: JobQueue;
}

/**
 * The table of contents of a chat request. Order matters and is written down only here:
 *
 *   ledger    — one row per request, whatever happens after it (wraps everything)
 *   sample    — opt-in (quality.routes, shadow arms): hands sampled answers to the background (store, judge)
 *   validate  — 400 naming the field for a malformed request
 *   lane      — marks work that can wait (x-frugal-priority: background, service_tier flex, background routes
 *               and tags); its upstream calls then go through the background lane (src/lanes/lane-gate.ts)
 *   spend     — key permissions, RPM/TPM, budgets: reserve before each upstream attempt, settle at the end
 *   order     — notes variable content placed before a long static block (prompt caches can't reuse it)
 *   experiment— a route in an A/B experiment is served by the request's sticky arm (x-frugal-experiment)
 *   cache     — exact, then semantic answers: a hit costs nothing and skips everything below
 *   reduce    — opt-in per route: context pruning, lossless clean-up, extractive/abstractive compression
 *   route     — the requested model or route: map / classify / cascade / fallback / loadbalance, each
 *               upstream call through the model caller (circuit breakers, retries, hedging, fit checks)
 *               — wrapped, from outside in, by prompt batching (routes with `batching:`, src/batching/) and
 *               the background lane gate (src/lanes/lane-gate.ts)
 *
 */
export function buildChatPipeline(parts: PipelineParts): { handle: Handler; stop: () => Promise<void> } {
  const background = parts.config.lanes.background;
  const lanes = parts.jobQueue ? createLaneScheduler({ queue: parts.jobQueue, concurrency: background.concurrency }) : undefined;
  const limits = deploymentLimits(parts.config);
  const directCaller = createModelCaller(parts.adapters, { costInBody: parts.config.server.costInBody });
  const gated = lanes
    ? laneGate(directCaller, { scheduler: lanes, share: createBackgroundShare({ limiter: parts.spendControl.limiter, sharePpm: background.sharePpm, limitsOf: (key) => limits.get(key) }) })
    : directCaller;
  // Prompt batching (routes with `batching:`) groups real-time calls; the one batched call goes through the gates.
  const batchingRoutes = routeBatching(parts.config);
  const callModel = batchingRoutes.size > 0 ? promptBatcher(gated, { routes: batchingRoutes, costInBody: parts.config.server.costInBody }) : gated;
  const { handle, runtime } = createRouteHandler({ config: parts.config, callModel, limiter: parts.spendControl.limiter, random: parts.random });
  const stopHealthChecks = startHealthChecks({
    adapters: parts.adapters,
    models: [...parts.config.models.values()].filter((model) => model.type === 'chat'),
    breakers: runtime.breakers,
    intervalMs: parts.config.healthCheckIntervalMs,
  });
  const quality = createQualityRuntime({ config: parts.config, route: handle, ledger: parts.ledger, stores: parts.quality, alerts: parts.spendControl.alerts });
  const stages: Stage[] = [ledgerStage(parts.ledger, savingsBaselines(parts.config))];
  if (quality.sampleStage) stages.push(quality.sampleStage);
  stages.push(validateStage());
  if (lanes) stages.push(laneStage(background));
  stages.push(spendControlStage({ config: parts.config, spendControl: parts.spendControl }), promptOrderStage());
  if (quality.experimentStage) stages.push(quality.experimentStage);
  if (parts.cacheStore) stages.push(cacheStage({ config: parts.config, store: parts.cacheStore, semantic: parts.semanticCache }));
  const reduceTokens = tokenReductionStage(parts.config, callModel);
  if (reduceTokens) stages.push(reduceTokens);
  return {
    handle: compose(stages, handle),
    stop: async () => {
      stopHealthChecks();
      await lanes?.stop();
      await quality.close();
    },
  };
}
