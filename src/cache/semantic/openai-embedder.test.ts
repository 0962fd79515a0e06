import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import { dot } from './embedder.js';
import { createOpenAIEmbedder } from './openai-embedder.js';

interface Seen {
  headers: IncomingMessage['headers'];
  body: { model: string; input: string[]; encoding_format?: string; dimensions?: number };
}

/** A tiny embeddings server in OpenAI's wire format; the input text picks the behaviour. */
function vectorFor(text: string): number[] {
  // Deterministic, not unit length (so the client's normalisation shows), 4 dimensions.
  return [text.length, text.charCodeAt(0) % 7, 1, text.includes('?') ? 3 : 0];
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (piece) => (raw += piece));
    req.on('end', () => {
      const body = JSON.parse(raw) as Seen['body'];
      seen.push({ headers: req.headers, body });
      const first = body.input[0] ?? '';
      if (req.url !== '/v1/embeddings') return void res.writeHead(404).end();
      if (first === 'rate-limit me') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
        return void res.end(JSON.stringify({ error: { message: 'Rate limit reached for sk-secret123456789012345', type: 'requests', code: 'rate_limit_exceeded' } }));
      }
      const dimensions = first === 'wrong size' ? 3 : 4;
      const data = body.input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: first === 'base64 please' ? Buffer.from(Float32Array.from(vectorFor(text)).buffer).toString('base64') : vectorFor(text).slice(0, dimensions),
      }));
      // Real servers may answer out of order; the index says where each belongs.
      data.reverse();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data, model: body.model, usage: { prompt_tokens: body.input.length * 3, total_tokens: body.input.length * 3 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('createOpenAIEmbedder', () => {
  it('posts model, input and float encoding with the bearer key, and returns unit vectors in input order', async () => {
    const embedder = createOpenAIEmbedder({ baseUrl: `${baseUrl}/`, apiKey: 'sk-test', model: 'text-embedding-3-small', dimensions: 4 });
    const vectors = await embedder.embed(['Hello?', 'Hi']);
    const last = seen.at(-1)!;
    expect(last.body).toEqual({ model: 'text-embedding-3-small', input: ['Hello?', 'Hi'], encoding_format: 'float' });
    expect(last.headers.authorization).toBe('Bearer sk-test');
    const expected = vectorFor('Hello?');
    const length = Math.hypot(...expected);
    expect(Array.from(vectors[0])).toEqual(expected.map((value) => Math.fround(Math.fround(value) * Math.fround(1 / length))));
    expect(dot(vectors[0], vectors[0])).toBeCloseTo(1, 5);
    expect(dot(vectors[1], vectors[1])).toBeCloseTo(1, 5);
    expect(dot(vectors[0], vectors[1])).toBeLessThan(0.999);
  });

  it('splits large inputs into batches', async () => {
    const before = seen.length;
    const embedder = createOpenAIEmbedder({ baseUrl, model: 'm', dimensions: 4, batchSize: 2 });
    const vectors = await embedder.embed(['a', 'bb', 'ccc', 'dddd', 'eeeee']);
    expect(vectors).toHaveLength(5);
    expect(seen.slice(before).map((request) => request.body.input.length)).toEqual([2, 2, 1]);
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('sends dimensions only when asked', async () => {
    await createOpenAIEmbedder({ baseUrl, model: 'm', dimensions: 4, requestDimensions: true }).embed(['x']);
    expect(seen.at(-1)!.body.dimensions).toBe(4);
  });

  it('reads base64-encoded vectors', async () => {
    const [vector] = await createOpenAIEmbedder({ baseUrl, model: 'm', dimensions: 4 }).embed(['base64 please']);
    expect(dot(vector, vector)).toBeCloseTo(1, 5);
  });

  it('names the endpoint, model and size in its id', () => {
    const embedder = createOpenAIEmbedder({ baseUrl, model: 'text-embedding-3-small', dimensions: 1536 });
    expect(embedder.id).toBe(`openai-compatible:${baseUrl}:text-embedding-3-small:1536`);
  });

  it('turns an upstream error into a FrugalError with status and retry-after, key redacted', async () => {
    const error = await createOpenAIEmbedder({ baseUrl, model: 'm', dimensions: 4 }).embed(['rate-limit me']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FrugalError);
    expect((error as FrugalError).code).toBe('upstream_rate_limited');
    expect((error as FrugalError).status).toBe(429);
    expect((error as FrugalError).retryAfterSeconds).toBe(3);
    expect((error as FrugalError).message).not.toContain('sk-secret123456789012345');
  });

  it('rejects vectors of the wrong size', async () => {
    const error = await createOpenAIEmbedder({ baseUrl, model: 'm', dimensions: 4 }).embed(['wrong size']).catch((caught: unknown) => caught);
    expect((error as FrugalError).code).toBe('upstream_bad_response');
  });

  it('reports an unreachable server as upstream_unreachable', async () => {
    const error = await createOpenAIEmbedder({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', dimensions: 4 }).embed(['x']).catch((caught: unknown) => caught);
    expect((error as FrugalError).code).toBe('upstream_unreachable');
  });
});
