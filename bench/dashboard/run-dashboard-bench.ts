/**
 * npm run bench:dashboard — the dashboard's cost, on SQLite and on PostgreSQL (when reachable):
 * 1. the rollup's cost on the ledger writer: rows/s of the store's batch insert with and without the hourly
 *    rollup statement (same SQL as the stores, same batches, same run);
 * 2. API response p50/p99 for each page over FRUGAL_BENCH_ROWS synthetic ledger rows (default 1 000 000, spread
 *    over the last 30 days), read through the real server, with the raw-rows report beside it for scale.
 * Bounded for a shared machine: FRUGAL_BENCH_ROWS=200000 for a quicker run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load-config.js';
import { createKeyAuthenticator } from '../../src/keys/key-cache.js';
import { openKeyStore } from '../../src/keys/open-key-store.js';
import type { LedgerReader } from '../../src/ledger/ledger-reader.js';
import type { LedgerRow } from '../../src/ledger/ledger-row.js';
import { encodeLedgerRow, LEDGER_COLUMN_NAMES } from '../../src/ledger/ledger-row-codec.js';
import { rollupInsertSql } from '../../src/ledger/ledger-rollup.js';
import type { LedgerStore } from '../../src/ledger/ledger-store.js';
import { LEDGER_TABLE } from '../../src/ledger/migrations.js';
import { createPostgresLedgerReader } from '../../src/ledger/postgres-ledger-reader.js';
import { createPostgresLedgerStore } from '../../src/ledger/postgres-ledger-store.js';
import { postgresDialect, sqliteDialect } from '../../src/ledger/sql-dialect.js';
import { createSqliteLedgerReader } from '../../src/ledger/sqlite-ledger-reader.js';
import { createSqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store.js';
import { createGatewayFromConfig } from '../../src/pipeline/create-gateway.js';
import { createServer } from '../../src/server/create-server.js';
import { postgresReachable, TEST_DATABASE_URL } from '../../src/testing/services.js';

const ROWS = Number(process.env.FRUGAL_BENCH_ROWS ?? 1_000_000);
/** PostgreSQL fills far slower through one connection: its own count (FRUGAL_BENCH_PG_ROWS, default ROWS). */
const PG_ROWS = Number(process.env.FRUGAL_BENCH_PG_ROWS ?? ROWS);
const WRITER_ROWS = Math.min(ROWS, 100_000);
const BATCH = 500;
const REQUESTS_PER_PAGE = 25;
const MASTER = 'bench-master-key-0123456789abcdef';
const DAY = 86_400_000;
const NOW = Date.now();

const MODELS = [['gpt-4o-mini', 'openai'], ['gpt-4o', 'openai'], ['claude-haiku', 'anthropic'], ['qwen3-32b', 'groq'], ['deepseek-chat', 'deepseek'], ['gemini-flash', 'google']] as const;
const ROUTES = ['auto', 'cheap', 'math', 'support'];
const FEATURES = ['summarize', 'chat', 'extract', 'classify', 'translate'];

/**
 * Row i of a deterministic workload shaped like a deployment's: 40 keys, each one application (its team and
 * feature fixed, its feature sent to one route); each route serves one of two models; cache miss / hit / semantic
 * hit; 2 % errors; 1 in 23 requests escalated. The rollup's size follows this cardinality, not the row count.
 */
function syntheticRow(i: number, count: number): LedgerRow {
  const key = i % 40;
  const feature = FEATURES[key % FEATURES.length];
  const route = ROUTES[key % ROUTES.length];
  const [servedModel, provider] = MODELS[(key % 3) * 2 + (i % 7 === 0 ? 1 : 0)];
  const escalated = i % 23 === 0;
  const cost = 1_000 + ((i * 7919) % 900_000);
  const saved = i % 5 === 0 ? (i * 31) % 400_000 : 0;
  return {
    id: `bench-${i}`,
    ts: NOW - 30 * DAY + Math.floor((i / count) * 30 * DAY),
    keyId: `key_${key}`,
    user: null,
    tags: { feature, team: `team-${key % 6}` },
    requestedModel: route,
    servedModel,
    provider,
    stream: i % 2 === 0,
    promptTokens: 200 + (i % 3000),
    completionTokens: 20 + (i % 700),
    cachedTokens: i % 4 === 0 ? 128 : 0,
    cacheCreationTokens: 0,
    tokensEstimated: false,
    costNanos: cost,
    savedNanos: saved,
    baselineNanos: cost + saved,
    savedRoutingNanos: saved,
    savedCacheNanos: 0,
    savedCompressionNanos: 0,
    savedPromptCacheNanos: 0,
    savedBatchNanos: 0,
    savedBatchingNanos: 0,
    callerChoiceNanos: 0,
    latencyMs: 200 + (i % 1500),
    ttftMs: i % 2 === 0 ? 80 + (i % 300) : null,
    status: i % 50 === 0 ? 'error' : 'ok',
    httpStatus: i % 50 === 0 ? 502 : 200,
    errorCode: i % 50 === 0 ? 'upstream_error' : null,
    cacheStatus: ['miss', 'hit', 'miss', 'semantic-hit', 'miss'][(i >> 2) % 5],
    routeTrace: escalated ? `${route}>cascade:${servedModel}(fail:json)>gpt-4o` : `${route}>${servedModel}`,
    task: null,
    tokenReduction: null,
    warnings: i % 97 === 0 ? ['prompt-order: variable content precedes a static block of ~1200 tokens'] : [],
    serviceTier: null,
    batchId: null,
    overhead: null,
    experiment: null,
    arm: null,
  } as LedgerRow;
}

