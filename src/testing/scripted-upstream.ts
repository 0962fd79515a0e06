import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test support: an OpenAI-compatible upstream that answers nothing by itself. Each chat request waits as a
 * `ScriptedCall` until the test says what to send and when, so hedges, timeouts and limits can be put in an exact
 * order without timers. Usage is whatever the test states, so ledger totals can be compared to the nano-dollar.
 */
export interface ScriptedCall {
  /** The upstream model id asked for. */
  model: string;
  body: Record<string, unknown>;
  stream: boolean;
  /** Resolves when the connection closed, whoever closed it (a gateway cancelling a call, or the end of an answer). */
  closed: Promise<void>;
  /** Non-streamed: a whole answer with this usage. */
  reply(content: string, usage: { prompt: number; completion: number }): void;
  /** An OpenAI-shaped error. */
  fail(status: number, headers?: Record<string, string>): void;
  /** Streamed: the 200 and SSE headers, nothing else yet. */
  open(): void;
  /** Streamed: one content delta. */
  chunk(content: string): void;
  /** Streamed: the finish chunk, the usage chunk and `[DONE]`. */
  end(usage: { prompt: number; completion: number }): void;
}

export interface ScriptedUpstream {
  /** …/v1, for a provider's base_url. */
  baseUrl: string;
  calls: ScriptedCall[];
  /** The next call for `model` not yet taken by `next` (waits for it to arrive). */
  next(model: string): Promise<ScriptedCall>;
  close(): Promise<void>;
}

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const calls: ScriptedCall[] = [];
  const taken = new Set<ScriptedCall>();
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    void readJson(request).then((body) => {
      calls.push(scriptedCall(body, response));
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    async next(model) {
      for (;;) {
        const call = calls.find((candidate) => candidate.model === model && !taken.has(candidate));
        if (call) {
          taken.add(call);
          return call;
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

function scriptedCall(body: Record<string, unknown>, response: ServerResponse): ScriptedCall {
  const model = String(body.model);
  const id = `chatcmpl-scripted-${Math.random().toString(36).slice(2)}`;
  const usageOf = (usage: { prompt: number; completion: number }) => ({ prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion });
  const event = (payload: unknown) => response.write(`data: ${JSON.stringify(payload)}\n\n`);
  const chunkOf = (delta: Record<string, unknown>, finish: string | null) => ({ id, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  return {
    model,
    body,
    stream: body.stream === true,
    closed: new Promise<void>((resolve) => response.on('close', () => resolve())),
    reply(content, usage) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id, object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: usageOf(usage) }));
    },
    fail(status, headers = {}) {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify({ error: { message: `scripted ${status}`, type: status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error', code: null, param: null } }));
    },
    open() {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.flushHeaders();
    },
    chunk(content) {
      event(chunkOf({ content }, null));
    },
    end(usage) {
      event(chunkOf({}, 'stop'));
      event({ id, object: 'chat.completion.chunk', created: 1, model, choices: [], usage: usageOf(usage) });
      response.end('data: [DONE]\n\n');
    },
  };
}
