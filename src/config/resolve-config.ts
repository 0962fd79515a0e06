import { AUTO_PROVIDERS, BUILTIN_CATALOG, type CatalogModel } from '../catalog/builtin-catalog.js';
import { applyCatalogOverride, type CatalogOverrideEntry } from '../catalog/catalog-override.js';
import { parseUsdNanos, picoToUsdPerMillion, type Price } from '../catalog/pricing.js';
import { describeExtraPrices, PriceSpecError, resolvePriceSpec } from '../catalog/price-spec.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { CachePolicySettings, CacheSettings, GatewayConfig, ModelEntry, ProviderSettings } from './gateway-config.js';
import type { RawConfig, RawModel, RawProvider } from './config-schema.js';
import type { MissingVariable } from './interpolate-env.js';
import { telemetrySettings } from './telemetry-settings.js';
import { resolveExperiments, resolveQuality, type NameCheck } from './quality-settings.js';
import { laneSettings, queueSettings } from './lanes-settings.js';
import { batchesSettings } from './batches-settings.js';
import { autoWorkerCount } from './available-cores.js';

export interface ResolveOptions {
  env: Record<string, string | undefined>;
  missing: MissingVariable[];
  catalog?: readonly CatalogModel[];
  /** Imported prices (`frugal models import`), applied over the catalog; `models:` still wins. */
  catalogOverride?: readonly CatalogOverrideEntry[];
}

const DEMO_PROVIDER = 'simulated';

