import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { deleteByPrefix, redisReachable, serviceGate, TEST_REDIS_URL } from '../testing/services.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../testing/start-keyed-gateway.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';
import type { BudgetScope } from './budget-store.js';

/**
 * Spend control as an independent caller sees it, through the official openai client, on both backends: the
 * `x-ratelimit-*` headers OpenAI sends, and no hold outliving its request however the request ends.
 */

let upstream: MockOpenAIServer;
beforeAll(async () => {
  upstream = await startMockOpenAIServer({ name: 'up' });
});
afterAll(async () => upstream?.close());

const redisUp = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'spend probes on the Redis backend');

async function createKey(gateway: KeyedGateway, fields: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${gateway.origin}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `probe-${randomUUID()}`, ...fields }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

const GLOBAL_LIMIT_NANOS = 2_000_000; // $0.002
const GLOBAL: BudgetScope = { id: 'global', limitNanos: GLOBAL_LIMIT_NANOS, period: 'day', hard: true };

function describeBackend(backend: 'memory' | 'redis') {
  describe.skipIf(backend === 'redis' && !redisUp)(`${backend} backend`, () => {
    const prefix = `frugal-test:probe:${randomUUID()}:`;
    const spendControl = { backend, key_prefix: prefix, default_max_tokens: 64 };
    const models = [
      { name: 'cheap', provider: 'up', price: { input: 1, output: 2 } },
      { name: 'embed', provider: 'up', type: 'embedding', price: { input: 1, output: 0 } },
    ];
    let keyed: KeyedGateway;
    let open: TestGateway;
    beforeAll(async () => {
      const providers = { up: { kind: 'openai', base_url: upstream.baseUrl } };
      // Every key also counts against a config budget per key, on the same counter as a key's own budget.
      keyed = await startKeyedGateway({ providers, models, cache: { enabled: false }, spend_control: spendControl, budgets: [{ scope: 'key:*', limit_usd: 1, period: 'day' }] });
      open = await startTestGateway({
        providers,
        models,
        cache: { enabled: false },
        spend_control: { ...spendControl, key_prefix: `${prefix}open:` },
        budgets: [{ scope: 'global', limit_usd: 0.002, period: 'day' }],
      });
    });
    afterAll(async () => {
      await keyed?.close();
      await open?.close();
      if (backend === 'redis') {
        const admin = new Redis(TEST_REDIS_URL);
        await deleteByPrefix(admin, prefix);
        await admin.quit();
      }
    });

    it("sends OpenAI's x-ratelimit-* headers (limit, remaining, reset for requests and tokens) on answers and streams", async () => {
      const client = new OpenAI({ baseURL: `${keyed.origin}/v1`, apiKey: await createKey(keyed, { rpm: 5, tpm: 10_000 }), maxRetries: 0 });
      const first = await client.chat.completions.create({ model: 'cheap', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      const headers = first.response.headers;
      expect(headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(headers.get('x-ratelimit-remaining-requests')).toBe('4');
      expect(headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|(\d+m)?\d+(\.\d+)?s)$/);
      expect(headers.get('x-ratelimit-limit-tokens')).toBe('10000');
      const remainingTokens = Number(headers.get('x-ratelimit-remaining-tokens'));
      expect(remainingTokens).toBeLessThan(10_000 - 100);
      expect(remainingTokens).toBeGreaterThan(10_000 - 200);
      expect(headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+ms|(\d+m)?\d+(\.\d+)?s)$/);
      const streamed = await client.chat.completions.create({ model: 'cheap', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      for await (const _chunk of streamed.data) void _chunk;
      expect(streamed.response.headers.get('x-ratelimit-remaining-requests')).toBe('3');
    });

    it('lets exactly the RPM through when many calls race, and refuses the rest with 429 and an integer Retry-After', async () => {
      const client = new OpenAI({ baseURL: `${keyed.origin}/v1`, apiKey: await createKey(keyed, { rpm: 7 }), maxRetries: 0 });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 25 }, () => client.chat.completions.create({ model: 'cheap', max_tokens: 5, messages: [{ role: 'user', content: 'race' }] })),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(7);
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') continue;
        const error = outcome.reason as InstanceType<typeof OpenAI.APIError>;
        expect(error.status).toBe(429);
        expect(error.code).toBe('rate_limit_exceeded');
        expect(error.headers?.get('retry-after')).toMatch(/^[1-9]\d*$/);
        // As OpenAI's 429 does: the limit that refused, at 0 remaining, and when it frees up.
        expect(error.headers?.get('x-ratelimit-limit-requests')).toBe('7');
        expect(error.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
        expect(error.headers?.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|(\d+m)?\d+(\.\d+)?s)$/);
      }
    });

    it("refuses a spent budget as 429 insufficient_quota / budget_exceeded on chat, embeddings and responses", async () => {
      const apiKey = await createKey(keyed, { budget_usd: '0.00002', budget_period: 'day' });
      const client = new OpenAI({ baseURL: `${keyed.origin}/v1`, apiKey, maxRetries: 0 });
      // Spend it with the smallest call there is (a two-byte embedding), until even that no longer fits.
      let refused = false;
      for (let tries = 0; tries < 100 && !refused; tries += 1) refused = await client.embeddings.create({ model: 'embed', input: 'hi' }).then(() => false, () => true);
      expect(refused).toBe(true);
      const calls: Array<() => Promise<unknown>> = [
        () => client.chat.completions.create({ model: 'cheap', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }),
        () => client.embeddings.create({ model: 'embed', input: 'hi' }),
        () => client.responses.create({ model: 'cheap', max_output_tokens: 16, input: 'hi' }),
      ];
      for (const call of calls) {
        const error = await call().then(
          () => undefined,
          (reason: unknown) => reason as InstanceType<typeof OpenAI.APIError>,
        );
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect({ status: error!.status, type: (error!.error as { type?: string }).type, code: error!.code }).toEqual({ status: 429, type: 'insufficient_quota', code: 'budget_exceeded' });
      }
    });

    it("counts a call once when a key's own budget and a config 'key:*' budget count the same key and period", async () => {
      const apiKey = await createKey(keyed, { budget_usd: '0.0005', budget_period: 'day' });
      const client = new OpenAI({ baseURL: `${keyed.origin}/v1`, apiKey, maxRetries: 0 });
      const before = keyed.rows.length;
      let refusal: string | undefined;
      for (let tries = 0; tries < 50 && refusal === undefined; tries += 1) {
        refusal = await client.chat.completions.create({ model: 'cheap', max_tokens: 5, messages: [{ role: 'user', content: 'once' }] }).then(
          () => undefined,
          (error: unknown) => (error as Error).message,
        );
      }
      const paid = keyed.rows.slice(before).filter((row) => row.costNanos > 0);
      expect(paid.length, refusal).toBeGreaterThan(1);
      const spentUsd = /spent \$([0-9.]+)/.exec(refusal ?? '')?.[1];
      // Counted twice, the key would be refused at half its budget, its spend reported double.
      expect(Math.round(Number(spentUsd) * 1e9)).toBe(paid.reduce((sum, row) => sum + row.costNanos, 0));
    });

    it('leaves nothing held once concurrent calls end however they end (answered, streamed, aborted, failed mid-stream), and spends at most the budget', async () => {
      const client = new OpenAI({ baseURL: open.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const plain = (n: number) => client.chat.completions.create({ model: 'cheap', max_tokens: 300, n, messages: [{ role: 'user', content: '[[mock:words=40]]' }] });
      const streamed = async (content: string, abortAfter?: number) => {
        const controller = new AbortController();
        const stream = await client.chat.completions.create({ model: 'cheap', max_tokens: 300, stream: true, messages: [{ role: 'user', content }] }, { signal: controller.signal });
        let seen = 0;
        for await (const _chunk of stream) {
          void _chunk;
          seen += 1;
          if (abortAfter !== undefined && seen >= abortAfter) controller.abort();
        }
      };
      const calls: Array<Promise<unknown>> = [];
      for (let index = 0; index < 40; index += 1) {
        const kind = index % 5;
        if (kind === 0) calls.push(plain(1));
        else if (kind === 1) calls.push(plain(2));
        else if (kind === 2) calls.push(streamed('[[mock:words=40]]'));
        else if (kind === 3) calls.push(streamed('[[mock:words=40]]', 2));
        else calls.push(streamed('[[mock:stream_error=boom]]'));
      }
      const outcomes = await Promise.allSettled(calls);
      expect(outcomes.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
      // Streams write their rows (and settle) as they end; wait until every settle has landed.
      let usage = await open.gateway.spendControl.store.usage(GLOBAL);
      for (let tries = 0; tries < 100 && usage.reservedNanos !== 0; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        usage = await open.gateway.spendControl.store.usage(GLOBAL);
      }
      expect(usage.reservedNanos).toBe(0);
      expect(usage.spentNanos).toBeGreaterThan(0);
      expect(usage.spentNanos).toBeLessThanOrEqual(GLOBAL_LIMIT_NANOS);
    });
  });
}

describeBackend('memory');
describeBackend('redis');
