import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible upstream that bills like the worst honest provider, for budget tests: every one of `n`
 * choices runs to `max_tokens`, and each UTF-8 byte of the prompt is a token (no BPE tokenizer counts more).
 * Directives in the last message: `[[bill:completion_tokens=5000]]` ignores max_tokens (a misbehaving
 * provider), `[[bill:status=503]]` fails, `[[bill:delay_ms=200]]` answers late, `[[bill:content=…]]` sets the text,
 * `only=<upstream model>` limits status and delay to one model.
 * Embeddings bill one token per UTF-8 byte plus one per input.
 */
export interface BillingUpstream {
  baseUrl: string;
  /** Chat requests received, by upstream model name. */
  calls: Array<{ model: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

const DIRECTIVE = /\[\[bill:([^\]]*)\]\]/g;

function directives(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of text.matchAll(DIRECTIVE)) {
    for (const pair of match[1].split(',')) {
      const [name, ...rest] = pair.split('=');
      found.set(name.trim(), rest.join('='));
    }
  }
  return found;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

export async function startBillingUpstream(): Promise<BillingUpstream> {
  const calls: BillingUpstream['calls'] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readJson(request);
      const send = (status: number, json: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(json));
      };
      if (request.url?.endsWith('/embeddings')) {
        const inputs = Array.isArray(body.input) ? (body.input as unknown[]) : [body.input];
        const tokens = inputs.reduce<number>((sum, input) => sum + 1 + Buffer.byteLength(String(input)), 0);
        const data = inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2] }));
        return send(200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
      }
      const messages = (body.messages ?? []) as Array<{ content?: unknown }>;
      const text = messages.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? ''))).join('');
      const given = directives(String(messages.at(-1)?.content ?? ''));
      calls.push({ model: String(body.model), body });
      // `only=<upstream model>` limits delay_ms and status to that model (one member of a chain).
      const applies = !given.has('only') || given.get('only') === String(body.model);
      const delay = applies ? Number(given.get('delay_ms') ?? 0) : 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const status = applies ? Number(given.get('status') ?? 200) : 200;
      if (status >= 400) return send(status, { error: { message: `billing upstream ${status}`, type: 'server_error', param: null, code: null } });
      const choices = Math.max(1, Number(body.n ?? 1));
      const perChoice = Number(given.get('completion_tokens') ?? body.max_completion_tokens ?? body.max_tokens ?? 16);
      const content = given.get('content') ?? 'billed answer';
      const promptTokens = Buffer.byteLength(text);
      send(200, {
        id: `chatcmpl-bill-${calls.length}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: body.model,
        choices: Array.from({ length: choices }, (_, index) => ({ index, message: { role: 'assistant', content }, finish_reason: 'length', logprobs: null })),
        usage: { prompt_tokens: promptTokens, completion_tokens: choices * perChoice, total_tokens: promptTokens + choices * perChoice },
      });
    })().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error), type: 'server_error' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
