import { describe, expect, it } from 'vitest';
import { liveConfig } from './live-settings.js';
import { validateConfig } from './load-config.js';

const env = {};
const base = {
  providers: { sim: { kind: 'simulated' } },
  models: [{ name: 'model-a', provider: 'sim', price: { input: 1, output: 2 } }],
  server: { port: 4100 },
  cache: { backend: 'memory', ttl_seconds: 60 },
  budgets: [{ scope: 'global', limit_usd: 5, period: 'day' }],
};

describe('liveConfig', () => {
  it('applies models, routes, prices, budgets and cache policy and reports nothing when only those change', () => {
    const running = validateConfig(base, { env, catalogOverride: [] });
    const next = validateConfig(
      {
        ...base,
        models: [{ name: 'model-b', provider: 'sim', price: { input: 3, output: 4 } }],
        routes: { cheap: { strategy: 'fallback', models: ['model-b'] } },
        cache: { backend: 'memory', ttl_seconds: 120 },
        budgets: [{ scope: 'global', limit_usd: 7, period: 'day' }],
      },
      { env, catalogOverride: [] },
    );
    const { config, needsRestart } = liveConfig(running, next);
    expect(needsRestart).toEqual([]);
    expect(config.models.has('model-b')).toBe(true);
    expect(config.models.has('model-a')).toBe(false);
    expect(Object.keys(config.routes)).toEqual(['cheap']);
    expect(config.cache.ttlSeconds).toBe(120);
    expect(config.spendControl.budgets[0].limitNanos).toBe(7_000_000_000);
  });

  it('keeps the listener, ledger and backends as they run and names each setting that waits for a restart', () => {
    const running = validateConfig(base, { env, catalogOverride: [] });
    const next = validateConfig(
      {
        ...base,
        server: { port: 4200, host: '0.0.0.0', cost_in_body: false },
        ledger: { data_dir: '/elsewhere' },
        cache: { backend: 'redis', ttl_seconds: 30 },
        spend_control: { backend: 'redis', default_max_tokens: 100 },
      },
      { env, catalogOverride: [] },
    );
    const { config, needsRestart } = liveConfig(running, next);
    // The metrics listener follows server.host when it names no host of its own; the queue's default backend follows
    // spend control's (Redis now).
    expect(needsRestart).toEqual(['server.host', 'server.port', 'server.metrics', 'ledger', 'spend_control.backend', 'cache.backend', 'queue']);
    expect(config.server.port).toBe(4100);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.ledger.dataDir).toBe(running.ledger.dataDir);
    expect(config.cache.backend).toBe('memory');
    expect(config.spendControl.backend).toBe('memory');
    // The rest of the same sections still applies.
    expect(config.server.costInBody).toBe(false);
    expect(config.cache.ttlSeconds).toBe(30);
    expect(config.spendControl.defaultMaxTokens).toBe(100);
  });

  it('names the queue and the batch service, opened at start-up, instead of taking their change silently', () => {
    const running = validateConfig(base, { env, catalogOverride: [] });
    const next = validateConfig({ ...base, queue: { lease_ms: 5_000 }, batches: { line_concurrency: 2 } }, { env, catalogOverride: [] });
    const { config, needsRestart } = liveConfig(running, next);
    expect(needsRestart).toEqual(['queue', 'batches']);
    expect(config.queue).toEqual(running.queue);
    expect(config.batches.lineConcurrency).toBe(running.batches.lineConcurrency);
  });
});
