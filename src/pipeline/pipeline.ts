import type { GatewayConfig } from '../config/gateway-config.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { compose, type Handler, type Stage } from './stage.js';
import { ledgerStage, type LedgerSink } from './stages/ledger-stage.js';
import { createProviderCall } from './stages/provider-call.js';
import { resolveModelStage } from './stages/resolve-model-stage.js';
import { validateStage } from './stages/validate-stage.js';

export interface PipelineParts {
  config: GatewayConfig;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  ledger: LedgerSink | undefined;
}

/**
 * The table of contents of a chat request. Order matters and is written down only here:
 *
 *   ledger       — one row per request, whatever happens after it (wraps everything)
 *   validate     — 400 naming the field for a malformed request
 *   resolve      — requested model → configured model (routing replaces this stage)
 *   provider     — the upstream call, priced
 *
 * Planned stages slot in between: budget/rate check, cache (exact, semantic), token reduction, routing,
 * fallback/retry, quality check.
 */
export function buildChatPipeline(parts: PipelineParts): Handler {
  const stages: Stage[] = [ledgerStage(parts.ledger), validateStage(), resolveModelStage(parts.config)];
  return compose(stages, createProviderCall(parts.adapters, { costInBody: parts.config.server.costInBody }));
}
