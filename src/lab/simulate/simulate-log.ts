import { priceUsage } from '../../catalog/pricing.js';
import type { Embedder } from '../../cache/semantic/embedder.js';
import type { GatewayConfig, ModelEntry } from '../../config/gateway-config.js';
import { FrugalError } from '../../errors/frugal-error.js';
import { countPromptTokens } from '../../tokens/count-tokens.js';
import { createCacheReplay, type ReplayOutcome } from './cache-replay.js';
import type { LoggedRequest } from './logged-request.js';
import { createOfflineRouter } from './offline-router.js';
import { DAY_MS, formatSpan, MONTH_DAYS, type Scaling, projectionWarnings } from './project-cost.js';
import { describeCounts, describePrices, type Simulation } from './simulation.js';

export interface LogSimulationOptions {
  /** The candidate config: its prices, routes and cache policy. */
  config: GatewayConfig;
  /** Named in the report ("log requests.jsonl"). */
  source: string;
  /** Where the routing strategy sends requests that name a model (requests naming a route keep theirs). */
  route?: string;
  /** Completion tokens of a request whose usage does not say; default: the mean of those that do. */
  assumeOutputTokens?: number;
  /** Scale by this rate instead of the log's time span (required when the log has no timestamps). */
  requestsPerDay?: number;
  /** Replay a semantic cache too; undefined leaves the semantic strategies out. */
  semantic?: { embedder: Embedder; threshold?: number };
  /** Seed of the load balancer's weighted pick. */
  seed?: number;
}