/** Turns a validated config (or none) into the frozen GatewayConfig: providers, priced models, defaults. */
export function resolveConfig(raw: RawConfig, options: ResolveOptions): GatewayConfig {
  const { env, missing } = options;
  const catalog = applyCatalogOverride(options.catalog ?? BUILTIN_CATALOG, options.catalogOverride ?? []);
  const notes: string[] = [];
  if (options.catalogOverride?.length) notes.push(`catalog override: ${options.catalogOverride.length} models priced from an imported price file (frugal models --diff lists the changes)`);

  let rawProviders: Record<string, RawProvider> = raw.providers ?? {};
  if (Object.keys(rawProviders).length === 0) rawProviders = autoProviders(env);
  let demoMode = false;
  if (Object.keys(rawProviders).length === 0) {
    demoMode = true;
    rawProviders = { [DEMO_PROVIDER]: { kind: 'simulated' } };
    notes.push(
      'DEMO MODE: no provider keys and no providers in config; every model is served by the built-in simulated provider (answers are simulated, costs are what the real model would charge).',
    );
  }

  const providers = new Map<string, ProviderSettings>();
  for (const [name, provider] of Object.entries(rawProviders)) providers.set(name, providerSettings(name, provider));

  const models = new Map<string, ModelEntry>();
  const configured = new Map<string, { model: RawModel; index: number }>();
  for (const [index, model] of (raw.models ?? []).entries()) {
    // A second entry would silently replace the first, prices included: say which two collide.
    const first = configured.get(model.name);
    if (first) throw configError(`models[${index}].name: '${model.name}' is already the name of models[${first.index}]; model names must be unique`);
    configured.set(model.name, { model, index });
  }
  for (const base of catalog) {
    if (configured.has(base.name)) continue;
    const provider = demoMode ? DEMO_PROVIDER : base.provider;
    if (providers.has(provider)) models.set(base.name, modelEntry({ ...base, provider }, `catalog.${base.name}`));
  }
  for (const [name, { model, index }] of configured) {
    const path = `models[${index}]`;
    const base = catalog.find((entry) => entry.name === name);
    const provider = model.provider ?? (demoMode ? DEMO_PROVIDER : base?.provider);
    if (provider === undefined) throw configError(`${path}.provider: required for a model that is not in the built-in catalog`);
    if (!providers.has(provider)) {
      throw configError(`${path}.provider: unknown provider '${provider}' (configured: ${[...providers.keys()].join(', ')})`);
    }
    const price = model.price ?? base?.price;
    if (price === undefined) throw configError(`${path}.price: required for a model that is not in the built-in catalog`);
    models.set(name, modelEntry({ ...base, ...model, provider, price }, path));
  }

  const usedProviders = new Set([...models.values()].map((model) => model.provider));
  for (const gap of missing) {
    const match = /^providers\.([^.]+)\./.exec(gap.path);
    if (match && usedProviders.has(match[1])) {
      throw configError(`${gap.path}: environment variable ${gap.variable} is not set (provider '${match[1]}' is used by a model)`);
    }
    if (match) notes.push(`provider '${match[1]}' is unused and ${gap.variable} is not set`);
    else throw configError(`${gap.path}: environment variable ${gap.variable} is not set`);
  }

  const ledger = raw.ledger ?? {};
  if (raw.cache?.semantic?.index === 'postgres') {
    // Vectors shared but answers per instance would find entries whose answers are elsewhere.
    if ((raw.cache.backend ?? 'memory') !== 'redis') throw configError('cache.semantic.index: postgres needs cache.backend: redis, so every instance shares the answers too');
    if (!(raw.ledger?.database_url || env.DATABASE_URL)) throw configError('cache.semantic.index: postgres needs DATABASE_URL (or ledger.database_url)');
  }
  return Object.freeze({
    server: {
      host: raw.server?.host ?? env.FRUGAL_HOST ?? '127.0.0.1',
      port: raw.server?.port ?? portFromEnv(env) ?? 4000,
      bodyLimitBytes: Math.round((raw.server?.body_limit_mb ?? 10) * 1024 * 1024),
      costInBody: raw.server?.cost_in_body ?? true,
      // Kubernetes kills a pod 30 s after SIGTERM by default: 20 s of drain leaves time to end the rest and flush.
      drainTimeoutMs: raw.server?.drain_timeout_ms ?? 20_000,
      watchConfig: raw.server?.watch_config ?? false,
      workers: raw.server?.workers === 'auto' ? autoWorkerCount() : (raw.server?.workers ?? 1),
      // 64 levels hold any real JSON schema or tool arguments, and stay far below what overflows a recursive walk.
      maxJsonDepth: raw.server?.max_json_depth ?? 64,
      maxMessages: raw.server?.max_messages ?? 4096,
      // Node's own default; beyond it the reply is a 431.
      maxHeaderBytes: raw.server?.max_header_bytes ?? 16_384,
      metrics: metricsSettings(raw.server, env),
      cors: corsSettings(raw.server),
    },
    providers,
    models,
    routes: Object.freeze({ ...(raw.routes ?? {}) }),
    ledger: {
      enabled: ledger.enabled ?? true,
      databaseUrl: ledger.database_url || env.DATABASE_URL || undefined,
      dataDir: ledger.data_dir ?? env.FRUGAL_DATA_DIR ?? './.frugal',
      flushIntervalMs: ledger.flush_interval_ms ?? 250,
      batchSize: ledger.batch_size ?? 500,
      durability: ledger.durability ?? 'buffered',
    },
    circuitBreaker: {
      consecutiveFailures: raw.resilience?.circuit_breaker?.consecutive_failures ?? 5,
      errorRate: raw.resilience?.circuit_breaker?.error_rate ?? 0.5,
      minRequests: raw.resilience?.circuit_breaker?.min_requests ?? 20,
      windowMs: raw.resilience?.circuit_breaker?.window_ms ?? 30_000,
      openMs: raw.resilience?.circuit_breaker?.open_ms ?? 30_000,
    },
    healthCheckIntervalMs: raw.resilience?.health_check_interval_ms ?? 15_000,
    cache: cacheSettings(raw.cache, env),
    savingsBaseline: savingsBaseline(raw.savings?.baseline_model ?? 'gpt-4o', models, catalog),
    routeBaselines: routeBaselines(raw.routes ?? {}, models, catalog),
    spendControl: {
      backend: raw.spend_control?.backend ?? 'memory',
      redisUrl: raw.spend_control?.redis_url || env.REDIS_URL || 'redis://127.0.0.1:6379',
      keyPrefix: raw.spend_control?.key_prefix ?? 'frugal:',
      budgets: (raw.budgets ?? []).map((budget, index) => ({
        scope: budget.scope,
        limitNanos: usdToNanos(budget.limit_usd, `budgets[${index}].limit_usd`),
        period: budget.period,
        hard: budget.hard,
        timeZone: budget.time_zone,
        thresholds: budget.thresholds,
        downgradeTo: budget.downgrade_to,
      })),
      defaultKeyLimits: { rpm: raw.spend_control?.default_key_limits?.rpm, tpm: raw.spend_control?.default_key_limits?.tpm },
      defaultMaxTokens: raw.spend_control?.default_max_tokens ?? 4096,
      webhook: raw.alerts?.webhook_url ? { url: raw.alerts.webhook_url, headers: raw.alerts.headers ?? {} } : undefined,
      routeAlerts: Object.entries(raw.alerts?.routes ?? {}).map(([route, rule]) => ({
        route,
        maxEscalationRate: rule.max_escalation_rate,
        maxErrorRate: rule.max_error_rate,
        windowMs: Math.round(rule.window_minutes * 60_000),
        minRequests: rule.min_requests,
      })),
    },
    masterKey: raw.admin?.master_key || env.FRUGAL_MASTER_KEY || undefined,
    dashboardSessionSecret: sessionSecret(raw.admin, env),
    tokenReduction: Object.freeze({ ...(raw.token_reduction ?? {}) }),
    telemetry: telemetrySettings(raw.telemetry, env),
    ...qualityAndExperiments(raw, models),
    ...queueAndLanes(raw, env),
    batches: batchesSettings(raw.batches),
    logLevel: raw.logging?.level ?? logLevelFromEnv(env) ?? 'info',
    logPretty: raw.logging?.pretty,
    demoMode,
    notes,
  });
}

