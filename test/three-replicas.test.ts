import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisBudgetStore } from '../src/budget/redis-budget-store.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../src/testing/mock-openai-server.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../src/testing/round-robin-proxy.js';
import { killLeftovers, startServe, type ServeChild } from '../src/testing/serve-child.js';
import { deleteByPrefix, postgresReachable, redisReachable, serviceGate, TEST_DATABASE_URL, TEST_REDIS_URL } from '../src/testing/services.js';

const redisUp = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'the three-replica test');
const postgresUp = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'the three-replica test');

const run = randomBytes(4).toString('hex');
/** Budgets, rate limits, cache entries and the key-invalidation channel of this run, and nothing else. */
const prefix = `frugal-replicas-${run}:`;
// `frugal serve` keeps its tables in the database's public schema: one database per run keeps runs apart.
const database = `frugal_replicas_${run}`;
const databaseUrl = Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${database}` }).toString();
const MASTER = `replicas-master-${run}-0123456789`;
/** README "Several replicas": with Redis, a revoke reaches every instance over pub/sub (milliseconds). Allowed
 * here: 5 s on a loaded machine, far below the 30 s key-cache TTL that is the bound without Redis. */
const REVOCATION_BOUND_MS = 5_000;

const dirs: string[] = [];
let upstream: MockOpenAIServer | undefined;
let proxy: RoundRobinProxy | undefined;
let databaseMade = false;
afterAll(async () => {
  killLeftovers();
  await proxy?.close();
  await upstream?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  if (!redisUp || !postgresUp) return;
  const redis = new Redis(TEST_REDIS_URL);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
  if (databaseMade) await admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
});

async function admin<T>(work: (client: pg.Client) => Promise<T>, url = TEST_DATABASE_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function configFor(dataDir: string, upstreamUrl: string): string {
  return `
providers:
  up: { kind: openai, base_url: "${upstreamUrl}", api_key: "sk-mock-upstream" }
models:
  - { name: m, provider: up, price: { input: 1, output: 2 } }