interface Replayed {
  current: ModelEntry;
  routed: ModelEntry;
  promptTokens: number;
  completionTokens: number | undefined;
  cachedPromptTokens: number;
  cache: ReplayOutcome;
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/**
 * Replays a request log through a candidate config offline and prices every strategy per request: as logged
 * (current), routed, with the exact cache, with exact + semantic cache, and all combined. One pass does the
 * routing and cache decisions (they need the prompt text); the pricing pass runs over compact records, after
 * the mean completion length of the log is known.
 *
 * @example
 * const simulation = await simulateLog(readRequestLog('requests.jsonl'), { config, source: 'log requests.jsonl' });
 */
export async function simulateLog(requests: AsyncIterable<LoggedRequest>, options: LogSimulationOptions): Promise<Simulation> {
  const { config } = options;
  const route = options.route ?? 'auto';
  const router = createOfflineRouter(config, { seed: options.seed });
  const routes = new Set(router.routes);
  if (!routes.has(route)) {
    throw new FrugalError('invalid_request', `--route: the candidate config has no route '${route}' (routes: ${[...routes].join(', ') || 'none'})`, { param: 'route' });
  }
  const replay = createCacheReplay({ cache: config.cache, semantic: options.semantic });
  const records: Replayed[] = [];
  const skipped = new Map<string, number>();
  const currentModels = new Map<string, number>();
  const routedModels = new Map<string, number>();
  let timed: boolean | undefined;
  let index = 0;
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  let currentViaRoute = 0;
  let unroutable = 0;
  let counted = 0;

  for await (const logged of requests) {
    timed ??= logged.ts !== undefined;
    if ((logged.ts !== undefined) !== timed) throw new FrugalError('invalid_request', `log line ${logged.line}: ts must be on every line or on none`);
    if (!timed && options.requestsPerDay === undefined) {
      throw new FrugalError('invalid_request', 'the log has no timestamps ("ts"): pass --requests-per-day N to scale it to a month', { param: 'requests-per-day' });
    }
    // Without timestamps the requests are spread evenly over the day at the stated rate, for cache TTLs.
    const at = logged.ts ?? Math.floor((index * DAY_MS) / options.requestsPerDay!);
    index += 1;
    firstTs = Math.min(firstTs, at);
    lastTs = Math.max(lastTs, at);

    const { request } = logged;
    const named = config.models.get(request.model);
    const viaRoute = routes.has(request.model);
    const current = named?.type === 'chat' ? named : viaRoute ? router.route(request, logged.taskHint).model : undefined;
    if (current === undefined) {
      count(skipped, request.model);
      continue;
    }
    if (viaRoute) currentViaRoute += 1;
    const decision = router.route(viaRoute ? request : { ...request, model: route }, logged.taskHint);
    if (decision.model === undefined) unroutable += 1;
    const routed = decision.model ?? current;
    count(currentModels, current.name);
    count(routedModels, routed.name);
    const promptTokens = logged.usage?.promptTokens ?? countPromptTokens(request.messages, request.tools);
    if (logged.usage?.promptTokens === undefined) counted += 1;
    const cache = await replay.replay(request, at, { keyId: logged.keyId, cacheHeader: logged.cacheHeader });
    records.push({ current, routed, promptTokens, completionTokens: logged.usage?.completionTokens, cachedPromptTokens: logged.usage?.cachedPromptTokens ?? 0, cache });
  }

  if (records.length === 0) throw new FrugalError('invalid_request', `no request of ${options.source} could be priced${skipped.size > 0 ? ` (unknown models: ${describeCounts(skipped)})` : ''}`);
  let scaling: Scaling;
  if (options.requestsPerDay !== undefined) scaling = { kind: 'rate', requestsPerDay: options.requestsPerDay };
  else if (lastTs > firstTs) scaling = { kind: 'span', spanMs: lastTs - firstTs };
  else throw new FrugalError('invalid_request', 'the log covers no time (all timestamps are equal): pass --requests-per-day N', { param: 'requests-per-day' });
  const warnings = projectionWarnings(scaling, 'requests-per-day');

  const known = records.filter((record) => record.completionTokens !== undefined);
  const knownSum = known.reduce((sum, record) => sum + record.completionTokens!, 0);
  const assumed = options.assumeOutputTokens ?? (known.length > 0 ? Math.floor((2 * knownSum + known.length) / (2 * known.length)) : undefined);
  if (assumed === undefined) {
    throw new FrugalError('invalid_request', 'no request of the log says how many completion tokens it used: pass --assume-output-tokens N', { param: 'assume-output-tokens' });
  }

  const price = (record: Replayed, model: ModelEntry) =>
    BigInt(
      priceUsage(
        {
          promptTokens: record.promptTokens,
          completionTokens: record.completionTokens ?? assumed,
          // A provider's prompt cache belongs to the model that read it: another model bills those tokens as input.
          cachedPromptTokens: model === record.current ? record.cachedPromptTokens : 0,
          cacheCreationTokens: 0,
          reasoningTokens: 0,
          estimated: false,
        },
        model.price,
      ),
    );
  const totals = { current: 0n, routing: 0n, exact: 0n, semantic: 0n, combined: 0n };
  let exactHits = 0;
  let semanticHits = 0;
  let bypassed = 0;
  for (const record of records) {
    const current = price(record, record.current);
    const routed = record.routed === record.current ? current : price(record, record.routed);
    const hit = record.cache.withSemantic === 'hit' || record.cache.withSemantic === 'semantic-hit';
    totals.current += current;
    totals.routing += routed;
    totals.exact += record.cache.exact === 'hit' ? 0n : current;
    totals.semantic += hit ? 0n : current;
    totals.combined += hit ? 0n : routed;
    if (record.cache.exact === 'hit') exactHits += 1;
    if (record.cache.withSemantic === 'semantic-hit') semanticHits += 1;
    if (record.cache.exact === 'bypass') bypassed += 1;
  }

  const n = records.length;
  const semanticOn = options.semantic !== undefined;
  const strategies: Simulation['strategies'] = [
    { id: 'current', label: 'current', totalNanos: totals.current, detail: describeCounts(currentModels) },
    { id: 'routing', label: `routing (${route})`, totalNanos: totals.routing, detail: describeCounts(routedModels) + (unroutable > 0 ? `; ${unroutable} no model fits, kept as logged` : '') },
    { id: 'exact_cache', label: 'exact cache', totalNanos: totals.exact, detail: `${exactHits} of ${n} requests hit, ${bypassed} not cacheable` },
  ];
  if (semanticOn) strategies.push({ id: 'semantic_cache', label: 'exact + semantic cache', totalNanos: totals.semantic, detail: `${exactHits} exact + ${semanticHits} semantic hits` });
  strategies.push({ id: 'combined', label: 'all combined', totalNanos: totals.combined, detail: `routing (${route}) + ${semanticOn ? 'exact + semantic' : 'exact'} cache` });

  const cache = config.cache;
  const assumptions = [
    scaling.kind === 'rate'
      ? `scale: ${scaling.requestsPerDay} requests a day (--requests-per-day); per day = total × ${scaling.requestsPerDay} / ${n} requests; month = ${MONTH_DAYS} days`
      : `scale: the log covers ${formatSpan(scaling.spanMs)} (first to last timestamp); per day = total × 1 day / that span; month = ${MONTH_DAYS} days`,
    `prices, USD per 1M tokens input/output/cached input, from the candidate config: ${describePrices(records.flatMap((record) => [record.current, record.routed]))}`,
    `prompt tokens: ${n - counted} from usage, ${counted} counted with the o200k tokenizer (estimated)`,
    `completion tokens: ${known.length} from usage, ${n - known.length} unknown and assumed ${assumed} each (${options.assumeOutputTokens !== undefined ? '--assume-output-tokens' : `the mean of the ${known.length} known`})`,
    'another model is priced for the same tokens (its tokenizer may count a few percent differently); provider prompt-cache reads (cached_tokens) count only for the model that made them',
    `routing: requests naming a model are sent to route '${route}', requests naming a route keep it; decided by the candidate config's classifier and fit checks; cascades serve from their first tier that fits (best case: its checks pass), fallbacks from their first model that fits (upstreams healthy), load balancers from a seeded weighted pick`,
    `caches: replayed in log order from empty caches with the candidate config's policy (${cache.enabled ? 'on' : 'off'}, TTL ${cache.ttlSeconds} s, cacheable up to temperature ${cache.maxTemperature}, scope ${cache.scope}); a hit costs $0; no evictions`,
    semanticOn
      ? `semantic cache: embedder ${options.semantic!.embedder.id}, similarity threshold ${replay.semanticThreshold}, after an exact miss, same conversation context only`
      : 'semantic cache: not simulated',
  ];
  if (!timed) assumptions.push(`the log has no timestamps: requests are taken as evenly spaced at ${options.requestsPerDay} a day (for cache TTLs)`);
  if (currentViaRoute > 0) assumptions.push(`${currentViaRoute} logged requests name a route: their current cost is that route's choice in the candidate config`);
  if (skipped.size > 0) assumptions.push(`skipped, and left out of every figure: ${describeCounts(skipped)} (not a chat model or route of the candidate config)`);

  return {
    source: options.source,
    requests: n,
    scaling,
    firstTs: timed ? firstTs : undefined,
    lastTs: timed ? lastTs : undefined,
    strategies,
    assumptions,
    warnings,
  };
}
