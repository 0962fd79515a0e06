import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../src/testing/send-raw.js';
import { startKeyedGateway, TEST_MASTER_KEY, type KeyedGateway } from '../src/testing/start-keyed-gateway.js';

let frugal: KeyedGateway;
beforeAll(async () => {
  frugal = await startKeyedGateway({ providers: { sim: { kind: 'simulated', output_tokens: 2 } }, models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } }] });
});
afterAll(async () => frugal?.close());

const get = (path: string, headers: string[]) => sendRaw(frugal.port, [`GET ${path} HTTP/1.1`, ...headers].join('\r\n'));

describe('a credential header given twice', () => {
  it('is refused on the admin API, whichever copy holds the master key', async () => {
    for (const headers of [
      [`authorization: Bearer ${TEST_MASTER_KEY}`, 'authorization: Bearer vetted-by-the-proxy'],
      ['authorization: Bearer vetted-by-the-proxy', `Authorization: Bearer ${TEST_MASTER_KEY}`],
      [`x-api-key: ${TEST_MASTER_KEY}`, `X-Api-Key: ${TEST_MASTER_KEY}`],
      [`api-key: ${TEST_MASTER_KEY}`, 'api-key: other'],
    ]) {
      const reply = await get('/admin/keys', headers);
      expect(reply.status, headers.join(' | ')).toBe(400);
      expect(JSON.parse(reply.body).error.code).toBe('invalid_request');
    }
  });

  it('is refused on the API routes before the key is looked at', async () => {
    const reply = await get('/v1/models', [`authorization: Bearer ${frugal.apiKey}`, 'authorization: Bearer fk-vk_aaaaaaaaaaaa-other']);
    expect(reply.status).toBe(400);
    expect(reply.body).not.toContain(frugal.apiKey);
  });

  it('leaves every single form alone: Bearer in any case, x-api-key, api-key, and one of each header', async () => {
    for (const headers of [[`authorization: Bearer ${frugal.apiKey}`], [`authorization: bearer   ${frugal.apiKey}  `], [`x-api-key: ${frugal.apiKey}`], [`api-key: ${frugal.apiKey}`], ['authorization: Basic Zm9vOmJhcg==', `x-api-key: ${frugal.apiKey}`]]) {
      expect((await get('/v1/models', headers)).status, headers.join(' | ')).toBe(200);
    }
    expect((await get('/admin/keys', [`authorization: Bearer ${TEST_MASTER_KEY}`])).status).toBe(200);
    const client = new OpenAI({ apiKey: frugal.apiKey, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'cheap', messages: [{ role: 'user', content: 'hi' }] })).resolves.toMatchObject({ object: 'chat.completion' });
  });
});
