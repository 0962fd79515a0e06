import { describe, expect, it } from 'vitest';
import { validateConfig } from './load-config.js';
import { parseDurationMs } from './lanes-settings.js';

const env = {};
const queueOf = (config: Record<string, unknown>, environment: Record<string, string> = env) => validateConfig(config, { env: environment }).queue;

describe('queue settings', () => {
  it('chooses pg-boss when the ledger is in PostgreSQL, BullMQ when only Redis is configured, else SQLite in the data dir', () => {
    expect(queueOf({ ledger: { database_url: 'postgres://db/frugal' }, spend_control: { backend: 'redis' } })).toMatchObject({ backend: 'postgres', databaseUrl: 'postgres://db/frugal' });
    expect(queueOf({}, { DATABASE_URL: 'postgresql://db/x' })).toMatchObject({ backend: 'postgres' });
    expect(queueOf({ spend_control: { backend: 'redis', redis_url: 'redis://cache:6379' } })).toMatchObject({ backend: 'redis', redisUrl: 'redis://cache:6379' });
    expect(queueOf({ cache: { backend: 'redis' } }, { REDIS_URL: 'redis://r:1' })).toMatchObject({ backend: 'redis', redisUrl: 'redis://r:1' });
    expect(queueOf({ ledger: { data_dir: '/var/lib/frugal' } })).toMatchObject({ backend: 'sqlite', sqlitePath: '/var/lib/frugal/queue.sqlite' });
  });

  it('lets queue.backend override the choice, and refuses postgres without a database', () => {
    expect(queueOf({ queue: { backend: 'sqlite' }, ledger: { database_url: 'postgres://db/frugal' } })).toMatchObject({ backend: 'sqlite', reason: 'queue.backend' });
    expect(() => queueOf({ queue: { backend: 'postgres' } })).toThrow(/queue\.backend: postgres needs DATABASE_URL/);
  });
});

describe('lane settings', () => {
  it('defaults to a 30 % share, 15 minute deadlines and no background routes or tags', () => {
    const { background } = validateConfig({}, { env }).lanes;
    expect(background).toMatchObject({ sharePpm: 300_000, defaultDeadlineMs: 900_000, concurrency: 8 });
    expect(background.routes.size + background.tags.size).toBe(0);
  });

  it('reads routes configured priority: background and background tags', () => {
    const config = validateConfig(
      {
        routes: { nightly: { strategy: 'fallback', chain: ['gpt-4o-mini'], priority: 'background' }, chat: { strategy: 'fallback', chain: ['gpt-4o-mini'] } },
        lanes: { background: { share: 0.25, tags: ['job=backfill', 'job=eval'], default_deadline: '2h', max_deadline: '1d' } },
      },
      { env },
    );
    expect([...config.lanes.background.routes]).toEqual(['nightly']);
    expect([...config.lanes.background.tags.get('job')!]).toEqual(['backfill', 'eval']);
    expect(config.lanes.background).toMatchObject({ sharePpm: 250_000, defaultDeadlineMs: 7_200_000, maxDeadlineMs: 86_400_000 });
  });

  it('refuses a default deadline beyond the longest allowed', () => {
    expect(() => validateConfig({ lanes: { background: { default_deadline: '2h', max_deadline: '1h' } } }, { env })).toThrow(/default_deadline: longer than max_deadline/);
  });

  it('parses durations as callers write them', () => {
    expect([parseDurationMs('15m'), parseDurationMs('90s'), parseDurationMs('2h'), parseDurationMs('1.5h'), parseDurationMs('30'), parseDurationMs('250ms')]).toEqual([900_000, 90_000, 7_200_000, 5_400_000, 30_000, 250]);
    expect(parseDurationMs('soon')).toBeUndefined();
  });
});
