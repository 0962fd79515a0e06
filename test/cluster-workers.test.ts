import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteByPrefix, REDIS_URL, redisReachable } from '../src/testing/redis-test-support.js';
import { freePort, killLeftovers, SERVE_COMMAND, startServe, type ServeChild } from '../src/testing/serve-child.js';

/**
 * `server.workers: 2` with real `frugal serve` children: one primary, two workers sharing the port. What must
 * hold across workers: one budget (never exceeded), one ledger (every started request exactly one row, also when
 * a worker is killed mid-request), and reloads that reach every worker.
 */

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const reachable = await redisReachable();
if (!reachable && process.env.CI !== 'true') console.warn(`SKIPPED the Redis part of cluster-workers: Redis is not reachable at ${REDIS_URL} (it fails instead when CI=true).`);

const MASTER_KEY = 'cluster-workers-test-master-key-01';
const METRICS_TOKEN = 'cluster-workers-metrics-token-0123';
/** Three processes load the TypeScript sources at start-up: on a busy 2-core machine that can take a while. */
const SLOW_START = { readyTimeoutMs: 90_000 };
const ask = [{ role: 'user' as const, content: 'Tell me something.' }];

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-workers-'));
  dirs.push(dir);
  return dir;
}

function client(serve: ServeChild): OpenAI {
  // No retries: a request a dying worker dropped must show up as a failure, not be sent again under another row.
  return new OpenAI({ baseURL: `${serve.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
}

async function untilLogged(serve: ServeChild, pattern: RegExp, times = 1): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((serve.output().match(new RegExp(pattern.source, 'g')) ?? []).length < times) {
    if (Date.now() > deadline) throw new Error(`never logged ${pattern} ×${times}:\n${serve.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A `frugal` command run to its end: exit code and what it printed. */
function frugal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FRUGAL_FROM_SOURCE: '1' };
  return new Promise((resolve) =>
    execFile(process.execPath, ['bin/frugal.mjs', ...args], { env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** `worker` → pid, from the workers' "worker listening" lines (the latest line of a worker wins: a replacement). */
function workerPids(serve: ServeChild): Map<number, number> {
  const pids = new Map<number, number>();
  for (const match of serve.output().matchAll(/"worker":(\d+),"pid":(\d+),"msg":"worker listening"/g)) pids.set(Number(match[1]), Number(match[2]));
  return pids;
}

/** Workers that logged a request line: which of them served traffic. */
function workersThatServed(serve: ServeChild): Set<number> {
  return new Set([...serve.output().matchAll(/"worker":(\d+),"reqId"/g)].map((match) => Number(match[1])));
}

interface Row {
  id: string;
  status: string;
  error_code: string | null;
  cost_nanos: number;
  key_id: string | null;
}

function rows(dir: string): Row[] {
  const db = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
  try {
    return db.prepare('select id, status, error_code, cost_nanos, key_id from frugal_ledger order by seq').all() as Row[];
  } finally {
    db.close();
  }
}

async function stop(serve: ServeChild) {
  serve.child.kill('SIGTERM');
  expect(await serve.exited).toEqual({ code: 0, signal: null });
}

/**
 * Five waves of 12 concurrent calls against a budget that holds about 10 calls' cost: each wave settles before the
 * next, so the budget fills up to what was really spent. Two workers with a budget each would spend about twice it.
 */
async function budgetRun(serve: ServeChild) {
  // A free model first, on fresh connections: each worker opens its store connections before the burst (on a busy
  // machine a worker's first Redis commands can take longer than their timeout while the burst arrives).
  for (let attempt = 0; attempt < 6; attempt++) {
    const fresh = new OpenAI({ baseURL: `${serve.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: { connection: 'close' } });
    await fresh.chat.completions.create({ model: 'free-model', messages: ask, max_tokens: 20 });
  }
  const outcomes: string[] = [];
  for (let wave = 0; wave < 5; wave++) {
    const settled = await Promise.all(
      Array.from({ length: 12 }, async () => {
        try {
          await client(serve).chat.completions.create({ model: 'priced-model', messages: ask, max_tokens: 20 });
          return 'ok';
        } catch (error) {
          if (error instanceof OpenAI.APIError) return error.code === 'budget_exceeded' ? 'budget_exceeded' : `${error.code}: ${error.message}`;
          throw error;
        }
      }),
    );
    outcomes.push(...settled);
  }
  return { ok: outcomes.filter((outcome) => outcome === 'ok').length, refused: outcomes.filter((outcome) => outcome === 'budget_exceeded').length, other: outcomes.filter((outcome) => outcome !== 'ok' && outcome !== 'budget_exceeded') };
}

// $1 000 per million tokens: a 20-token answer costs about $0.02 plus the prompt; $0.30 holds about ten calls.
const LIMIT_NANOS = 300_000_000;
const budgetConfig = (dir: string, spendControl: string) => `
providers:
  sim: { kind: simulated, ttft_ms: 150, tokens_per_second: 400, output_tokens: 20 }
models:
  - { name: priced-model, provider: sim, price: { input: 1000, output: 1000 } }
  - { name: free-model, provider: sim, price: { input: 0, output: 0 } }
budgets:
  - { scope: global, limit_usd: 0.3, period: day }
${spendControl}
server: { workers: 2 }
ledger: { data_dir: "${dir}", flush_interval_ms: 50 }
logging: { level: info }
`;

/** A webhook receiver: the budget alerts the workers send. */
async function alertReceiver(): Promise<{ url: string; received: Array<{ type: string; threshold?: number }>; server: Server }> {
  const received: Array<{ type: string; threshold?: number }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(body) as { type: string });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

describe('frugal serve with server.workers: 2', () => {
  it('never exceeds a memory budget (kept in the primary) under concurrent load, and a reload reaches every worker', async () => {
    const dir = await dataDir();
    const configPath = join(dir, 'frugal.yaml');
    const hook = await alertReceiver();
    // Metrics on a listener of their own: the two workers share it as they share the main port.
    const metricsPort = await freePort();
    const withMetrics = (text: string) => text.replace('server: { workers: 2 }', `server: { workers: 2, metrics: { port: ${metricsPort}, token: "${METRICS_TOKEN}" } }`);
    const alerting = `alerts: { webhook_url: "${hook.url}" }\n`;
    const serve = await startServe(dir, withMetrics(`${budgetConfig(dir, '')}admin: { master_key: ${MASTER_KEY} }\n${alerting}`), undefined, SLOW_START);
    expect(serve.output()).toMatch(/"budgets and rate limits: in the primary, reached over IPC"/);

    const run = await budgetRun(serve);
    expect(run.other).toEqual([]);
    expect(run.refused).toBeGreaterThan(0);
    expect(run.ok).toBeGreaterThan(0);
    // Both workers took calls: two separate memory budgets would each have let about ten through.
    expect(workersThatServed(serve)).toEqual(new Set([1, 2]));

    // A reload asked of one worker (POST /admin/reload) is applied by both before the answer.
    await writeFile(configPath, withMetrics(`${budgetConfig(dir, '').replace('models:\n', 'models:\n  - { name: added-model, provider: sim, price: { input: 0, output: 1 } }\n')}admin: { master_key: ${MASTER_KEY} }\n${alerting}`));
    const reply = await fetch(`${serve.baseUrl}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(reply.status).toBe(200);
    // Each worker logs its own reload (log lines may trail the reply by a moment).
    await untilLogged(serve, /"trigger":"admin"[^\n]*config reloaded/, 2);
    const reloaded = [...serve.output().matchAll(/"worker":(\d+),"trigger":"admin"[^\n]*config reloaded/g)].map((match) => Number(match[1]));
    expect(reloaded.sort()).toEqual([1, 2]);
    // Every new connection may land on either worker: all of them know the new model.
    for (let attempt = 0; attempt < 6; attempt++) {
      const fresh = new OpenAI({ baseURL: `${serve.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: { connection: 'close' } });
      await fresh.chat.completions.create({ model: 'added-model', messages: ask });
    }
    // /metrics (on its own port, shared by both workers) sums every worker's counters, whichever worker answers the
    // scrape: it matches the ledger row for row.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ledgerRows = rows(dir).length;
    const scraped: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}`, connection: 'close' } })).text();
      scraped.push([...text.matchAll(/^frugal_requests_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0));
    }
    expect(scraped).toEqual(Array(4).fill(ledgerRows));

    // SIGHUP to the primary reaches both workers too.
    serve.child.kill('SIGHUP');
    await untilLogged(serve, /"trigger":"SIGHUP","workers":2,"msg":"config reloaded in every worker"/);
    await untilLogged(serve, /"trigger":"SIGHUP"[^\n]*config reloaded: new requests/, 2);
    expect([...serve.output().matchAll(/"worker":(\d+),"trigger":"SIGHUP"/g)].map((match) => Number(match[1])).sort()).toEqual([1, 2]);

    // A key revoked on one worker is refused by the other at once (the primary relays the invalidation), though
    // the other had it in its key cache.
    const admin = { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' };
    const issued = (await (await fetch(`${serve.baseUrl}/admin/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'relay' }) })).json()) as { id: string; key: string };
    const keyed = async () => {
      const fresh = new OpenAI({ baseURL: `${serve.baseUrl}/v1`, apiKey: issued.key, maxRetries: 0, defaultHeaders: { connection: 'close' } });
      return fresh.chat.completions.create({ model: 'free-model', messages: ask }).then(
        () => 'ok',
        (error: unknown) => (error instanceof OpenAI.APIError ? String(error.code) : 'failed'),
      );
    };
    // A dashboard session signed in on one worker stands on every worker (each fresh connection may land on either).
    const session = async (key: string) => {
      const signIn = await fetch(`${serve.baseUrl}/admin/api/session`, { method: 'POST', headers: { authorization: `Bearer ${key}`, connection: 'close' } });
      expect(signIn.status).toBe(200);
      return signIn.headers.get('set-cookie')!.split(';')[0];
    };
    const sessions = { admin: await session(MASTER_KEY), key: await session(issued.key) };
    const overview = async (cookie: string) => (await fetch(`${serve.baseUrl}/admin/api/overview`, { headers: { cookie, connection: 'close' } })).status;
    const seen: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) seen.push(await overview(sessions.admin), await overview(sessions.key));
    expect(seen).toEqual(Array(12).fill(200));
    // Breakers and sent alerts are gathered from both workers through the primary, whichever worker answers: the
    // budget's alerts (50, 80, 100 %) were sent by the workers whose calls crossed them, and every page lists them all.
    const receivedTypes = hook.received.map((sent) => sent.type).sort();
    expect(receivedTypes.length).toBeGreaterThanOrEqual(2);
    // (One page per connection, so that consecutive connections, handed to the workers in turn, reach both.)
    const listed: string[][] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const budgets = (await (await fetch(`${serve.baseUrl}/admin/api/budgets`, { headers: { cookie: sessions.admin, connection: 'close' } })).json()) as { alerts: { sent: Array<{ type: string }> } };
      listed.push(budgets.alerts.sent.map((sent) => sent.type).sort());
    }
    expect(listed).toEqual(Array(4).fill(receivedTypes));
    for (let attempt = 0; attempt < 2; attempt++) {
      const routing = (await (await fetch(`${serve.baseUrl}/admin/api/routing`, { headers: { cookie: sessions.admin, connection: 'close' } })).json()) as { circuits: unknown };
      expect(routing.circuits).toEqual([]);
    }
    const logged = serve.output().length;
    for (let attempt = 0; attempt < 6; attempt++) expect(await keyed()).toBe('ok');
    expect(new Set([...serve.output().slice(logged).matchAll(/"worker":(\d+),"reqId"/g)].map((match) => match[1]))).toEqual(new Set(['1', '2']));
    expect((await fetch(`${serve.baseUrl}/admin/keys/${issued.id}/revoke`, { method: 'POST', headers: { authorization: admin.authorization } })).status).toBe(200);
    const afterRevoke: string[] = [];
    for (let attempt = 0; attempt < 6; attempt++) afterRevoke.push(await keyed());
    expect(afterRevoke).toEqual(Array(6).fill('invalid_api_key'));
    // And its dashboard session ends with it, on both workers; the master key's goes on.
    const afterRevokeDashboard: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) afterRevokeDashboard.push(await overview(sessions.key), await overview(sessions.admin));
    expect(afterRevokeDashboard).toEqual(Array(6).fill([401, 200]).flat());

    await stop(serve);
    hook.server.close();
    const spent = rows(dir).reduce((sum, row) => sum + Number(row.cost_nanos), 0);
    // Filled (less than one more call's hold left), never exceeded.
    expect(spent).toBeGreaterThan(LIMIT_NANOS * 0.6);
    expect(spent).toBeLessThanOrEqual(LIMIT_NANOS);
    // One row per call: the 6 warm-up calls, the budget run's 60 and the 6 after the reload; then the 6 with the key.
    const ids = rows(dir).map((row) => row.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index), 'request ids with two rows').toEqual([]);
    expect(rows(dir).filter((row) => row.key_id === null), JSON.stringify(rows(dir).filter((row) => row.key_id === null && row.status !== 'ok'))).toHaveLength(72);
    expect(rows(dir).filter((row) => row.key_id === issued.id && row.status === 'ok')).toHaveLength(6);
  }, 150_000);

  it.skipIf(!reachable)('never exceeds a Redis budget under concurrent load (workers use Redis directly)', async () => {
    const dir = await dataDir();
    const prefix = `frugal-test:workers:${randomUUID()}:`;
    const serve = await startServe(dir, budgetConfig(dir, `spend_control: { backend: redis, redis_url: "${REDIS_URL}", key_prefix: "${prefix}" }`), undefined, SLOW_START);
    const admin = new Redis(REDIS_URL);
    try {
      expect(serve.output()).toMatch(/"budgets and rate limits: in Redis"/);
      const run = await budgetRun(serve);
      const errors = serve.output().split('\n').filter((line) => line.includes('"level":50'));
      expect(run.other, errors.join('\n')).toEqual([]);
      expect(run.refused).toBeGreaterThan(0);
      expect(workersThatServed(serve)).toEqual(new Set([1, 2]));
      await stop(serve);
      const spent = rows(dir).reduce((sum, row) => sum + Number(row.cost_nanos), 0);
      expect(spent).toBeGreaterThan(LIMIT_NANOS * 0.6);
      expect(spent).toBeLessThanOrEqual(LIMIT_NANOS);
    } finally {
      await deleteByPrefix(admin, prefix);
      await admin.quit();
    }
  }, 150_000);

  it('replaces a worker killed with kill -9 mid-load; the port keeps serving and every request has exactly one row', async () => {
    const dir = await dataDir();
    const serve = await startServe(
      dir,
      `
providers:
  slow: { kind: simulated, ttft_ms: 0, tokens_per_second: 10, output_tokens: 40 }
  fast: { kind: simulated, ttft_ms: 0, tokens_per_second: 1000, output_tokens: 5 }
models:
  - { name: slow-model, provider: slow, price: { input: 1, output: 2 } }
  - { name: fast-model, provider: fast, price: { input: 1, output: 2 } }
server: { workers: 2 }
ledger: { data_dir: "${dir}", durability: spool, flush_interval_ms: 50 }
logging: { level: info }
`,
      undefined,
      SLOW_START,
    );
    const before = workerPids(serve);
    expect(before.size).toBe(2);

    // Streams of 4 s, each on its own connection so both workers hold some; the first token proves each started.
    const streams = Array.from({ length: 8 }, (_, index) => {
      const id = `stream-${index}`;
      const fresh = new OpenAI({ baseURL: `${serve.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: { connection: 'close' } });
      let markStarted: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (markStarted = resolve));
      const finished = (async () => {
        const stream = await fresh.chat.completions.create({ model: 'slow-model', messages: ask, stream: true }, { headers: { 'x-request-id': id } });
        for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) markStarted();
        return 'done';
      })().catch(() => 'cut');
      void finished.then(markStarted);
      return { id, started, finished };
    });
    await Promise.all(streams.map((stream) => stream.started));

    process.kill(before.get(1)!, 'SIGKILL');
    // Meanwhile and after: plain calls keep being answered (by worker 2, then by both). A connection node:cluster
    // hands to the worker in the instant it dies is never answered (README): hence a client timeout.
    const plain: Array<{ id: string; outcome: Promise<string> }> = [];
    const plainClient = new OpenAI({ baseURL: `${serve.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 5_000 });
    // Generous: a worker started from the TypeScript sources on a busy 2-core machine takes seconds.
    const deadline = Date.now() + 45_000;
    let answered = 0;
    while (workerPids(serve).get(1) === before.get(1) || answered < 20) {
      if (Date.now() > deadline) throw new Error(`worker 1 was not replaced:\n${serve.output()}`);
      const id = `plain-${plain.length}`;
      const outcome = plainClient.chat.completions
        .create({ model: 'fast-model', messages: ask }, { headers: { 'x-request-id': id } })
        .then(() => 'ok', () => 'failed');
      plain.push({ id, outcome });
      if ((await outcome) === 'ok') answered += 1;
    }
    const after = workerPids(serve);
    expect(after.get(1)).not.toBe(before.get(1));
    expect(after.get(2)).toBe(before.get(2));
    expect(serve.output()).toMatch(/"worker":1,"pid":\d+,"code":null,"signal":"SIGKILL","unfinishedRequests":[1-9]\d*,"msg":"worker exited/);
    const plainOutcomes = await Promise.all(plain.map((call) => call.outcome));
    expect(plainOutcomes.filter((outcome) => outcome === 'ok').length).toBeGreaterThanOrEqual(20);
    // Only a connection handed over in the instant of the kill may go unanswered (the README's node:cluster limit).
    expect(plainOutcomes.filter((outcome) => outcome !== 'ok').length).toBeLessThanOrEqual(2);
    // The last calls were served after the replacement: the port serves on.
    expect(plainOutcomes.slice(-3)).toEqual(['ok', 'ok', 'ok']);
    const streamOutcomes = await Promise.all(streams.map((stream) => stream.finished));
    expect(streamOutcomes).toContain('cut');
    expect(streamOutcomes).toContain('done');

    await stop(serve);
    const written = rows(dir);
    const byId = new Map<string, Row[]>();
    for (const row of written) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
    // No request has two rows, and no row belongs to a request not sent.
    for (const [id, found] of byId) expect(found, id).toHaveLength(1);
    const sent = new Set([...streams.map((stream) => stream.id), ...plain.map((call) => call.id)]);
    expect([...byId.keys()].filter((id) => !sent.has(id))).toEqual([]);
    // Every started stream has its row: finished ones ok, the dead worker's written by the primary as worker_exited.
    streams.forEach((stream, index) => {
      const row = byId.get(stream.id)?.[0];
      if (streamOutcomes[index] === 'done') expect(row, stream.id).toMatchObject({ status: 'ok' });
      else expect(row, stream.id).toMatchObject({ status: 'error', error_code: 'worker_exited' });
    });
    // Every answered call has its row. A call whose connection was handed to the worker as it died was never read
    // by any worker: it failed on the client's side and has no row (nothing was acknowledged, nothing was spent).
    plain.forEach((call, index) => {
      if (plainOutcomes[index] === 'ok') expect(byId.get(call.id)?.[0], call.id).toMatchObject({ status: 'ok' });
    });
  }, 180_000);
  it('shares stored responses with the ledger off, and starts a replacement worker on the config the others run, not on the file', async () => {
    const dir = await dataDir();
    const configPath = join(dir, 'frugal.yaml');
    const config = (models: string[]) => `
providers:
  sim: { kind: simulated, output_tokens: 5 }
models:
${models.map((name) => `  - { name: ${name}, provider: sim, price: { input: 1, output: 1 } }`).join('\n')}
server: { workers: 2 }
ledger: { enabled: false }
admin: { master_key: ${MASTER_KEY} }
logging: { level: info }
`;
    const serve = await startServe(dir, config(['first-model']), undefined, SLOW_START);
    // One connection per call: node:cluster hands consecutive connections to the workers in turn.
    const fresh = () => new OpenAI({ baseURL: `${serve.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: { connection: 'close' } });
    const servedModels = async () => {
      const seen: string[] = [];
      for (let attempt = 0; attempt < 4; attempt++) seen.push((await fresh().models.list()).data.map((model) => model.id).filter((id) => id.endsWith('-model')).sort().join(','));
      return seen;
    };

    // A response stored by one worker is read, and continued, on the other (each kept its own: half were 404).
    const created = await fresh().responses.create({ model: 'first-model', input: 'Remember this.' });
    const read: string[] = [];
    const continued: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      read.push(await fresh().responses.retrieve(created.id).then((found) => found.id, (error: unknown) => String((error as { status?: number }).status)));
      continued.push(await fresh().responses.create({ model: 'first-model', input: 'And then?', previous_response_id: created.id }).then(() => 'ok', (error: unknown) => String((error as { status?: number }).status)));
    }
    expect(read).toEqual(Array(4).fill(created.id));
    expect(continued).toEqual(Array(4).fill('ok'));
    expect(workersThatServed(serve)).toEqual(new Set([1, 2]));

    // The file is edited but nobody reloads: a worker that dies is replaced on the config the other one runs.
    await writeFile(configPath, config(['first-model', 'second-model']));
    const before = workerPids(serve);
    process.kill(before.get(1)!, 'SIGKILL');
    await untilLogged(serve, /"worker":1,"pid":\d+,"msg":"worker listening"/, 2);
    expect(await servedModels()).toEqual(Array(4).fill('first-model'));
    // Nor does a file that no longer parses keep a replacement from starting (it used to exit, again and again).
    await writeFile(configPath, `${config(['first-model'])}models: [ broken\n`);
    process.kill(before.get(2)!, 'SIGKILL');
    await untilLogged(serve, /"worker":2,"pid":\d+,"msg":"worker listening"/, 2);
    expect(await servedModels()).toEqual(Array(4).fill('first-model'));

    // A reload refused keeps both workers on the running config; one applied moves both, and the next replacement too.
    const reload = () => frugal(['reload', '--config', configPath, '--url', serve.baseUrl]);
    await writeFile(configPath, `${config(['first-model', 'second-model'])}routes: { broken: { strategy: fallback, chain: [no-such-model] } }\n`);
    const refused = await reload();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused the reload: Invalid config.*routes\.broken\.chain/);
    expect(await servedModels()).toEqual(Array(4).fill('first-model'));
    await writeFile(configPath, config(['first-model', 'second-model']));
    const applied = await reload();
    expect(applied.stdout).toMatch(/Config reloaded: 2 models/);
    expect(await servedModels()).toEqual(Array(4).fill('first-model,second-model'));
    await writeFile(configPath, config(['third-model']));
    process.kill(workerPids(serve).get(1)!, 'SIGKILL');
    await untilLogged(serve, /"worker":1,"pid":\d+,"msg":"worker listening"/, 3);
    expect(await servedModels()).toEqual(Array(4).fill('first-model,second-model'));
    await stop(serve);
  }, 150_000);
  it('survives a SIGHUP sent while its workers start, and applies the file it then finds once they are up', async () => {
    const dir = await dataDir();
    const configPath = join(dir, 'frugal.yaml');
    const config = (model: string) => `
providers: { sim: { kind: simulated, output_tokens: 5 } }
models: [{ name: ${model}, provider: sim, price: { input: 1, output: 1 } }]
server: { workers: 2 }
ledger: { enabled: false }
logging: { level: info }
`;
    await writeFile(configPath, config('first-model'));
    const port = await freePort();
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FRUGAL_FROM_SOURCE: '1' };
    const child = spawn(process.execPath, [...SERVE_COMMAND, '--config', configPath, '--port', String(port), '--host', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + SLOW_START.readyTimeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) throw new Error(`never logged ${pattern} (exit ${child.exitCode ?? child.signalCode}):\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      // A worker is logging: the primary is past its own start-up, waiting for the workers to listen.
      await until(/"worker":\d/);
      expect(output).not.toMatch(/Frugal listening on/);
      await writeFile(configPath, config('second-model'));
      child.kill('SIGHUP');
      await until(/Frugal listening on/);
      await until(/"trigger":"SIGHUP","workers":2,"msg":"config reloaded in every worker"/);
      const served: string[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const fresh = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: { connection: 'close' } });
        served.push((await fresh.models.list()).data.map((model) => model.id).filter((id) => id.endsWith('-model')).join(','));
      }
      expect(served).toEqual(Array(4).fill('second-model'));
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