ledger: { database_url: "${databaseUrl}", data_dir: "${dataDir}", durability: spool, flush_interval_ms: 200 }
cache: { backend: redis, redis_url: "${TEST_REDIS_URL}" }
spend_control: { backend: redis, redis_url: "${TEST_REDIS_URL}", key_prefix: "${prefix}" }
admin: { master_key: "${MASTER}" }
resilience: { health_check_interval_ms: 0 }
`;
}

const client = (baseUrl: string, apiKey = 'none') => new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey, maxRetries: 0, timeout: 60_000 });

async function adminCall(baseUrl: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, `POST /admin${path}`).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

/** The status GET /v1/models answers with this key: 200 accepted, 401 refused. Cheap: no upstream, no budget. */
async function keyStatus(baseUrl: string, apiKey: string | undefined): Promise<number> {
  const response = await fetch(`${baseUrl}/v1/models`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
  await response.arrayBuffer();
  return response.status;
}

/** Polls until `check` holds; the deadline is a bound the README states, not a speed measurement. */
async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Outcome {
  kind: 'plain' | 'stream' | 'cached';
  /** The client got a complete reply: a JSON answer, or a stream that reached its finish_reason and ended. */
  acknowledged: boolean;
  id?: string;
  code?: string;
}

/** Clients sending plain, streamed and repeated (cache-hit) requests back to back until stopped. */
function drive(baseUrl: string, apiKey: string, clients: number) {
  const openai = client(baseUrl, apiKey);
  const outcomes: Outcome[] = [];
  let stopped = false;
  let sent = 0;
  const one = async (n: number): Promise<Outcome> => {
    const kind = (['plain', 'stream', 'cached'] as const)[n % 3];
    try {
      if (kind === 'stream') {
        // Gaps between chunks, so a kill -9 lands in the middle of some streams.
        const content = `stream ${run} ${n} [[mock:words=6,chunk_gap_ms=4]]`;
        const { data, response } = await openai.chat.completions.create({ model: 'm', max_tokens: 32, stream: true, messages: [{ role: 'user', content }] }).withResponse();
        let finished = false;
        for await (const chunk of data) if (chunk.choices[0]?.finish_reason) finished = true;
        return { kind, acknowledged: finished, id: response.headers.get('x-frugal-request-id') ?? undefined };
      }
      // Four prompts repeated at temperature 0: after their first answers, hits from whichever instance.
      const content = kind === 'cached' ? `cached ${run} ${n % 4}` : `plain ${run} ${n}`;
      const { data, response } = await openai.chat.completions.create({ model: 'm', max_tokens: 32, temperature: 0, messages: [{ role: 'user', content }] }).withResponse();
      return { kind, acknowledged: typeof data.choices[0]?.message?.content === 'string', id: response.headers.get('x-frugal-request-id') ?? undefined };
    } catch (error) {
      return { kind, acknowledged: false, code: (error as { code?: string }).code ?? `${(error as Error).constructor.name}: ${(error as Error).message}` };
    }
  };
  const loops = Array.from({ length: clients }, async () => {
    while (!stopped) outcomes.push(await one(sent++));
  });
  return {
    outcomes,
    async until(finished: number) {
      await within(120_000, `${finished} requests finished`, async () => outcomes.length >= finished);
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

function nanosToUsd(nanos: number): string {
  return `${Math.floor(nanos / 1e9)}.${String(nanos % 1e9).padStart(9, '0')}`;
}

describe.runIf(redisUp && postgresUp)('three replicas behind a round-robin proxy, sharing Redis and PostgreSQL', () => {
  it('shares cache, budgets, rate limits and key revocations, and keeps one ledger row per acknowledged request through a kill -9', async () => {
    await admin((pgClient) => pgClient.query(`CREATE DATABASE "${database}"`));
    databaseMade = true;
    upstream = await startMockOpenAIServer({ record: false });
    for (let i = 0; i < 3; i++) dirs.push(await mkdtemp(join(tmpdir(), `frugal-replica-${i}-`)));
    // One at a time: three TypeScript start-ups at once on a loaded 2-core machine can each miss serve-child's deadline.
    const instances: ServeChild[] = [];
    for (const dir of dirs) instances.push(await startServe(dir, configFor(dir, upstream.baseUrl)));
    const [a, b, c] = instances.map((instance) => instance.baseUrl);
    proxy = await startRoundRobinProxy([a, b, c]);

    // Keys: the first key, made on A, closes B and C too (no key is needed until one exists).
    for (const url of [a, b, c]) expect(await keyStatus(url, undefined)).toBe(200);
    const probe = (await adminCall(a, '/keys', { name: 'probe' })).key as string;
    for (const url of [b, c]) await within(REVOCATION_BOUND_MS, `${url} requires keys`, async () => (await keyStatus(url, undefined)) === 401);

    // Cache: an answer given by A is a hit on B and on C.
    const shared = { model: 'm', max_tokens: 32, temperature: 0, messages: [{ role: 'user' as const, content: `shared ${run}` }] };
    const fromA = await client(a, probe).chat.completions.create(shared).withResponse();
    expect(fromA.response.headers.get('x-frugal-cache')).toBe('miss');
    const redis = new Redis(TEST_REDIS_URL);
    // A writes its entry just after replying: wait for it in Redis, so B's answer cannot be B's own.
    await within(10_000, 'the cache entry reaches Redis', async () => (await redis.scan('0', 'MATCH', `${prefix}cache:*`, 'COUNT', 1000))[1].length > 0);
    for (const url of [b, c]) {
      const reply = await client(url, probe).chat.completions.create(shared).withResponse();
      expect(reply.response.headers.get('x-frugal-cache'), url).toBe('hit');
      expect(reply.data.choices[0].message.content).toBe(fromA.data.choices[0].message.content);
    }
    // One cost, measured, sizes the budget below; every call of the load costs about the same.
    const callNanos = Math.round(Number(fromA.response.headers.get('x-frugal-cost-usd')) * 1e9);
    expect(callNanos).toBeGreaterThan(0);

    // Rate limits: 3 a minute for one key, spread over the three instances, let exactly 3 of 6 through.
    const limited = (await adminCall(a, '/keys', { name: 'limited', rpm: 3 })).key as string;
    const rateOutcomes: string[] = [];
    for (const url of [a, b, c, a, b, c]) {
      rateOutcomes.push(await client(url, limited).chat.completions.create({ ...shared, messages: [{ role: 'user', content: `rpm ${run}` }] }).then(() => 'ok', (error: { code?: string }) => error.code ?? 'error'));
    }
    expect(rateOutcomes.filter((outcome) => outcome === 'ok')).toHaveLength(3);
    expect(rateOutcomes.filter((outcome) => outcome === 'rate_limit_exceeded')).toHaveLength(3);

    // Load through the proxy on a key whose budget is 100 calls at the measured cost: 180 requests try about 120
    // uncached calls (as long or longer), so the budget is reached, after the kill, as held worst cases pile up.
    const limitNanos = 100 * callNanos;
    const traffic = await adminCall(a, '/keys', { name: 'traffic', budget_usd: nanosToUsd(limitNanos), budget_period: 'day' });
    const load = drive(proxy.url, traffic.key as string, 4);
    await load.until(60);
    instances[1].child.kill('SIGKILL');
    expect(await instances[1].exited).toEqual({ code: null, signal: 'SIGKILL' });
    const ackedOnBeforeKill = load.outcomes.filter((outcome) => outcome.acknowledged && proxy!.servedBy.get(outcome.id!) === 1).map((outcome) => outcome.id!);
    expect(ackedOnBeforeKill.length).toBeGreaterThan(0);
    await load.until(120);
    instances[1] = await startServe(dirs[1], configFor(dirs[1], upstream.baseUrl), instances[1].port);
    // Its spool put back what it had acknowledged and not yet written (or found it written already).
    expect(instances[1].output()).toContain('ledger spool replayed');
    const answeredBeforeRestart = proxy.answered[1];
    await load.until(180);
    await load.stop();
    expect(proxy.answered[1], 'the restarted instance serves again').toBeGreaterThan(answeredBeforeRestart);
    const outcomes = load.outcomes;
    const acknowledged = outcomes.filter((outcome) => outcome.acknowledged);
    for (const kind of ['plain', 'stream', 'cached'] as const) expect(acknowledged.some((outcome) => outcome.kind === kind), kind).toBe(true);
    expect(outcomes.some((outcome) => outcome.code === 'budget_exceeded'), 'the budget was reached during the run').toBe(true);

    // Revocation: a key in use on all three, revoked through C, is refused by A, B and C within the bound.
    const revoked = await adminCall(a, '/keys', { name: 'revoked' });
    for (const url of instances.map((instance) => instance.baseUrl)) expect(await keyStatus(url, revoked.key as string)).toBe(200);
    await adminCall(c, `/keys/${revoked.id as string}/revoke`, {});
    for (const url of instances.map((instance) => instance.baseUrl)) {
      await within(REVOCATION_BOUND_MS, `${url} refuses the revoked key`, async () => (await keyStatus(url, revoked.key as string)) === 401);
      expect(await keyStatus(url, probe)).toBe(200);
    }

    // A clean stop flushes every row; then the ledger is read once, complete.
    for (const instance of instances) instance.child.kill('SIGTERM');
    for (const instance of instances) expect(await instance.exited).toEqual({ code: 0, signal: null });
    const rows = await admin((pgClient) => pgClient.query<{ id: string; copies: string }>('SELECT id, count(*) AS copies FROM frugal_ledger GROUP BY id'), databaseUrl);
    const copies = new Map(rows.rows.map((row) => [row.id, Number(row.copies)]));
    for (const outcome of acknowledged) expect(copies.get(outcome.id!), `rows for acknowledged ${outcome.id} (${outcome.kind})`).toBe(1);
    for (const id of ackedOnBeforeKill) expect(copies.get(id), `row of ${id}, acknowledged by the killed instance`).toBe(1);
    // Nothing written twice, acknowledged or not (a request cut by the kill may have a row or none).
    expect([...copies.values()].every((count) => count === 1)).toBe(true);

    // Budgets: what the ledger charged the key, what Redis settled and what it still holds (the killed
    // instance's in-flight calls keep their holds until they expire) never pass the limit.
    const charged = await admin((pgClient) => pgClient.query<{ total: string }>('SELECT coalesce(sum(cost_nanos), 0) AS total FROM frugal_ledger WHERE key_id = $1', [traffic.id]), databaseUrl);
    const ledgerNanos = Number(charged.rows[0].total);
    const budgets = createRedisBudgetStore({ url: TEST_REDIS_URL, keyPrefix: `${prefix}{budget}:` });
    const usage = await budgets.usage({ id: `key:${traffic.id as string}`, limitNanos, period: 'day', hard: true });
    await budgets.close();
    redis.disconnect();
    expect(usage.spentNanos).toBeGreaterThan(0);
    expect(usage.spentNanos + usage.reservedNanos).toBeLessThanOrEqual(limitNanos);
    expect(ledgerNanos).toBeLessThanOrEqual(usage.spentNanos + usage.reservedNanos);
    expect(ledgerNanos).toBeLessThanOrEqual(limitNanos);
  }, 300_000);
});
