import { randomUUID } from 'node:crypto';
import type { GatewayConfig, ModelEntry } from '../config/gateway-config.js';
import { loadConfig, validateConfig } from '../config/load-config.js';
import type { ChatRequest } from '../wire/chat-types.js';
import { createAdapter } from '../providers/create-adapter.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { embed, type EmbeddingOutcome } from './embeddings.js';
import { buildChatPipeline } from './pipeline.js';
import type { QualityStores } from './quality-runtime.js';
import { createRequestTokenCounter, type RequestTokenCounter } from './count-request-tokens.js';
import { openSpendControl, type SpendBackend, type SpendControl } from '../budget/open-spend-control.js';
import { createRouteRateMonitor } from '../budget/route-rate-alerts.js';
import type { CacheStore } from '../cache/cache-store.js';
import { cacheWanted, openCacheStore, openSemanticCache } from '../cache/open-cache-store.js';
import { requestTags } from './parse-tags.js';
import { emptySpend, type CallerContext, type ChatOutcome, type RequestContext } from '../request/request-context.js';
import type { LedgerSink } from '../ledger/ledger-row-builder.js';
import type { JobQueue } from '../queue/job-queue.js';
import { lazyJobQueue } from '../queue/lazy-job-queue.js';
import { openJobQueue } from '../queue/open-job-queue.js';

export interface GatewayOptions {
  /** A config document (same shape as the YAML file) or a path to the YAML file. Omitted: embedded defaults. */
  config?: Record<string, unknown> | string;
  /** Environment for `${VAR}` interpolation and provider auto-configuration (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Where ledger rows go. Default: none (the server opens the configured ledger store). */
  ledger?: LedgerSink;
  /** Where cached answers live. Default: the configured backend (in-memory LRU unless `cache.backend: redis`). */
  cacheStore?: CacheStore;
}

export type GatewayReply = ChatOutcome & { context: RequestContext };

export interface Gateway {
  readonly config: GatewayConfig;
  /** Runs a chat-completions request through the whole pipeline. Throws FrugalError. */
  chat(body: unknown, caller?: CallerContext): Promise<GatewayReply>;
  embeddings(body: unknown, caller?: CallerContext): Promise<EmbeddingOutcome>;
  /** Input tokens of a chat request for the model its name resolves to (POST /v1/messages/count_tokens). */
  countTokens: RequestTokenCounter;
  models(): ModelEntry[];
  /** Budget counters and rate limits (for the admin API and tests). */
  readonly spendControl: SpendControl;
  close(): Promise<void>;
}

/**
 * The gateway as a library: the same pipeline the server runs, in-process.
 * @example
 *   const gateway = await createGateway({ config: { providers: { sim: { kind: 'simulated' } } } });
 *   const reply = await gateway.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
 */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const env = options.env ?? process.env;
  const config =
    typeof options.config === 'string' ? await loadConfig(options.config, { env }) : validateConfig(options.config ?? {}, { env });
  return createGatewayFromConfig(config, options.ledger, options.cacheStore);
}

/** Routes' escalation and error rates watched from the ledger rows, alerting through the webhook. */
function withRouteAlerts(config: GatewayConfig, spendControl: SpendControl, ledger: LedgerSink | undefined): LedgerSink | undefined {
  const { alerts } = spendControl;
  if (!alerts || config.spendControl.routeAlerts.length === 0) return ledger;
  const monitor = createRouteRateMonitor(config.spendControl.routeAlerts, (alert, key, untilMs) => void alerts.send(alert, key, untilMs));
  return {
    record(row) {
      ledger?.record(row);
      monitor.observe(row);
    },
  };
}

/** `cacheStore`, `spendBackend` and `jobQueue`, when given, are shared (a config reload keeps them) and left open by `close`. */
export function createGatewayFromConfig(config: GatewayConfig, ledger: LedgerSink | undefined, cacheStore?: CacheStore, spendBackend?: SpendBackend, quality?: QualityStores, jobQueue?: JobQueue): Gateway {
  // Opened on first use: a gateway nobody sends background work to never touches the queue's store.
  const ownedQueue = jobQueue === undefined ? lazyJobQueue(config.queue.backend, () => openJobQueue(config.queue)) : undefined;
  const adapters = new Map<string, ProviderAdapter>();
  for (const settings of config.providers.values()) adapters.set(settings.name, createAdapter(settings));
  const ownedCache = cacheStore === undefined && cacheWanted(config) ? openCacheStore(config) : undefined;
  const spendControl = openSpendControl(config, spendBackend);
  ledger = withRouteAlerts(config, spendControl, ledger);
  const responses = cacheStore ?? ownedCache;
  const semanticCache = responses ? openSemanticCache(config, responses) : undefined;
  const { handle, stop } = buildChatPipeline({ config, adapters, ledger, cacheStore: responses, semanticCache, spendControl, quality, jobQueue: jobQueue ?? ownedQueue });

  return {
    config,
    async chat(body, caller = {}) {
      const request = (body ?? {}) as ChatRequest;
      const metadata = typeof request === 'object' && request.metadata && typeof request.metadata === 'object' ? request.metadata : undefined;
      const context: RequestContext = {
        requestId: caller.requestId ?? `frg-${randomUUID()}`,
        startedAt: Date.now(),
        startedHr: performance.now(),
        request,
        keyId: caller.key?.id ?? caller.keyId ?? null,
        key: caller.key,
        spendHold: undefined,
        user: typeof request.user === 'string' ? request.user : null,
        // A key's default tags first: the request's own tags are more specific, except ownership (team, key).
        tags: requestTags(caller.key, caller.tags, metadata),
        // A signal of its own when the caller has none: stages listen on it per call, and one shared signal would
        // gather a listener per concurrent in-process call (batch lines, judges).
        signal: caller.signal ?? new AbortController().signal,
        taskHint: caller.task,
        cacheHeader: caller.cacheHeader,
        maxCostUsd: caller.maxCostUsd,
        batchId: caller.batchId,
        holdRow: caller.holdRow,
        laneHint: caller.lane,
        keyInForce: caller.keyInForce,
        cacheHit: undefined,
        compressedAwayTokens: 0,
        tokenReduction: null,
        compressionCostNanos: 0,
        needs: undefined,
        model: undefined,
        routeTrace: [],
        task: null,
        warnings: [],
        cacheStatus: null,
        spend: emptySpend(),
        responseHeaders: {},
      };
      const outcome = await handle(context);
      return { ...outcome, context };
    },
    embeddings(body, caller = {}) {
      return embed({ config, adapters, ledger, spendControl }, body, caller);
    },
    models() {
      return [...config.models.values()];
    },
    countTokens: createRequestTokenCounter(config, adapters),
    spendControl,
    async close() {
      // Pending samples are written and running judges end (aborted) before the adapters close.
      await stop();
      await ownedQueue?.close();
      await ownedCache?.close();
      await spendControl.close();
      await Promise.all([...adapters.values()].map((adapter) => adapter.close()));
    },
  };
}