function* batches(count: number, size = BATCH): Generator<LedgerRow[]> {
  for (let start = 0; start < count; start += size) yield Array.from({ length: Math.min(size, count - start) }, (_, k) => syntheticRow(start + k, count));
}

const rate = (rows: number, ms: number) => Math.round((rows / ms) * 1000);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** SQLite writer: the store's insert statement in one transaction per batch, with and without the rollup statement. */
function sqliteWriterCost(dir: string): { without: number; with: number } {
  const result = { without: 0, with: 0 };
  for (const withRollup of [false, true]) {
    const path = join(dir, `writer-${withRollup}.sqlite`);
    const store = createSqliteLedgerStore({ path });
    // migrate() is async only in signature for SQLite.
    void store.migrate();
    void store.close();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    const insert = db.prepare(`INSERT INTO ${LEDGER_TABLE} (${LEDGER_COLUMN_NAMES.join(', ')}) VALUES (${LEDGER_COLUMN_NAMES.map(() => '?').join(', ')})`);
    const rollup = db.prepare(rollupInsertSql(sqliteDialect, { source: LEDGER_TABLE, where: 'WHERE seq BETWEEN ? AND ?', accumulate: true }));
    const write = db.transaction((encoded: unknown[][]) => {
      let first: number | bigint | undefined;
      let last: number | bigint = 0;
      for (const values of encoded) {
        last = insert.run(values).lastInsertRowid;
        first ??= last;
      }
      if (withRollup) rollup.run(first, last);
    });
    const started = performance.now();
    for (const batch of batches(WRITER_ROWS)) write(batch.map((row) => encodeLedgerRow(row, 'integer')));
    result[withRollup ? 'with' : 'without'] = rate(WRITER_ROWS, performance.now() - started);
    db.close();
  }
  return result;
}

/** PostgreSQL writer: the store's multi-row INSERT, alone and inside the rollup CTE (what the store sends). */
async function postgresWriterCost(schema: string): Promise<{ without: number; with: number }> {
  const d = postgresDialect(schema);
  const store = createPostgresLedgerStore({ connectionString: TEST_DATABASE_URL, schema });
  await store.migrate();
  await store.close();
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  const width = LEDGER_COLUMN_NAMES.length;
  const sqlFor = (count: number, withRollup: boolean) => {
    const tuples = Array.from({ length: count }, (_, row) => `(${LEDGER_COLUMN_NAMES.map((_, column) => d.param(row * width + column + 1)).join(', ')})`);
    const rows = `INSERT INTO ${d.table(LEDGER_TABLE)} (${LEDGER_COLUMN_NAMES.join(', ')}) VALUES ${tuples.join(', ')}`;
    return withRollup ? `WITH inserted AS (${rows} RETURNING *) ${rollupInsertSql(d, { source: 'inserted', accumulate: true })}` : rows;
  };
  const result = { without: 0, with: 0 };
  for (const withRollup of [false, true]) {
    await client.query(`TRUNCATE ${d.table(LEDGER_TABLE)}, ${d.table('frugal_ledger_hourly')}`);
    const started = performance.now();
    for (const batch of batches(WRITER_ROWS)) await client.query(sqlFor(batch.length, withRollup), batch.flatMap((row) => encodeLedgerRow(row, 'native')));
    result[withRollup ? 'with' : 'without'] = rate(WRITER_ROWS, performance.now() - started);
  }
  await client.end();
  return result;
}

async function fill(store: LedgerStore, count = ROWS): Promise<number> {
  const started = performance.now();
  let done = 0;
  for (const batch of batches(count, 2_000)) {
    await store.insert(batch);
    done += batch.length;
    if (done % 200_000 === 0) process.stderr.write(`  ${done} rows\n`);
  }
  return rate(count, performance.now() - started);
}

const PAGES: Array<[string, string]> = [
  ['overview', '/admin/api/overview'],
  ['spend by model, 30 days', '/admin/api/spend?by=model&since=30d'],
  ['spend by team then model, filtered', '/admin/api/spend?by=team&then=model&since=7d&where=feature%3Dchat'],
  ['spend CSV by key, 30 days', '/admin/api/spend?by=key&since=30d&format=csv'],
  ['routing, 7 days', '/admin/api/routing?since=7d'],
  ['cache, 7 days', '/admin/api/cache?since=7d'],
  ['budgets & keys', '/admin/api/budgets'],
  ['live (50 latest)', '/admin/api/live?limit=50'],
];

