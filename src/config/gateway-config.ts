import type { Price } from '../catalog/pricing.js';
import type { ExtraPricesDisplay } from '../catalog/price-spec.js';
import type { ProviderKind } from '../providers/provider-adapter.js';
import type { TelemetrySettings } from './telemetry-settings.js';
import type { ExperimentSettings, QualitySettings } from './quality-settings.js';
import type { LaneSettings, QueueSettings } from './lanes-settings.js';
import type { BatchesSettings } from './batches-settings.js';

export interface ProviderSettings {
  name: string;
  kind: ProviderKind;
  baseUrl: string | undefined;
  /** Never logged, never echoed. */
  apiKey: string | undefined;
  headers: Record<string, string>;
  connections: number | undefined;
  firstByteTimeoutMs: number | undefined;
  timeoutMs: number | undefined;
  /** Caps on what one upstream answer may make us read; undefined: the adapters' defaults (32 MB, 200 000 events). */
  maxResponseBytes: number | undefined;
  maxStreamEvents: number | undefined;
  defaultMaxTokens: number | undefined;
  promptCachingMinTokens: number | undefined;
  simulated: { ttftMs: number; tokensPerSecond: number; outputTokens: number | undefined };
}

export interface ModelEntry {
  /** What clients send as `model`. */
  name: string;
  provider: string;
  /** The id sent upstream. */
  upstream: string;
  type: 'chat' | 'embedding';
  price: Price;
  /** The price as configured, USD per 1M tokens, for display. */
  priceUsdPerMillion: { input: string; output: string; cachedInput: string; cacheWrite: string } & ExtraPricesDisplay;
  context: number | undefined;
  maxOutput: number | undefined;
  capabilities: { tools: boolean; vision: boolean; jsonSchema: boolean };
  source: string | undefined;
  asOf: string | undefined;
}

/** server.cors: browsers on these origins may call the API; `*` means any origin (never with credentials). */
export interface CorsSettings {
  origins: '*' | readonly string[];
  credentials: boolean;
  maxAgeSeconds: number | undefined;
}

/** The validated, frozen configuration every stage reads. Request code never re-validates it. */
export interface GatewayConfig {
  server: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    costInBody: boolean;
    drainTimeoutMs: number;
    /** server.watch_config: reload when the config file changes. */
    watchConfig: boolean;
    /** server.workers, resolved (`auto` = available cores): processes sharing the port; 1 = no cluster. */
    workers: number;
    maxJsonDepth: number;
    maxMessages: number;
    maxHeaderBytes: number;
    /** token: never logged; port undefined = served on the main listener at /metrics. */
    metrics: { token: string | undefined; host: string; port: number | undefined };
    /** undefined: no CORS headers and no preflight route (the default). */
    cors: CorsSettings | undefined;
  };
  providers: ReadonlyMap<string, ProviderSettings>;
  models: ReadonlyMap<string, ModelEntry>;
  routes: Readonly<Record<string, unknown>>;
  ledger: { enabled: boolean; databaseUrl: string | undefined; dataDir: string; flushIntervalMs: number; batchSize: number; durability: 'buffered' | 'spool' };
  circuitBreaker: { consecutiveFailures: number; errorRate: number; minRequests: number; windowMs: number; openMs: number };
  healthCheckIntervalMs: number;
  cache: CacheSettings;
  spendControl: SpendControlSettings;
  /** The model savings are measured against; undefined when its price is unknown. */
  savingsBaseline: { model: string; price: Price } | undefined;
  /** Routes with their own `baseline_model`, by route name. */
  routeBaselines: ReadonlyMap<string, { model: string; price: Price }>;
  /** Guards the admin API; undefined disables it. Never logged. */
  masterKey: string | undefined;
  /** admin.session_secret or $FRUGAL_DASHBOARD_SECRET: signs dashboard sessions (dashboard-session.ts). Never logged. */
  dashboardSessionSecret: string | undefined;
  /** Token reduction by route or model name ('*' for all); validated at start-up by the stage. */
  tokenReduction: Readonly<Record<string, TokenReductionSettings>>;
  /** OpenTelemetry export (config/telemetry-settings.ts); otlp undefined = tracing off. */
  telemetry: TelemetrySettings;
  /** The durable queue's backend and where it lives (config/lanes-settings.ts). */
  queue: QueueSettings;
  /** Background lanes (config/lanes-settings.ts). */
  lanes: LaneSettings;
  /** The Files and Batches API (config/batches-settings.ts). */
  batches: BatchesSettings;
  /** Samples, judges, quality budget and alerts (config/quality-settings.ts). */
  quality: QualitySettings;
  /** A/B splits and shadow arms, at most one per route. */
  experiments: readonly ExperimentSettings[];
  logLevel: string;
  /** logging.pretty: readable log lines; undefined: only on a terminal. */
  logPretty: boolean | undefined;
  /** True when no real provider is configured and the simulated provider serves every model. */
  demoMode: boolean;
  /** Start-up notes worth logging (unused providers with missing variables, demo mode). */
  notes: string[];
}

export interface CachePolicySettings {
  enabled: boolean;
  ttlSeconds: number;
  maxTemperature: number;
  scope: 'tenant' | 'shared';
}

export interface CacheSettings extends CachePolicySettings {
  backend: 'memory' | 'redis';
  redisUrl: string;
  maxBytes: number;
  caseFold: boolean;
  /** Overrides by route or model name. */
  routes: ReadonlyMap<string, CachePolicySettings>;
  semantic: {
    enabled: boolean;
    threshold: number | undefined;
    embedder: 'offline' | { model: string; dimensions: number | undefined };
    index: 'memory' | 'postgres';
    routeThresholds: Record<string, number>;
  };
}

export interface BudgetSettings {
  scope: string;
  limitNanos: number;
  period: 'day' | 'week' | 'month';
  hard: boolean;
  timeZone: string | undefined;
  thresholds: number[] | undefined;
  downgradeTo: string | undefined;
}

export interface SpendControlSettings {
  backend: 'memory' | 'redis';
  redisUrl: string;
  keyPrefix: string;
  budgets: BudgetSettings[];
  defaultKeyLimits: { rpm: number | undefined; tpm: number | undefined };
  defaultMaxTokens: number;
  webhook: { url: string; headers: Record<string, string> } | undefined;
  routeAlerts: Array<{ route: string; maxEscalationRate: number | undefined; maxErrorRate: number | undefined; windowMs: number; minRequests: number }>;
}

export interface TokenReductionSettings {
  compress?: { method: 'lossless' | 'extractive' | 'abstractive'; min_prompt_tokens: number; target_ratio?: number; token_budget?: number; model?: string };
  prune?: { max_prompt_tokens: number; keep_last_exchanges: number; model: string };
}