function savingsBaseline(name: string, models: ReadonlyMap<string, ModelEntry>, catalog: readonly CatalogModel[]) {
  const configured = models.get(name);
  if (configured) return { model: name, price: configured.price };
  const entry = catalog.find((candidate) => candidate.name === name);
  // The baseline need not be served: the catalog's price is enough to measure against.
  return entry ? { model: name, price: modelEntry({ ...entry }, `savings.baseline_model`).price } : undefined;
}

function routeBaselines(routes: Readonly<Record<string, unknown>>, models: ReadonlyMap<string, ModelEntry>, catalog: readonly CatalogModel[]) {
  const baselines = new Map<string, { model: string; price: Price }>();
  for (const [route, spec] of Object.entries(routes)) {
    const name = (spec as { baseline_model?: unknown } | null)?.baseline_model;
    if (typeof name !== 'string') continue;
    const baseline = savingsBaseline(name, models, catalog);
    if (baseline === undefined) throw configError(`routes.${route}.baseline_model: unknown model '${name}' (neither configured nor in the built-in catalog)`);
    baselines.set(route, baseline);
  }
  return baselines;
}

/** USD (number or decimal string) → integer nano-dollars, exactly. */
export function usdToNanos(value: number | string, path: string): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const nanos = parseUsdNanos(text);
  if (nanos === undefined) throw configError(`${path}: a non-negative amount with at most 9 decimals (and under 9 million USD), got '${text}'`);
  return nanos;
}