async function pageLatencies(reader: LedgerReader, store: LedgerStore, label: string) {
  const config = validateConfig({ admin: { master_key: MASTER }, budgets: [{ scope: 'global', limit_usd: 10_000, period: 'month' }, { scope: 'key:*', limit_usd: 500, period: 'month' }] }, { env: {} });
  const gateway = createGatewayFromConfig(config, { record: () => {} });
  const dataDir = mkdtempSync(join(tmpdir(), 'frugal-bench-keys-'));
  const keys = openKeyStore({ dataDir });
  await keys.migrate();
  const authenticator = createKeyAuthenticator(keys);
  const app = createServer({ gateway, logger: pino({ level: 'silent' }), keys: { store: keys, authenticator, masterKey: MASTER }, dashboard: { reader, keys, budgets: () => config.spendControl.budgets, now: Date.now, assetsDir: dataDir } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const table = [];
  try {
    for (const [name, path] of PAGES) {
      const times: number[] = [];
      for (let run = 0; run < REQUESTS_PER_PAGE + 2; run += 1) {
        const started = performance.now();
        const response = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${MASTER}` } });
        await response.text();
        if (!response.ok) throw new Error(`${path}: ${response.status}`);
        // The first two warm the statement cache and the OS page cache.
        if (run >= 2) times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      table.push({ ledger: label, page: name, p50Ms: +percentile(times, 50).toFixed(1), p99Ms: +percentile(times, 99).toFixed(1) });
    }
    // For scale: the same 30-day report read from the rows, as `frugal report --by model --since 30d` does.
    const started = performance.now();
    await store.report({ by: 'model', since: Date.now() - 30 * DAY });
    table.push({ ledger: label, page: '(frugal report --by model --since 30d, from the rows)', p50Ms: +(performance.now() - started).toFixed(1), p99Ms: NaN });
  } finally {
    await app.close();
    await gateway.close();
    await keys.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return table;
}

const dir = mkdtempSync(join(tmpdir(), 'frugal-dashboard-bench-'));
const writer: Array<Record<string, unknown>> = [];
const pages: Array<Record<string, unknown>> = [];
try {
  process.stderr.write(`writer cost, ${WRITER_ROWS} rows in batches of ${BATCH} (SQLite)…\n`);
  const sqlite = sqliteWriterCost(dir);
  writer.push({ ledger: 'sqlite', rowsPerSecWithout: sqlite.without, rowsPerSecWith: sqlite.with, cost: `${(100 * (1 - sqlite.with / sqlite.without)).toFixed(1)}%` });

  process.stderr.write(`SQLite: filling ${ROWS} rows through the store (rollup on)…\n`);
  const path = join(dir, 'ledger.sqlite');
  const store = createSqliteLedgerStore({ path });
  await store.migrate();
  const filled = await fill(store);
  const reader = createSqliteLedgerReader({ path });
  const groups = (new Database(path, { readonly: true }).prepare('SELECT COUNT(*) AS n FROM frugal_ledger_hourly').get() as { n: number }).n;
  process.stderr.write(`  ${filled} rows/s; ${groups} rollup groups\n`);
  pages.push(...(await pageLatencies(reader, store, `sqlite (${ROWS} rows, ${groups} hourly groups)`)));
  await reader.close();
  await store.close();

  if (await postgresReachable()) {
    const schema = `frugal_bench_dashboard_${process.pid}`;
    try {
      process.stderr.write(`writer cost, ${WRITER_ROWS} rows (PostgreSQL)…\n`);
      const postgres = await postgresWriterCost(`${schema}_w`);
      writer.push({ ledger: 'postgres', rowsPerSecWithout: postgres.without, rowsPerSecWith: postgres.with, cost: `${(100 * (1 - postgres.with / postgres.without)).toFixed(1)}%` });
      process.stderr.write(`PostgreSQL: filling ${PG_ROWS} rows through the store (rollup on)…\n`);
      const pgStore = createPostgresLedgerStore({ connectionString: TEST_DATABASE_URL, schema });
      await pgStore.migrate();
      const pgFilled = await fill(pgStore, PG_ROWS);
      process.stderr.write(`  ${pgFilled} rows/s\n`);
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`ANALYZE "${schema}".frugal_ledger, "${schema}".frugal_ledger_hourly`);
      const pgGroups = Number((await admin.query(`SELECT COUNT(*) AS n FROM "${schema}".frugal_ledger_hourly`)).rows[0].n);
      await admin.end();
      const pgReader = createPostgresLedgerReader({ connectionString: TEST_DATABASE_URL, schema });
      pages.push(...(await pageLatencies(pgReader, pgStore, `postgres (${PG_ROWS} rows, ${pgGroups} hourly groups)`)));
      await pgReader.close();
      await pgStore.close();
    } finally {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}_w" CASCADE`);
      await admin.end();
    }
  } else {
    process.stderr.write('PostgreSQL not reachable at 127.0.0.1:5432: its rows are skipped\n');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nrollup cost on the ledger writer (${WRITER_ROWS} rows, batches of ${BATCH}):`);
console.table(writer);
console.log(`\ndashboard API over synthetic ledger rows (${REQUESTS_PER_PAGE} requests per page, sequential, master key):`);
console.table(pages);
