import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

// An upstream whose JSON is laid out as no JSON.stringify would write it: what arrives shows whose bytes they are.
const UPSTREAM_TEXT = `{
  "object": "chat.completion",
  "id": "chatcmpl-layout",
  "created": 1767225600,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [ { "index": 0, "message": { "role": "assistant", "content": "Laid out by the upstream.", "refusal": null }, "logprobs": null, "finish_reason": "stop" } ],
  "usage": { "prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15 },
  "system_fingerprint": "fp_layout"
}`;

let upstream: Server;
let plain: TestGateway;
let priced: TestGateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(UPSTREAM_TEXT);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const config = (costInBody: boolean) => ({
    providers: { up: { kind: 'openai', base_url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1` } },
    models: [{ name: 'gpt-4o-mini', provider: 'up', price: { input: 0.15, output: 0.6 } }],
    server: { cost_in_body: costInBody },
  });
  plain = await startTestGateway(config(false));
  priced = await startTestGateway(config(true));
});

afterAll(async () => {
  await plain?.close();
  await priced?.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const ask = (gateway: TestGateway) =>
  fetch(`${gateway.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }) });

describe('a non-streamed answer', () => {
  it('reaches the caller as the upstream’s own bytes when Frugal changed nothing in it (cost_in_body off)', async () => {
    const response = await ask(plain);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe(UPSTREAM_TEXT);
    // And the official client reads it as the same answer.
    const client = new OpenAI({ apiKey: 'x', baseURL: plain.baseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion).toMatchObject({ id: 'chatcmpl-layout', system_fingerprint: 'fp_layout', usage: { total_tokens: 15 } });
  });

  it('is serialised again once Frugal changed it (the cost in the body, the default), never sent stale', async () => {
    const response = await ask(priced);
    const text = await response.text();
    expect(text).not.toBe(UPSTREAM_TEXT);
    const body = JSON.parse(text) as { usage: { cost?: number }; id: string };
    expect(body.id).toBe('chatcmpl-layout');
    // 9 × $0.15/M + 6 × $0.60/M
    expect(body.usage.cost).toBeCloseTo(0.00000495, 12);
  });
});
