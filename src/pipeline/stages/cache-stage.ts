import { randomUUID } from 'node:crypto';
import { forgetResponseText } from '../../wire/response-wire-text.js';
import { exactCacheKeyInChunks } from '../../cache/exact/cache-key.js';
import { cacheTarget } from '../../cache/cache-target.js';
import { decideCaching, formatCacheStatus, isStorableAnswer, parseCacheHeader, type CacheStatus } from '../../cache/cache-policy.js';
import { defaultAutoRoute } from '../../routing/default-auto-route.js';
import { anthropicMessageOf } from '../../wire/anthropic/anthropic-native.js';
import type { SemanticCache } from '../../cache/semantic/semantic-cache.js';
import type { CachedEntry, CacheStore } from '../../cache/cache-store.js';
import { ChatResponseAssembler } from '../../wire/replay/chunks-to-response.js';
import type { CachePolicySettings, CacheSettings, GatewayConfig } from '../../config/gateway-config.js';
import type { ChatChunk, ChatResponse } from '../../wire/chat-types.js';
import { usageToOpenAI } from '../../wire/token-usage.js';
import { publish, channels } from '../../telemetry/events.js';
import { replayAsStream } from '../../request/replay-as-stream.js';
import type { CallMeta, ChatOutcome, RequestContext } from '../../request/request-context.js';
import type { Stage } from '../stage.js';

export interface CacheStageOptions {
  config: GatewayConfig;
  store: CacheStore;
  /** Similar questions in the same context, after an exact miss. */
  semantic?: SemanticCache;
  now?: () => number;
}

/** Whose entries a request may see: never another tenant's, unless the route says `scope: shared`. */
export function cacheScope(context: RequestContext, policy: CachePolicySettings): string {
  if (policy.scope === 'shared') return 'shared';
  if (context.keyId) return `key:${context.keyId}`;
  if (context.tags.team) return `team:${context.tags.team}`;
  return 'anonymous';
}

/**
 * Exact-match response cache. A hit costs nothing and records what it saved; a miss is stored once its answer
 * is complete (streams included). Store trouble is a miss, never a failed request.
 */
export function cacheStage({ config, store, semantic, now = Date.now }: CacheStageOptions): Stage {
  const settings: CacheSettings = config.cache;
  const policyFor = (name: string): CachePolicySettings => settings.routes.get(name) ?? settings;
  const targetOf = cacheTargets(config);

  return async (context, next) => {
    // The request as it reached the cache: later stages (token reduction) replace context.request, and an answer
    // must be stored under the key it was looked up by.
    const request = context.request;
    const policy = policyFor(request.model);
    if (!policy.enabled) return next();
    const decision = decideCaching(request, parseCacheHeader(context.cacheHeader), { maxTemperature: policy.maxTemperature, defaultTtlSeconds: policy.ttlSeconds });
    if (!decision.read && !decision.write) {
      context.cacheStatus = formatCacheStatus({ kind: 'bypass' });
      return next();
    }
    const scope = cacheScope(context, policy);
    const target = targetOf(request.model);
    const key = await exactCacheKeyInChunks(request, { scope, target, caseFold: settings.caseFold }).catch((error: unknown) => {
      // A value nested too deeply to canonicalise is not cached; the request goes on, and the adapter says what is wrong with it.
      if (!(error instanceof RangeError)) throw error;
      return undefined;
    });
    if (key === undefined) {
      context.cacheStatus = formatCacheStatus({ kind: 'bypass' });
      return next();
    }
    if (decision.read) {
      const entry = await store.get(key).catch((error: unknown) => {
        publish(channels.cacheError, { operation: 'get', error });
        return undefined;
      });
      const hit = entry && serveHit(context, config, entry, { kind: 'hit' }, now);
      if (hit) return hit;
      const similar = semantic
        ? await semantic.lookup(request, scope, target).catch((error: unknown) => {
            publish(channels.cacheError, { operation: 'semantic-lookup', error });
            return undefined;
          })
        : undefined;
      const semanticHit = similar && serveHit(context, config, similar.entry, { kind: 'semantic-hit', similarity: similar.similarity }, now);
      if (semanticHit) return semanticHit;
    }
    context.cacheStatus = formatCacheStatus({ kind: 'miss' });
    const outcome = await next();
    if (!decision.write) return outcome;
    const save = (response: CachedEntry['response'], meta: CallMeta) => {
      if (!isStorableAnswer(response, request)) return;
      // An answer served short of what the route promises (a failed or unchecked cascade tier, because this
      // request's cost ceiling stopped the escalation) is this request's compromise, not the route's answer: a
      // later request without that ceiling must not be given it.
      if (context.servedShort) return;
      const usage = meta.usage;
      // A stream whose client did not ask for usage carried none: keep it from the call itself.
      if (!response.usage && usage) {
        forgetResponseText(response);
        response.usage = usageToOpenAI(usage);
      }
      const entry: CachedEntry = {
        response,
        servedModel: meta.model.name,
        provider: meta.provider,
        usage: { promptTokens: usage?.promptTokens ?? 0, completionTokens: usage?.completionTokens ?? 0, cachedPromptTokens: usage?.cachedPromptTokens ?? 0 },
        costNanos: context.spend.costNanos,
        promptCacheSavedNanos: context.spend.promptCacheSavedNanos,
        createdAt: now(),
      };
      store.set(key, entry, decision.ttlSeconds).catch((error: unknown) => publish(channels.cacheError, { operation: 'set', error }));
      semantic?.store(request, scope, entry, decision.ttlSeconds, target).catch((error: unknown) => publish(channels.cacheError, { operation: 'semantic-set', error }));
    };
    if (outcome.kind === 'response') {
      save(outcome.response, outcome.meta);
      return outcome;
    }
    return { ...outcome, chunks: storeWhenComplete(outcome.chunks, outcome.meta, save) };
  };
}

