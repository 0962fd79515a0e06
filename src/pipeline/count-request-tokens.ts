import type { GatewayConfig, ModelEntry, SpendControlSettings } from '../config/gateway-config.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import { takePerMinute } from '../rate-limit/take-per-minute.js';
import { keyRateLimited } from '../budget/request-spend.js';
import type { CallerContext } from '../request/request-context.js';
import { buildRouteTable, type RouteTable } from '../routing/build-route-table.js';
import { countPromptTokens } from '../tokens/count-tokens.js';
import type { ChatRequest } from '../wire/chat-types.js';

export interface TokenCount {
  inputTokens: number;
  /** Whose tokenizer counted: `upstream` (the provider's own count endpoint) or `o200k` (ours, an estimate for other models). */
  counter: 'upstream' | 'o200k';
  /** The model counted for: the requested one, or the first model of the requested route. */
  model: string;
}

export type RequestTokenCounter = (request: ChatRequest, caller?: CallerContext) => Promise<TokenCount>;

/**
 * Takes one count request from the key's count_tokens RPM, or throws a 429 rate_limit_exceeded with its Retry-After.
 * Anthropic limits token counting apart from messages, by requests per minute; so does Frugal: a bucket of its
 * own (`rpm:count_tokens:key:<id>`), as large as the key's RPM. A count is free and uses no tokens, so neither the
 * key's TPM nor a budget is charged, and counting never eats into the key's messages; but a key cannot call the
 * upstream's count endpoint (and the provider quota every key shares) faster than its RPM allows.
 * @example await takeCountTokensRequest(gateway.spendControl.limiter, gateway.config.spendControl, caller.key);
 */
export async function takeCountTokensRequest(limiter: RateLimiter, settings: SpendControlSettings, key: CallerContext['key']): Promise<void> {
  if (key === undefined) return;
  const rpm = key.rateLimits.rpm ?? settings.defaultKeyLimits.rpm;
  if (!rpm) return;
  const taken = await takePerMinute(limiter, { rpm: { bucket: `rpm:count_tokens:key:${key.id}`, limit: rpm } }, () => ({ estimate: 0 }));
  if (taken.allowed) return;
  throw keyRateLimited(key, `${rpm} count_tokens requests per minute`, taken.retryAfterMs!, { requests: { limit: rpm, remaining: 0, resetAfterMs: taken.retryAfterMs! } });
}

/**
 * Counts a request's prompt tokens for the model that would serve it. A name resolves as chat does (a model, or a
 * route, whose first model is counted for); the key's model allow-list applies. A provider with a count endpoint
 * (Anthropic) is asked, so the count is its tokenizer's; other models are counted with o200k.
 * @example const count = await countTokens({ model: 'claude-haiku-4-5', messages }); // { inputTokens, counter: 'upstream' }
 */
export function createRequestTokenCounter(config: GatewayConfig, adapters: ReadonlyMap<string, ProviderAdapter>): RequestTokenCounter {
  let table: RouteTable | undefined;

  function modelFor(name: string): ModelEntry {
    const model = config.models.get(name);
    if (model?.type === 'chat') return model;
    table ??= buildRouteTable(config);
    const candidate = table.routes.get(name)?.models()[0];
    if (candidate) return candidate;
    throw new FrugalError('model_not_found', `The model '${name}' does not exist.`, { param: 'model' });
  }

  return async (request, caller = {}) => {
    const name = request.model;
    const key = caller.key;
    if (key?.allowedModels && !key.allowedModels.includes(name)) {
      throw new FrugalError('permission_denied', `This key may not use '${name}'. Allowed: ${key.allowedModels.join(', ')}.`, { param: 'model' });
    }
    const model = modelFor(name);
    const adapter = adapters.get(model.provider);
    if (adapter?.countTokens) {
      const inputTokens = await adapter.countTokens({ ...request, model: model.upstream }, { signal: caller.signal ?? new AbortController().signal });
      return { inputTokens, counter: 'upstream', model: model.name };
    }
    return { inputTokens: countPromptTokens(request.messages, request.tools), counter: 'o200k', model: model.name };
  };
}
