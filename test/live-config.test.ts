import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { killLeftovers, startServe, type ServeChild } from '../src/testing/serve-child.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const MASTER_KEY = 'live-config-test-master-key-0123';
const ask = [{ role: 'user' as const, content: 'Tell me something.' }];

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-live-config-'));
  dirs.push(dir);
  return dir;
}

function client(serve: ServeChild): OpenAI {
  // No retries: a request the reload failed must show up as a failure, not be hidden by a second attempt.
  return new OpenAI({ baseURL: `${serve.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
}

/** Waits until the child's output holds `text` `times` times (bounded: the test fails rather than hangs). */
async function untilLogged(serve: ServeChild, text: string, times = 1): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (serve.output().split(text).length - 1 < times) {
    if (Date.now() > deadline) throw new Error(`never logged '${text}' ×${times}:\n${serve.output()}`);
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

async function errorCode(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return String(error.code);
    throw error;
  }
}

const costNanos = (headers: Headers) => Math.round(Number(headers.get('x-frugal-cost-usd')) * 1e9);

describe('live configuration', () => {
  it('swaps models, routes and prices on SIGHUP under steady load with zero failed requests; started streams finish on the old config', async () => {
    const dir = await dataDir();
    const before = `
providers:
  fast: { kind: simulated, ttft_ms: 0, tokens_per_second: 200, output_tokens: 20 }
  slow: { kind: simulated, ttft_ms: 0, tokens_per_second: 10, output_tokens: 60 }
models:
  - { name: kept-model, provider: fast, price: { input: 0, output: 1 } }
  - { name: old-model, provider: slow, price: { input: 0, output: 1 } }
ledger: { data_dir: "${dir}" }
logging: { level: info }
`;
    const after = `
providers:
  fast: { kind: simulated, ttft_ms: 0, tokens_per_second: 200, output_tokens: 20 }
models:
  - { name: kept-model, provider: fast, price: { input: 0, output: 3 } }
  - { name: new-model, provider: fast, price: { input: 0, output: 1 } }
routes:
  fresh-route: { strategy: fallback, chain: [new-model, kept-model] }
ledger: { data_dir: "${dir}" }
logging: { level: info }
`;
    const serve = await startServe(dir, before);
    const openai = client(serve);
    const priceBefore = costNanos((await openai.chat.completions.create({ model: 'kept-model', messages: ask }).withResponse()).response.headers);
    expect(priceBefore).toBeGreaterThan(0);

    // Long streams on a model the new config removes, started (first tokens out) before the reload.
    const long = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const stream = await openai.chat.completions.create({ model: 'old-model', messages: ask, stream: true });
        const chunks = stream[Symbol.asyncIterator]();
        const first = await chunks.next();
        const progress = { done: false };
        return { first, progress, rest: (async () => {
          let text = first.done ? '' : (first.value.choices[0]?.delta.content ?? '');
          let finish: string | null | undefined;
          for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
            text += next.value.choices[0]?.delta.content ?? '';
            finish = next.value.choices[0]?.finish_reason ?? finish;
          }
          progress.done = true;
          return { text, finish };
        })() };
      }),
    );

    // Steady load: four callers, plain replies and streams alternating, until told to stop.
    let stop = false;
    let served = 0;
    const failures: unknown[] = [];
    const load = Array.from({ length: 4 }, async (_, caller) => {
      for (let i = 0; !stop; i += 1) {
        try {
          if ((i + caller) % 2 === 0) {
            const reply = await openai.chat.completions.create({ model: 'kept-model', messages: ask });
            if (!reply.choices[0]?.message.content) throw new Error('empty reply');
          } else {
            const stream = await openai.chat.completions.create({ model: 'kept-model', messages: ask, stream: true });
            let finish: string | null | undefined;
            for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
            if (finish !== 'stop' && finish !== 'length') throw new Error(`stream ended without a finish reason (${finish})`);
          }
          served += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    });
    while (served < 20) await new Promise((resolve) => setTimeout(resolve, 10));

    await writeFile(join(dir, 'frugal.yaml'), after);
    serve.child.kill('SIGHUP');
    await untilLogged(serve, 'config reloaded');
    // The 6 s streams were still running when the new config took over.
    expect(long.map((stream) => stream.progress.done)).toEqual([false, false, false]);
    const servedAtReload = served;
    while (served < servedAtReload + 40) await new Promise((resolve) => setTimeout(resolve, 10));

    // New requests see the new config: the new model and route, the removed model gone, the new price.
    const viaRoute = await openai.chat.completions.create({ model: 'fresh-route', messages: ask }).withResponse();
    expect(viaRoute.response.headers.get('x-frugal-model')).toBe('new-model');
    expect(await errorCode(openai.chat.completions.create({ model: 'old-model', messages: ask }))).toBe('model_not_found');
    const models = (await openai.models.list()).data.map((model) => model.id);
    expect(models).toContain('new-model');
    expect(models).not.toContain('old-model');
    const priceAfter = costNanos((await openai.chat.completions.create({ model: 'kept-model', messages: ask }).withResponse()).response.headers);
    expect(priceAfter).toBe(priceBefore * 3);
    // Metric labels follow the new config: the new model is a label of its own, not `other`.
    const metrics = await (await fetch(`${serve.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/frugal_requests_total\{model="new-model"/);

    // The streams that started on the old config ran to their end on it.
    for (const stream of long) {
      const { text, finish } = await stream.rest;
      expect(finish).toBe('stop');
      expect(text.split(/\s+/).filter(Boolean).length).toBeGreaterThanOrEqual(50);
    }

    stop = true;
    await Promise.all(load);
    expect(failures).toEqual([]);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    expect(serve.output()).not.toMatch(/did not close cleanly/);
  }, 90_000);

  it('refuses an invalid config with the start-up error (admin endpoint, SIGHUP) and keeps serving the running one', async () => {
    const dir = await dataDir();
    const good = `
providers: { sim: { kind: simulated, output_tokens: 5 } }
models: [{ name: good-model, provider: sim, price: { input: 1, output: 1 } }]
admin: { master_key: "${MASTER_KEY}" }
ledger: { data_dir: "${dir}" }
`;
    const serve = await startServe(dir, good);
    const openai = client(serve);
    const configPath = join(dir, 'frugal.yaml');
    const reload = () => fetch(`${serve.baseUrl}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${MASTER_KEY}` } });

    const invalid = [`${good}routes: { broken: { strategy: fallback, chain: [no-such-model] } }\n`, `${good}server: { port: "not a port" }\n`];
    for (const [index, bad] of invalid.entries()) {
      await writeFile(configPath, bad);
      const refused = await reload();
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(refused.status).toBe(500);
      expect(body.error.code).toBe('config_invalid');
      // The very error `frugal serve` stops with on this file.
      const startUp = await frugal(['serve', '--config', configPath, '--port', '0']);
      expect(startUp.code).toBe(2);
      expect(startUp.stderr).toContain(body.error.message);

      serve.child.kill('SIGHUP');
      // Refusals so far: this file's by the endpoint, then by the signal.
      await untilLogged(serve, 'config reload refused', 2 * (index + 1));
      const reply = await openai.chat.completions.create({ model: 'good-model', messages: ask });
      expect(reply.choices[0].message.content).toBeTruthy();
    }
    // Each refusal was logged with its code: twice by the endpoint, twice by SIGHUP.
    await untilLogged(serve, 'config reload refused', 4);
    expect(serve.output().match(/"code":"config_invalid"[^\n]*config reload refused/g)).toHaveLength(4);

    // Without the master key the endpoint refuses before reading anything.
    expect((await fetch(`${serve.baseUrl}/admin/reload`, { method: 'POST' })).status).toBe(401);

    // `frugal reload` passes on a refusal (the route is checked by the gateway, not when the file is read) ...
    await writeFile(configPath, invalid[0]);
    const refusedByCli = await frugal(['reload', '--config', configPath, '--url', serve.baseUrl]);
    expect(refusedByCli.code).toBe(2);
    expect(refusedByCli.stderr).toMatch(/refused the reload: Invalid config.*routes\.broken\.chain/);
    // ... and applies what can change, naming what waits for a restart.
    await writeFile(configPath, `${good.replace('good-model', 'renamed-model')}server: { port: 1 }\n`);
    const cli = await frugal(['reload', '--config', configPath, '--url', serve.baseUrl]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/Config reloaded: \d+ models/);
    expect(cli.stdout).toContain('server.port');
    expect(serve.output()).toMatch(/"needsRestart":\["server.port"\]/);
    const renamed = await openai.chat.completions.create({ model: 'renamed-model', messages: ask });
    expect(renamed.choices[0].message.content).toBeTruthy();
    expect(await errorCode(openai.chat.completions.create({ model: 'good-model', messages: ask }))).toBe('model_not_found');
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  }, 90_000);

  it('keeps budget spend across a reload, and applies a changed limit at once', async () => {
    const dir = await dataDir();
    // 10 output tokens at $1000 per 1M: $0.01 a request.
    const config = (limit: string, extra = '') => `
providers: { sim: { kind: simulated, output_tokens: 10 } }
models:
  - { name: paid-model, provider: sim, price: { input: 0, output: 1000 } }
${extra}budgets: [{ scope: global, limit_usd: ${limit}, period: day }]
ledger: { data_dir: "${dir}" }
`;
    const serve = await startServe(dir, config('0.03'));
    const openai = client(serve);
    const call = () => errorCode(openai.chat.completions.create({ model: 'paid-model', messages: ask, max_tokens: 10 }));
    let paid = 0;
    while ((await call()) === undefined) {
      paid += 1;
      expect(paid).toBeLessThan(10);
    }
    expect(paid).toBeGreaterThanOrEqual(2);
    expect(await call()).toBe('budget_exceeded');

    // A reload that changes something else: the spend so far still counts.
    await writeFile(join(dir, 'frugal.yaml'), config('0.03', '  - { name: other-model, provider: sim, price: { input: 0, output: 1 } }\n'));
    serve.child.kill('SIGHUP');
    await untilLogged(serve, 'config reloaded');
    expect(await call()).toBe('budget_exceeded');
    // The dashboard reads the budgets in force (an open gateway: no key needed).
    const dashboardLimit = async () => ((await (await fetch(`${serve.baseUrl}/admin/api/budgets`)).json()) as { budgets: Array<{ limitNanos: string }> }).budgets.map((budget) => budget.limitNanos);
    expect(await dashboardLimit()).toEqual(['30000000']);

    // A higher limit applies to the same counters.
    await writeFile(join(dir, 'frugal.yaml'), config('1'));
    serve.child.kill('SIGHUP');
    await untilLogged(serve, 'config reloaded', 2);
    expect(await call()).toBeUndefined();
    expect(await dashboardLimit()).toEqual(['1000000000']);
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  }, 60_000);

  it('reloads when the config file changes with server.watch_config: true', async () => {
    const dir = await dataDir();
    const config = (model: string) => `
server: { watch_config: true }
providers: { sim: { kind: simulated, output_tokens: 5 } }
models: [{ name: ${model}, provider: sim, price: { input: 1, output: 1 } }]
ledger: { data_dir: "${dir}" }
`;
    const serve = await startServe(dir, config('first-model'));
    const openai = client(serve);
    expect(await errorCode(openai.chat.completions.create({ model: 'first-model', messages: ask }))).toBeUndefined();

    await writeFile(join(dir, 'frugal.yaml'), config('second-model'));
    await untilLogged(serve, '"trigger":"watch"');
    expect(await errorCode(openai.chat.completions.create({ model: 'second-model', messages: ask }))).toBeUndefined();
    expect(await errorCode(openai.chat.completions.create({ model: 'first-model', messages: ask }))).toBe('model_not_found');
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  }, 60_000);
});
