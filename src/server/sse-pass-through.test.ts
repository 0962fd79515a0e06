import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';
import { writeSseFrames } from './write-sse-frames.js';

// The upstream's own layout: spaces after separators, an escaped é, keys in an unusual order. A gateway that
// re-serialised these chunks would write them differently; one that forwards them writes these bytes.
const EVENTS = [
  '{"id": "chatcmpl-pt", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}], "usage": null}',
  '{"choices": [{"index": 0, "delta": {"content": "caf\\u00e9"}, "finish_reason": null}], "id": "chatcmpl-pt", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18", "usage": null}',
  '{"id": "chatcmpl-pt", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": null}',
];
const USAGE_EVENT = '{"id": "chatcmpl-pt", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18", "choices": [], "usage": {"prompt_tokens": 1000000, "completion_tokens": 1000000, "total_tokens": 2000000}}';

const upstreamText = [...EVENTS, USAGE_EVENT, '[DONE]'].map((data) => `data: ${data}\n\n`).join('');
let upstream: Server;
let frugal: TestGateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    // Under /hold/ the test answers itself (see below).
    if (req.url?.startsWith('/hold/')) return;
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(upstreamText);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  frugal = await startTestGateway({
    providers: {
      raw: { kind: 'openai', base_url: `http://127.0.0.1:${port}/v1` },
      held: { kind: 'openai', base_url: `http://127.0.0.1:${port}/hold/v1` },
    },
    models: [
      { name: 'gpt-4o-mini', provider: 'raw', price: { input: 0.15, output: 0.6 } },
      { name: 'held-model', provider: 'held', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 } },
    ],
  });
});

afterAll(async () => {
  await frugal?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((resolve) => upstream?.close(() => resolve()));
});

async function streamText(body: Record<string, unknown>): Promise<string> {
  const response = await request(`${frugal.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true, ...body }),
  });
  expect(response.statusCode).toBe(200);
  return response.body.text();
}

const dataLines = (text: string) => text.split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => event.slice('data: '.length));

describe('streamed chunks the gateway does not change', () => {
  it("reach the client as the upstream's exact bytes", async () => {
    const lines = dataLines(await streamText({ model: 'gpt-4o-mini' }));
    // The usage chunk exists because the gateway asked for it; the client did not, so it is not forwarded.
    expect(lines).toEqual([...EVENTS, '[DONE]']);
  });

  it('are still re-serialised when the gateway adds to them: usage with its cost', async () => {
    const lines = dataLines(await streamText({ model: 'gpt-4o-mini', stream_options: { include_usage: true } }));
    expect(lines.slice(0, EVENTS.length)).toEqual(EVENTS);
    const usageChunk = JSON.parse(lines[EVENTS.length]) as { usage: Record<string, number> };
    // 1M prompt tokens at $0.15 and 1M completion tokens at $0.60: the cost the gateway priced, not the upstream's text.
    expect(usageChunk).toEqual({ ...JSON.parse(USAGE_EVENT), usage: { ...JSON.parse(USAGE_EVENT).usage, cost: 0.75 } });
    expect(lines.at(-1)).toBe('[DONE]');
  });

  it('parse in the official client as they would from the upstream', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('café');
    expect(finish).toBe('stop');
  });
});

describe('a stream whose upstream body stays open after [DONE]', () => {
  it("ends for the client at [DONE], and its row is written, before the upstream's body ends", async () => {
    const rowsBefore = frugal.rows.length;
    // Until released, the upstream sends everything up to [DONE] and keeps the body open: a gateway that waited
    // for the body's end would never finish this read (the test would time out).
    const holding = new Promise<ServerResponse>((resolve) => upstream.once('request', (_req, res: ServerResponse) => resolve(res)));
    const reading = streamText({ model: 'held-model' });
    const res = await holding;
    try {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(upstreamText);
      expect(dataLines(await reading)).toEqual([...EVENTS, '[DONE]']);
      const rows = await frugal.waitForRows(rowsBefore + 1);
      expect(rows.at(-1)).toMatchObject({ status: 'ok', promptTokens: 1_000_000, completionTokens: 1_000_000 });
    } finally {
      res.end();
    }
  });
});

describe('writeSseFrames', () => {
  it('sends the headers, a burst of frames and the end in one socket write', async () => {
    let socketWrites = 0;
    const server = createServer((_req, res) => {
      const socket = res.socket as unknown as { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
      for (const method of ['_write', '_writev'] as const) {
        const original = socket[method].bind(socket);
        socket[method] = (...args: unknown[]) => {
          socketWrites += 1;
          original(...args);
        };
      }
      async function* burst() {
        yield 'data: {"n":1}\n\n';
        yield 'data: {"n":2}\n\n';
        yield 'data: {"n":3}\n\n';
      }
      void writeSseFrames(res, { 'x-test': '1' }, burst(), { trailer: 'data: [DONE]\n\n', errorFrame: () => 'data: {"error":{}}\n\n' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(response.headers['x-test']).toBe('1');
      expect(await response.body.text()).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\ndata: [DONE]\n\n');
      expect(socketWrites).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