function cacheSettings(raw: RawConfig['cache'], env: Record<string, string | undefined>): CacheSettings {
  const base: CachePolicySettings = {
    enabled: raw?.enabled ?? true,
    ttlSeconds: raw?.ttl_seconds ?? 86_400,
    maxTemperature: raw?.max_temperature ?? 0.3,
    scope: raw?.scope ?? 'tenant',
  };
  const routes = new Map<string, CachePolicySettings>();
  for (const [name, override] of Object.entries(raw?.routes ?? {})) {
    routes.set(name, {
      enabled: override.enabled ?? base.enabled,
      ttlSeconds: override.ttl_seconds ?? base.ttlSeconds,
      maxTemperature: override.max_temperature ?? base.maxTemperature,
      scope: override.scope ?? base.scope,
    });
  }
  return {
    ...base,
    backend: raw?.backend ?? 'memory',
    redisUrl: raw?.redis_url || env.REDIS_URL || 'redis://127.0.0.1:6379',
    maxBytes: Math.round((raw?.max_mb ?? 256) * 1024 * 1024),
    caseFold: raw?.case_fold ?? false,
    routes,
    semantic: {
      enabled: raw?.semantic?.enabled ?? false,
      threshold: raw?.semantic?.threshold,
      index: raw?.semantic?.index ?? 'memory',
      embedder: raw?.semantic?.embedder === undefined || raw.semantic.embedder === 'offline' ? 'offline' : { model: raw.semantic.embedder.model, dimensions: raw.semantic.embedder.dimensions },
      routeThresholds: Object.fromEntries(
        Object.entries(raw?.routes ?? {}).flatMap(([name, override]) => (override.semantic_threshold === undefined ? [] : [[name, override.semantic_threshold]])),
      ),
    },
  };
}

function autoProviders(env: Record<string, string | undefined>): Record<string, RawProvider> {
  const result: Record<string, RawProvider> = {};
  for (const auto of AUTO_PROVIDERS) {
    const key = env[auto.env];
    if (key) result[auto.name] = { kind: auto.kind, base_url: auto.baseUrl, api_key: key };
  }
  return result;
}

function providerSettings(name: string, raw: RawProvider): ProviderSettings {
  return {
    name,
    kind: raw.kind,
    baseUrl: raw.base_url,
    apiKey: raw.api_key === '' ? undefined : raw.api_key,
    headers: raw.headers ?? {},
    connections: raw.connections,
    firstByteTimeoutMs: raw.first_byte_timeout_ms,
    timeoutMs: raw.timeout_ms,
    maxResponseBytes: raw.max_response_mb === undefined ? undefined : Math.round(raw.max_response_mb * 1024 * 1024),
    maxStreamEvents: raw.max_stream_events,
    defaultMaxTokens: raw.default_max_tokens,
    promptCachingMinTokens: raw.prompt_caching ? raw.prompt_caching.min_tokens : undefined,
    simulated: { ttftMs: raw.ttft_ms ?? 0, tokensPerSecond: raw.tokens_per_second ?? 0, outputTokens: raw.output_tokens },
  };
}

type ModelSource = Partial<CatalogModel> & Partial<RawModel> & { name: string; provider: string; price: NonNullable<RawModel['price']> };

function modelEntry(source: ModelSource, path: string): ModelEntry {
  let price: Price;
  try {
    price = resolvePriceSpec(source.price);
  } catch (error) {
    if (error instanceof PriceSpecError) throw configError(`${path}.price.${error.field}: ${error.message}`);
    throw error;
  }
  return {
    name: source.name,
    provider: source.provider,
    upstream: source.upstream ?? source.name,
    type: source.type ?? 'chat',
    price,
    priceUsdPerMillion: {
      input: picoToUsdPerMillion(price.inputPico),
      output: picoToUsdPerMillion(price.outputPico),
      cachedInput: picoToUsdPerMillion(price.cachedInputPico),
      cacheWrite: picoToUsdPerMillion(price.cacheWritePico),
      ...describeExtraPrices(price),
    },
    context: source.context,
    maxOutput: source.max_output,
    // A model configured without capabilities is trusted to have them; catalog entries list theirs.
    capabilities: {
      tools: source.capabilities === undefined || source.capabilities.tools === true,
      vision: source.capabilities === undefined || source.capabilities.vision === true,
      jsonSchema: source.capabilities === undefined || source.capabilities.json_schema === true,
    },
    source: source.source,
    asOf: source.as_of,
  };
}

/** A secret guessable by brute force (metrics token, session secret) opens what it guards: the master key's floor. */
const MIN_SECRET_LENGTH = 16;

