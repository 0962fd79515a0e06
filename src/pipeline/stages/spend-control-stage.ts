import { ceilingFromHeader, parseCeilingUsd, tightestCeiling, type CostCeiling } from '../../budget/cost-ceiling.js';
import { openRequestSpend } from '../../budget/request-spend.js';
import type { SpendControl } from '../../budget/open-spend-control.js';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { onStreamEnd } from '../../request/stream-end.js';
import { requestNeeds } from '../../request/fit-check.js';
import type { RequestContext } from '../../request/request-context.js';
import type { Stage } from '../stage.js';

export interface SpendControlParts {
  config: GatewayConfig;
  spendControl: SpendControl;
}

/**
 * Before anything is spent: the key may use this model, its RPM/TPM allow the call, and every budget it counts
 * against can hold it. Budgets and the request's cost ceiling are checked before each upstream attempt (the
 * model that actually serves, fallbacks, retries, hedges and escalations included) and settle to the real cost
 * when the request ends — answered, failed, streamed or abandoned — so nothing stays reserved.
 */
export function spendControlStage(parts: SpendControlParts): Stage {
  const { config, spendControl } = parts;
  const routeCeilings = routeCostCeilings(config.routes);
  return async (context, next) => {
    const ceiling = tightestCeiling(ceilingFromHeader(context.maxCostUsd), routeCeilings.get(context.request.model));
    const spend = await openRequestSpend(spendControl, config.spendControl, {
      requestId: context.requestId,
      key: context.key,
      keyId: context.keyId,
      tags: context.tags,
      model: context.request.model,
      ceiling,
      estimatedTokens: () => {
        context.needs ??= requestNeeds(context.request);
        return context.needs.promptTokens + (context.needs.maxOutputTokens || config.spendControl.defaultMaxTokens);
      },
      // What the caller asked for: without its own max_tokens only the prompt is certain.
      requiredTokens: () => {
        context.needs ??= requestNeeds(context.request);
        return context.needs.promptTokens + context.needs.maxOutputTokens;
      },
      usedTokens: () => context.spend.promptTokens + context.spend.completionTokens,
      spentNanos: () => context.spend.costNanos,
      warnings: context.warnings,
      batchLine: context.batchId !== undefined,
    });
    Object.assign(context.responseHeaders, spend.rateLimitHeaders);
    // Nothing to settle or correct afterwards: stay out of the way (no wrapper on every streamed chunk).
    if (spend.hold === undefined && context.key === undefined) return next();
    if (spend.hold) applyHoldToRequest(context, spend.downgradeTo, config.spendControl.defaultMaxTokens);
    context.spendHold = spend.hold;

    let outcome;
    try {
      outcome = await next();
    } catch (error) {
      await spend.finish();
      throw error;
    }
    if (outcome.kind === 'response') {
      await spend.finish();
      return outcome;
    }
    const source = outcome.chunks;
    return { ...outcome, chunks: onStreamEnd(source, () => spend.finish()) };
  };
}

/** Each route's `max_cost_usd` (validated at start-up with the route table), by route name. */
function routeCostCeilings(routes: GatewayConfig['routes']): Map<string, CostCeiling> {
  const ceilings = new Map<string, CostCeiling>();
  for (const [name, spec] of Object.entries(routes)) {
    const nanos = parseCeilingUsd((spec as { max_cost_usd?: unknown } | null)?.max_cost_usd);
    if (nanos !== undefined) ceilings.set(name, { nanos, source: `route '${name}' max_cost_usd` });
  }
  return ceilings;
}

function applyHoldToRequest(context: RequestContext, downgradeTo: string | undefined, defaultMaxTokens: number) {
  if (downgradeTo && downgradeTo !== context.request.model) {
    context.warnings.push(`soft budget used up: '${context.request.model}' downgraded to '${downgradeTo}'`);
    context.request = { ...context.request, model: downgradeTo };
  }
  // A hold is only an upper bound if the output is bounded too.
  if (context.request.max_tokens == null && context.request.max_completion_tokens == null) {
    context.request = { ...context.request, max_tokens: defaultMaxTokens };
    context.warnings.push(`max_tokens set to ${defaultMaxTokens} to bound the budget reservation`);
  }
}
