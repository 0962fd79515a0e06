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
}

/**
 * The table of contents of a chat request. Order matters and is written down only here:
 *
 *   ledger    — one row per request, whatever happens after it (wraps everything)
 *   validate  — 400 naming the field for a malformed request
 *   spend     — key permissions, RPM/TPM, budgets: reserve before each upstream attempt, settle at the end
 *   order     — notes variable content placed before a long static block (prompt caches can't reuse it)
 *   cache     — exact, then semantic answers: a hit costs nothing and skips everything below
 *   reduce    — opt-in per route: context pruning, lossless clean-up, extractive/abstractive compression
 *   route     — the requested model or route: map / classify / cascade / fallback / loadbalance, each
 *               upstream call through the model caller (circuit breakers, retries, hedging, fit checks)
 *
 */
export function buildChatPipeline(parts: PipelineParts): { handle: Handler; stop: () => void } {
  const callModel = createModelCaller(parts.adapters, { costInBody: parts.config.server.costInBody });
  const { handle, runtime } = createRouteHandler({ config: parts.config, callModel, limiter: parts.spendControl.limiter, random: parts.random });
  const stopHealthChecks = startHealthChecks({
    adapters: parts.adapters,
    models: [...parts.config.models.values()].filter((model) => model.type === 'chat'),
    breakers: runtime.breakers,
    intervalMs: parts.config.healthCheckIntervalMs,
  });
  const stages: Stage[] = [
    ledgerStage(parts.ledger, savingsBaselines(parts.config)),
    validateStage(),
    spendControlStage({ config: parts.config, spendControl: parts.spendControl }),
    promptOrderStage(),
  ];
  if (parts.cacheStore) stages.push(cacheStage({ config: parts.config, store: parts.cacheStore, semantic: parts.semanticCache }));
  const reduceTokens = tokenReductionStage(parts.config, callModel);
  if (reduceTokens) stages.push(reduceTokens);
  return { handle: compose(stages, handle), stop: stopHealthChecks };
}
