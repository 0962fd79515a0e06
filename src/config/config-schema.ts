import { z } from 'zod';
import { experimentsSchema, qualitySchema } from './quality-schema.js';
import { lanesSchema, queueSchema } from './lanes-schema.js';
import { batchesSchema } from './batches-settings.js';

/** USD per 1M tokens: a number or a decimal string (strings keep every digit exactly). */
const usd = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d{1,6})?$/, 'a decimal with at most 6 decimals')]);

const ratesShape = {
  input: usd,
  output: usd,
  cached_input: usd.optional(),
  cache_write: usd.optional(),
};

/** Real-time rates plus, optionally, the batch, flex and off-peak ones (windows are checked at start-up, naming the path). */
const priceSchema = z.strictObject({
  ...ratesShape,
  batch: z.strictObject(ratesShape).optional(),
  /** A fraction off every real-time rate for batch lines (0.5 = −50 %); instead of `batch`. */
  batch_discount: z.union([z.number().gt(0).lt(1), z.string()]).optional(),
  flex: z.strictObject(ratesShape).optional(),
  off_peak: z.strictObject({ ...ratesShape, windows: z.array(z.string()).min(1) }).optional(),
});

const providerSchema = z.strictObject({
  kind: z.enum(['openai', 'anthropic', 'simulated']),
  base_url: z.url().optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Keep-alive connections per upstream origin. */
  connections: z.number().int().positive().max(10_000).optional(),
  /** Milliseconds until the upstream's response headers (first byte) must arrive. */
  first_byte_timeout_ms: z.number().int().positive().optional(),
  /** Milliseconds a whole call may take. */
  timeout_ms: z.number().int().positive().optional(),
  /** The most one answer may send (a JSON body, or a whole stream), MB; beyond it the answer is dropped with a 502. */
  max_response_mb: z.number().positive().optional(),
  /** The most server-sent events one streamed answer may send; beyond it the stream ends with an error. */
  max_stream_events: z.number().int().positive().optional(),
  /** Anthropic requires max_tokens; used when the client sent none. */
  default_max_tokens: z.number().int().positive().optional(),
  /** Anthropic: mark static prefixes (system prompt, tools) of at least this many tokens for prompt caching; false = off. */
  prompt_caching: z.union([z.literal(false), z.strictObject({ min_tokens: z.number().int().positive().default(1024) })]).optional(),
  // simulated provider
  ttft_ms: z.number().nonnegative().optional(),
  tokens_per_second: z.number().positive().optional(),
  output_tokens: z.number().int().nonnegative().optional(),
});

