import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

// $1 per 1M input tokens = 1 000 nano-dollars a token; output 2 000, cached input 100.
const NANOS = { input: 1_000, output: 2_000, cached: 100 };

/**
 * An OpenAI-compatible upstream that reports whatever usage the last message carries after `USAGE`
 * (JSON, in the answer and in a stream's usage chunk): what a misbehaving provider or proxy might send.
 */
async function startUsageUpstream(): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { model: string; stream?: boolean; messages: Array<{ content: string }>; input?: string };
      if (request.url?.endsWith('/embeddings')) {
        const reported: unknown = JSON.parse(/USAGE(.*)$/.exec(body.input!)![1]);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ object: 'list', model: body.model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: reported }));
        return;
      }
      const usage: unknown = JSON.parse(/USAGE(.*)$/.exec(body.messages.at(-1)!.content)![1]);
      const base = { id: 'chatcmpl-usage', created: 1, model: body.model };
      if (body.stream === true) {
        const event = (json: unknown) => `data: ${JSON.stringify(json)}\n\n`;
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(
          event({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello there' }, finish_reason: null }] }) +
            event({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) +
            event({ ...base, object: 'chat.completion.chunk', choices: [], usage }) +
            'data: [DONE]\n\n',
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }], usage }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

describe('usage a misbehaving upstream reports, through the official openai client', () => {
  let upstream: { server: Server; baseUrl: string };
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startUsageUpstream();
    gateway = await startTestGateway({
      providers: { local: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-upstream' } },
      models: [
        { name: 'priced', provider: 'local', price: { input: 1, output: 2, cached_input: 0.1 } },
        { name: 'embedder', provider: 'local', type: 'embedding', price: { input: 1, output: 0 } },
      ],
      budgets: [{ scope: 'global', limit_usd: 1000, period: 'month' }],
    });
    client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway.close();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  /** The answer's `usage.cost` in nano-dollars and the one ledger row of a request reporting `usage`. */
  async function send(usage: unknown, stream: boolean): Promise<{ costNanos: number | undefined; row: LedgerRow }> {
    const before = gateway.rows.length;
    const messages = [{ role: 'user' as const, content: `Say hello. USAGE${JSON.stringify(usage)}` }];
    let cost: number | undefined;
    if (stream) {
      const chunks = await client.chat.completions.create({ model: 'priced', messages, stream: true, stream_options: { include_usage: true } });
      for await (const chunk of chunks) if (chunk.usage) cost = (chunk.usage as { cost?: number }).cost;
    } else {
      const answer = await client.chat.completions.create({ model: 'priced', messages });
      cost = (answer.usage as { cost?: number } | undefined)?.cost;
    }
    const row = (await gateway.waitForRows(before + 1))[before];
    return { costNanos: cost === undefined ? undefined : Math.round(cost * 1e9), row };
  }

  const priced = (row: LedgerRow) => (row.promptTokens - row.cachedTokens) * NANOS.input + row.cachedTokens * NANOS.cached + row.completionTokens * NANOS.output;

  const unusable: Array<[string, unknown]> = [
    ['negative prompt tokens', { prompt_tokens: -5000, completion_tokens: 3, total_tokens: -4997 }],
    ['fractional tokens', { prompt_tokens: 10.5, completion_tokens: 3, total_tokens: 13.5 }],
    ['an absurd count', { prompt_tokens: 1e300, completion_tokens: 3, total_tokens: 1e300 }],
    ['a word for a count', { prompt_tokens: 'many', completion_tokens: 3, total_tokens: 3 }],
  ];
  for (const stream of [false, true]) {
    for (const [what, usage] of unusable) {
      it(`estimates, and says so, when the upstream reports ${what} (${stream ? 'streamed' : 'JSON'})`, async () => {
        const { costNanos, row } = await send(usage, stream);
        expect(row.status).toBe('ok');
        expect(row.tokensEstimated).toBe(true);
        expect(Number.isSafeInteger(row.promptTokens) && row.promptTokens > 0).toBe(true);
        expect(row.costNanos).toBe(priced(row));
        expect(row.costNanos).toBeGreaterThan(0);
        expect(costNanos).toBe(row.costNanos);
        expect(row.savedNanos).toBe(0);
        expect(row.warnings).toContain(`'priced' reported token usage that cannot be priced; tokens estimated`);
      });
    }

    it(`reads counts sent as strings of digits as numbers (${stream ? 'streamed' : 'JSON'})`, async () => {
      const { costNanos, row } = await send({ prompt_tokens: '100', completion_tokens: '5', total_tokens: '105' }, stream);
      expect(row).toMatchObject({ promptTokens: 100, completionTokens: 5, tokensEstimated: false, costNanos: 100 * NANOS.input + 5 * NANOS.output, savedNanos: 0, baselineNanos: 110_000 });
      expect(costNanos).toBe(row.costNanos);
    });

    it(`prices a negative cached count as no cache read (${stream ? 'streamed' : 'JSON'})`, async () => {
      const { row } = await send({ prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: -80 } }, stream);
      expect(row).toMatchObject({ promptTokens: 100, cachedTokens: 0, costNanos: 100 * NANOS.input + 5 * NANOS.output, savedPromptCacheNanos: 0 });
    });
  }

  it.each([
    ['a negative count', { prompt_tokens: -50, total_tokens: -50 }],
    ['a fractional count', { prompt_tokens: 10.5, total_tokens: 10.5 }],
    ['a word', { prompt_tokens: 'many', total_tokens: 0 }],
  ])('estimates an embeddings call whose upstream reported %s, never pricing it', async (_what, usage) => {
    const before = gateway.rows.length;
    const created = await client.embeddings.create({ model: 'embedder', input: `one short sentence USAGE${JSON.stringify(usage)}` });
    expect(created.data).toHaveLength(1);
    await gateway.waitForRows(before + 1);
    const row = gateway.rows.at(-1)!;
    expect(row).toMatchObject({ status: 'ok', tokensEstimated: true });
    expect(Number.isInteger(row.promptTokens) && row.promptTokens > 0).toBe(true);
    expect(row.costNanos).toBe(row.promptTokens * NANOS.input);
    expect(row.warnings.join(' ')).toContain('cannot be priced');
  });
});