/** A guessable session secret would let anyone forge a dashboard session. */
function sessionSecret(admin: RawConfig['admin'], env: Record<string, string | undefined>): string | undefined {
  const secret = admin?.session_secret || env.FRUGAL_DASHBOARD_SECRET || undefined;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw configError(`admin.session_secret: at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)`);
  }
  return secret;
}

function metricsSettings(server: RawConfig['server'], env: Record<string, string | undefined>): GatewayConfig['server']['metrics'] {
  const token = server?.metrics?.token || env.FRUGAL_METRICS_TOKEN || undefined;
  if (token !== undefined && token.length < MIN_SECRET_LENGTH) {
    throw configError(`server.metrics.token: at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)`);
  }
  return { token, host: server?.metrics?.host ?? server?.host ?? env.FRUGAL_HOST ?? '127.0.0.1', port: server?.metrics?.port };
}

function corsSettings(server: RawConfig['server']): GatewayConfig['server']['cors'] {
  const cors = server?.cors;
  if (cors === undefined) return undefined;
  // Browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests; failing here beats a silent CORS error.
  if (cors.origins === '*' && cors.credentials === true) throw configError("server.cors.credentials: true needs a list of origins, not '*'");
  return Object.freeze({ origins: cors.origins === '*' ? '*' : Object.freeze([...cors.origins]), credentials: cors.credentials ?? false, maxAgeSeconds: cors.max_age });
}

function qualityAndExperiments(raw: RawConfig, models: ReadonlyMap<string, ModelEntry>): Pick<GatewayConfig, 'quality' | 'experiments'> {
  const routes = new Set(['auto', ...Object.keys(raw.routes ?? {})]);
  const names: NameCheck = { known: (name) => models.has(name) || routes.has(name), describe: () => `routes: ${[...routes].join(', ')}; models: see frugal models` };
  const quality = resolveQuality(raw.quality, names);
  return { quality, experiments: resolveExperiments(raw.experiments, names, quality) };
}

/**
 * FRUGAL_PORT, else PORT (what Heroku, Cloud Run and Render set): checked here, since Node would otherwise refuse
 * a NaN port only once every store is open, with a message about `options.port`.
 */
function portFromEnv(env: Record<string, string | undefined>): number | undefined {
  const name = env.FRUGAL_PORT ? 'FRUGAL_PORT' : env.PORT ? 'PORT' : undefined;
  if (name === undefined) return undefined;
  const text = env[name]!.trim();
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw configError(`${name}: a port number from 0 to 65535, got '${text}'`);
  return port;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** pino throws on an unknown level with a message about "custom levels": name the variable instead. */
function logLevelFromEnv(env: Record<string, string | undefined>): (typeof LOG_LEVELS)[number] | undefined {
  const text = env.FRUGAL_LOG_LEVEL?.trim().toLowerCase();
  if (!text) return undefined;
  const level = LOG_LEVELS.find((known) => known === text);
  if (level === undefined) throw configError(`FRUGAL_LOG_LEVEL: one of ${LOG_LEVELS.join(', ')}, got '${env.FRUGAL_LOG_LEVEL}'`);
  return level;
}

export function configError(message: string): FrugalError {
  return new FrugalError('config_invalid', `Invalid config: ${message}`);
}

function queueAndLanes(raw: RawConfig, env: Record<string, string | undefined>): Pick<GatewayConfig, 'queue' | 'lanes'> {
  const redis = (backend: string | undefined, url: string | undefined) => (backend === 'redis' ? url || env.REDIS_URL || 'redis://127.0.0.1:6379' : undefined);
  const queue = queueSettings(
    {
      queue: raw.queue,
      dataDir: raw.ledger?.data_dir ?? env.FRUGAL_DATA_DIR ?? './.frugal',
      databaseUrl: raw.ledger?.database_url || env.DATABASE_URL || undefined,
      redisInUse: redis(raw.spend_control?.backend, raw.spend_control?.redis_url) ?? redis(raw.cache?.backend, raw.cache?.redis_url),
      env,
    },
    configError,
  );
  return { queue, lanes: laneSettings(raw.lanes, raw.routes ?? {}, configError) };
}