/**
 * `cacheTarget` of each requested name, computed once per config (a reload builds a new stage). Only configured
 * names are remembered, so a client sending made-up model names cannot grow the map.
 */
function cacheTargets(config: GatewayConfig): (name: string) => string {
  const autoRoute = config.routes.auto === undefined && !config.models.has('auto') ? defaultAutoRoute(config) : undefined;
  const routeSpecOf = (name: string): unknown => config.routes[name] ?? (name === 'auto' ? autoRoute : undefined);
  const known = new Map<string, string>();
  return (name) => {
    let target = known.get(name);
    if (target === undefined) {
      target = cacheTarget(config, name, routeSpecOf);
      if (config.models.has(name) || routeSpecOf(name) !== undefined) known.set(name, target);
    }
    return target;
  };
}

/**
 * A hit is a new completion with the stored content: it gets its own id and `created` (two replies never share an
 * id, and another tenant's request under `scope: shared` cannot be correlated by it). The store returns a copy.
 */
function freshIdentity(response: ChatResponse, nowMs: number): void {
  const hex = randomUUID().replaceAll('-', '');
  response.id = `chatcmpl-${hex}`;
  response.created = Math.floor(nowMs / 1000);
  const native = anthropicMessageOf(response.choices[0]?.message as unknown as Record<string, unknown> | undefined);
  if (native) native.id = `msg_${hex}`;
}

function serveHit(context: RequestContext, config: GatewayConfig, entry: CachedEntry, status: CacheStatus, now: () => number): ChatOutcome | undefined {
  const model = config.models.get(entry.servedModel);
  // The model that answered is gone from the config: its old answers are not served.
  if (model === undefined) return undefined;
  context.cacheStatus = formatCacheStatus(status);
  context.cacheHit = { originalCostNanos: entry.costNanos, originalPromptCacheSavedNanos: entry.promptCacheSavedNanos ?? 0, promptTokens: entry.usage.promptTokens, completionTokens: entry.usage.completionTokens };
  // The requested route or model first, so reports by route count hits where the request was aimed.
  context.routeTrace.push(context.request.model, status.kind === 'hit' ? 'cache' : 'semantic-cache');
  context.routeTrace.push(model.name);
  const response = entry.response;
  freshIdentity(response, now());
  if (response.usage) response.usage.cost = 0;
  const meta: CallMeta = { model, provider: entry.provider, usage: undefined, costNanos: 0, ttftMs: null, streamError: undefined, streamCompleted: false };
  return replayAsStream(context, { kind: 'response', response, meta });
}

async function* storeWhenComplete(chunks: AsyncIterable<ChatChunk>, meta: CallMeta, save: (response: CachedEntry['response'], meta: CallMeta) => void): AsyncGenerator<ChatChunk> {
  const assembler = new ChatResponseAssembler();
  for await (const chunk of chunks) {
    assembler.add(chunk);
    yield chunk;
  }
  // Only a stream that ended properly is worth serving again.
  if (meta.streamCompleted && assembler.complete) save(assembler.toResponse(), meta);
}
