import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { deleteByPrefix, redisReachable, serviceGate, TEST_REDIS_URL } from '../testing/services.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../testing/start-keyed-gateway.js';

/**
 * Limits a request can never fit in, through the official openai client: they must be refused at once and as
 * final, never as a 429 whose Retry-After has the SDK sleep and retry for nothing; and an estimate that is only
 * a guess (a default max_tokens) must not turn into such a refusal. Same on both backends.
 */

let upstream: MockOpenAIServer;
beforeAll(async () => {
  upstream = await startMockOpenAIServer({ name: 'up' });
});
afterAll(async () => upstream?.close());

const redisUp = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'spend limits through the openai client on the Redis backend');

async function createKey(gateway: KeyedGateway, fields: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${gateway.origin}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `probe-${randomUUID()}`, ...fields }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

interface Refusal {
  status: number | undefined;
  code: string | undefined;
  retryAfter: string | null;
  message: string;
  elapsedMs: number;
}

/** The refusal a call gets, with the SDK's default retries on: a refusal that can never pass must not be retried. */
async function refusalOf(call: () => Promise<unknown>): Promise<Refusal> {
  const started = Date.now();
  try {
    await call();
  } catch (error) {
    if (!(error instanceof OpenAI.APIError)) throw error;
    return { status: error.status, code: error.code ?? undefined, retryAfter: error.headers?.get('retry-after') ?? null, message: error.message, elapsedMs: Date.now() - started };
  }
  throw new Error('expected the call to be refused');
}

function describeBackend(backend: 'memory' | 'redis') {
  describe.skipIf(backend === 'redis' && !redisUp)(`${backend} backend`, () => {
    const prefix = `frugal-test:limits:${randomUUID()}:`;
    let gateway: KeyedGateway;
    beforeAll(async () => {
      gateway = await startKeyedGateway({
        providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
        // 1 000 / 2 000 nano-dollars per token.
        models: [{ name: 'cheap', provider: 'up', price: { input: 1, output: 2 } }],
        cache: { enabled: false },
        spend_control: { backend, key_prefix: prefix, default_max_tokens: 4096 },
      });
    });
    afterAll(async () => {
      await gateway?.close();
      if (backend === 'redis') {
        const admin = new Redis(TEST_REDIS_URL);
        await deleteByPrefix(admin, prefix);
        await admin.quit();
      }
    });
    const clientFor = (apiKey: string) => new OpenAI({ baseURL: `${gateway.origin}/v1`, apiKey, maxRetries: 2 });

    it('refuses a request larger than the whole TPM limit at once, as final (400 limit_exceeded, no Retry-After)', async () => {
      const client = clientFor(await createKey(gateway, { tpm: 1_000 }));
      const refusal = await refusalOf(() => client.chat.completions.create({ model: 'cheap', max_tokens: 5_000, messages: [{ role: 'user', content: 'hi' }] }));
      expect(refusal).toMatchObject({ status: 400, code: 'limit_exceeded', retryAfter: null });
      expect(refusal.message).toContain('1000 tokens per minute');
      // The SDK did not sleep through Retry-Afters: one round trip.
      expect(refusal.elapsedMs).toBeLessThan(2_000);
      // Nothing was taken from the key's limits by the refusal: a call that fits passes at once.
      await expect(client.chat.completions.create({ model: 'cheap', max_tokens: 900, messages: [{ role: 'user', content: 'hi' }] })).resolves.toBeDefined();
    });

    it('lets a request without max_tokens through a TPM below default_max_tokens, and counts what it really used', async () => {
      const client = new OpenAI({ baseURL: `${gateway.origin}/v1`, apiKey: await createKey(gateway, { tpm: 1_000 }), maxRetries: 0 });
      // The default max_tokens (4 096) is only a guess for this call: it must not make it impossible.
      const answer = await client.chat.completions.create({ model: 'cheap', messages: [{ role: 'user', content: 'uncapped' }] });
      expect(answer.usage!.total_tokens).toBeLessThan(100);
      // Corrected to the ~14 tokens really used: room for a call of 900 is left at once.
      await expect(client.chat.completions.create({ model: 'cheap', max_tokens: 900, messages: [{ role: 'user', content: 'capped' }] })).resolves.toBeDefined();
    });

    it("refuses a call that costs more than a key's whole budget without a Retry-After (OpenAI and Anthropic shapes)", async () => {
      // $0.0001 a day; a call with max_tokens 100 may cost about $0.0002, one with max_tokens 2 about $0.00002.
      const apiKey = await createKey(gateway, { budget_usd: '0.0001', budget_period: 'day' });
      const client = new OpenAI({ baseURL: `${gateway.origin}/v1`, apiKey, maxRetries: 0 });
      // No period will ever hold it: a Retry-After at the period's end would only have a client wait a day to fail again.
      const refusal = await refusalOf(() => client.chat.completions.create({ model: 'cheap', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }));
      expect(refusal).toMatchObject({ status: 429, code: 'budget_exceeded', retryAfter: null });
      expect(refusal.message).toContain('more than the whole budget');
      const messages = await fetch(`${gateway.origin}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'cheap', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(messages.status).toBe(429);
      expect(messages.headers.get('retry-after')).toBeNull();
      expect(messages.headers.get('x-should-retry')).toBe('false');
      expect(((await messages.json()) as { error: { type: string; message: string } }).error).toMatchObject({ type: 'rate_limit_error', message: expect.stringContaining('more than the whole budget') });
      // A call that fits still passes.
      await expect(client.chat.completions.create({ model: 'cheap', max_tokens: 2, messages: [{ role: 'user', content: 'hi' }] })).resolves.toBeDefined();
    });

    it('tells the openai SDK not to retry an exhausted budget (x-should-retry: false): one request, not three', async () => {
      const apiKey = await createKey(gateway, { budget_usd: '0.0001', budget_period: 'day' });
      const retrying = clientFor(apiKey);
      const before = gateway.rows.length;
      const refusal = await refusalOf(() => retrying.chat.completions.create({ model: 'cheap', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }));
      expect(refusal).toMatchObject({ status: 429, code: 'budget_exceeded' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Each attempt leaves a refused row: the SDK's two retries would leave three.
      expect(gateway.rows.length - before).toBe(1);
    });
  });
}

describeBackend('memory');
describeBackend('redis');