const modelSchema = z.strictObject({
  name: z.string().min(1),
  provider: z.string().min(1).optional(),
  upstream: z.string().min(1).optional(),
  type: z.enum(['chat', 'embedding']).optional(),
  price: priceSchema.optional(),
  context: z.number().int().positive().optional(),
  max_output: z.number().int().positive().optional(),
  capabilities: z
    .strictObject({ tools: z.boolean().optional(), vision: z.boolean().optional(), json_schema: z.boolean().optional() })
    .optional(),
  source: z.string().optional(),
  as_of: z.string().optional(),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().optional(),
      port: z.number().int().min(0).max(65_535).optional(),
      body_limit_mb: z.number().positive().optional(),
      /** Put the call's cost in the response body as `usage.cost` (USD), as OpenRouter does. */
      cost_in_body: z.boolean().optional(),
      /** On SIGTERM/SIGINT, how long in-flight requests may finish before they are ended with a `shutdown` error. */
      drain_timeout_ms: z.number().int().min(0).optional(),
      /** Re-read the config file when it changes (as on SIGHUP); settings that need a restart are reported, the rest applied. */
      watch_config: z.boolean().optional(),
      /** Worker processes sharing the port (node:cluster); `auto`: one per available core (within a container's CPU limit). 1 (default): one process. */
      workers: z.union([z.number().int().min(1).max(256), z.literal('auto')]).optional(),
      /** Deepest nesting of arrays/objects a request body may have; deeper bodies get a 400 before anything walks them. */
      max_json_depth: z.number().int().min(2).max(10_000).optional(),
      /** Most messages one chat request may carry. */
      max_messages: z.number().int().positive().optional(),
      /** Largest request line + headers, bytes; beyond it the reply is 431. */
      max_header_bytes: z.number().int().min(1024).optional(),
      /** Prometheus /metrics: behind a bearer token, and/or on a listener of its own (port). */
      metrics: z
        .strictObject({ token: z.string().optional(), host: z.string().optional(), port: z.number().int().min(0).max(65_535).optional() })
        .optional(),
      /** Browser callers: which origins may call the API (off when absent). */
      cors: z
        .strictObject({
          // An origin is scheme://host[:port] exactly as a browser sends it: no path, no trailing slash.
          origins: z.union([z.literal('*'), z.array(z.string().regex(/^https?:\/\/[^/\s*]+$/, 'an origin such as https://app.example.com (scheme, host, optional port; no path)')).min(1)]),
          credentials: z.boolean().optional(),
          /** Seconds a browser may cache a preflight answer. */
          max_age: z.number().int().min(0).max(86_400).optional(),
        })
        .optional(),
    })
    .optional(),
  providers: z.record(z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, - and _'), providerSchema).optional(),
  models: z.array(modelSchema).optional(),
  /** Reserved for routing (routes by name); validated by the routing stage. */
  routes: z.record(z.string(), z.unknown()).optional(),
  ledger: z
    .strictObject({
      enabled: z.boolean().optional(),
      database_url: z.string().optional(),
      data_dir: z.string().optional(),
      flush_interval_ms: z.number().int().positive().optional(),
      batch_size: z.number().int().positive().optional(),
      /** buffered: rows wait in memory for the next flush; spool: each row is fsynced to a local file before the reply completes. */
      durability: z.enum(['buffered', 'spool']).optional(),
    })
    .optional(),
  cache: z
    .strictObject({
      enabled: z.boolean().optional(),
      backend: z.enum(['memory', 'redis']).optional(),
      redis_url: z.string().optional(),
      /** Memory backend bound, MiB of stored JSON. */
      max_mb: z.number().positive().optional(),
      ttl_seconds: z.number().int().positive().optional(),
      /** Answers at or below this temperature are cached without an opt-in header. */
      max_temperature: z.number().min(0).max(2).optional(),
      /** tenant: entries never cross virtual keys/teams; shared: one cache for everyone. */
      scope: z.enum(['tenant', 'shared']).optional(),
      case_fold: z.boolean().optional(),
      /** Semantic cache: a similar enough question in the same context gets the cached answer. Off by default. */
      semantic: z
        .strictObject({
          enabled: z.boolean().optional(),
          /** Cosine similarity needed; default: the embedder's measured safe value (offline: 0.99), else 0.92. */
          threshold: z.number().gt(0).max(1).optional(),
          /** 'offline' (no download, lexical) or an embedding model served by a configured provider. */
          embedder: z.union([z.literal('offline'), z.strictObject({ model: z.string(), dimensions: z.number().int().positive().optional() })]).optional(),
          /** memory: HNSW per instance; postgres: pgvector in the ledger's PostgreSQL, shared by every instance (needs backend: redis). */
          index: z.enum(['memory', 'postgres']).optional(),
        })
        .optional(),
      /** Per route or model name: overrides of the settings above. */
      routes: z
        .record(
          z.string(),
          z.strictObject({
            enabled: z.boolean().optional(),
            ttl_seconds: z.number().int().positive().optional(),
            max_temperature: z.number().min(0).max(2).optional(),
            scope: z.enum(['tenant', 'shared']).optional(),
            semantic_threshold: z.number().gt(0).max(1).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  /** Where budget counters and rate-limit state live: memory (one instance) or Redis (shared by all). */
  spend_control: z
    .strictObject({
      backend: z.enum(['memory', 'redis']).optional(),
      redis_url: z.string().optional(),
      /** Prefix of every Redis key, so several gateways (or environments) can share one Redis. */
      key_prefix: z.string().optional(),
      /** Per-key limits for keys that set none of their own. */
      default_key_limits: z.strictObject({ rpm: z.number().int().positive().optional(), tpm: z.number().int().positive().optional() }).optional(),
      /** Output tokens assumed for a budgeted request that sets no max_tokens (it is then sent upstream as max_tokens). */
      default_max_tokens: z.number().int().positive().optional(),
    })
    .optional(),
  budgets: z
    .array(
      z.strictObject({
        /** global | key:<id> | key:* | team:<name> | team:* | tag:<name>=<value> | tag:<name>=* */
        scope: z.string().min(1),
        limit_usd: usd,
        period: z.enum(['day', 'week', 'month']),
        hard: z.boolean().default(true),
        time_zone: z.string().optional(),
        thresholds: z.array(z.number().positive().max(1000)).optional(),
        /** Soft budgets: the cheaper route or model to switch to once the budget is used up. */
        downgrade_to: z.string().optional(),
      }),
    )
    .optional(),
  alerts: z
    .strictObject({
      webhook_url: z.url().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      /** Per route: alert when its escalation or error rate over a window passes this baseline (0–1). */
      routes: z
        .record(
          z.string(),
          z.strictObject({
            max_escalation_rate: z.number().min(0).max(1).optional(),
            max_error_rate: z.number().min(0).max(1).optional(),
            window_minutes: z.number().positive().default(10),
            min_requests: z.number().int().positive().default(20),
          }),
        )
        .optional(),
    })
    .optional(),
  /** Token reduction per route or model name ('*' = every request); opt-in, always measured. */
  token_reduction: z
    .record(
      z.string(),
      z.strictObject({
        compress: z
          .strictObject({
            method: z.enum(['lossless', 'extractive', 'abstractive']).default('extractive'),
            /** Prompts smaller than this are left alone. */
            min_prompt_tokens: z.number().int().positive().default(2_000),
            target_ratio: z.number().gt(1).max(20).optional(),
            token_budget: z.number().int().positive().optional(),
            /** The cheap model abstractive compression summarises with. */
            model: z.string().optional(),
          })
          .optional(),
        prune: z
          .strictObject({
            /** Conversations above this many prompt tokens have their older turns summarised. */
            max_prompt_tokens: z.number().int().positive(),
            keep_last_exchanges: z.number().int().min(1).default(2),
            /** The cheap model that writes the summary. */
            model: z.string(),
          })
          .optional(),
      }),
    )
    .optional(),
  admin: z
    .strictObject({
      /** Guards /admin (keys, spend). Default: $FRUGAL_MASTER_KEY. At least 16 characters. */
      master_key: z.string().optional(),
      /**
       * Signs dashboard sessions. Default: $FRUGAL_DASHBOARD_SECRET, else derived from the master key. Set the same on
       * every replica that has no master key, so that a session from one is accepted by all. At least 16 characters.
       */
      session_secret: z.string().optional(),
    })
    .optional(),
  savings: z
    .strictObject({
      /** Savings are measured against this model's prices (a catalog or configured model). */
      baseline_model: z.string().optional(),
    })
    .optional(),
  resilience: z
    .strictObject({
      circuit_breaker: z
        .strictObject({
          consecutive_failures: z.number().int().positive().optional(),
          error_rate: z.number().gt(0).max(1).optional(),
          min_requests: z.number().int().positive().optional(),
          window_ms: z.number().int().positive().optional(),
          open_ms: z.number().int().positive().optional(),
        })
        .optional(),
      /** Background liveness probes per provider; 0 turns them off. */
      health_check_interval_ms: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /** OpenTelemetry traces over OTLP (HTTP/protobuf): on when an endpoint is set here or in OTEL_EXPORTER_OTLP_ENDPOINT. */
  telemetry: z
    .strictObject({
      service_name: z.string().min(1).optional(),
      otlp: z
        .strictObject({
          /** The collector's base URL, like OTEL_EXPORTER_OTLP_ENDPOINT: spans go to <endpoint>/v1/traces. */
          endpoint: z.url().optional(),
          /** Sent with every export (e.g. an authorization header); never logged. */
          headers: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  /** The durable queue (SQLite, pg-boss or BullMQ) background lanes and batch lines run through (config/lanes-schema.ts). */
  queue: queueSchema.optional(),
  /** Background lanes: concurrency, share of each deployment's RPM/TPM, deadlines (config/lanes-schema.ts). */
  lanes: lanesSchema.optional(),
  /** The Files and Batches API (config/batches-settings.ts). */
  batches: batchesSchema.optional(),
  /** Sampled requests, judges and regression alerts (config/quality-schema.ts). */
  quality: qualitySchema.optional(),
  /** A/B splits and shadow arms by name (config/quality-schema.ts). */
  experiments: experimentsSchema.optional(),
  logging: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(), pretty: z.boolean().optional() }).optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawProvider = z.infer<typeof providerSchema>;
export type RawModel = z.infer<typeof modelSchema>;
