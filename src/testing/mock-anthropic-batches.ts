import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Anthropic's Message Batches API in its real wire shapes: `POST /v1/messages/batches`,
 * `GET /v1/messages/batches/{id}`, `GET …/{id}/results` (JSONL, one `{custom_id, result}` per request) and
 * `POST …/{id}/cancel`. A batch is `in_progress` for `pollsToEnd - 1` retrieves, then `ended` with each request
 * `succeeded` (a Message with usage derived from its text), or `errored` when its last message holds
 * `[[mock:error=invalid_request_error]]`; `[[mock:cache_read=N]]` reports N prompt tokens read from the cache.
 * A cancelled batch ends with its requests `canceled`; `expire(id)` ends one with them `expired`.
 * Requests must carry `x-api-key` and `anthropic-version`.
 */
export interface MockAnthropicBatches {
  /** The origin, as an anthropic provider's base_url. */
  url: string;
  /** Requests received, by custom_id → params (for translation checks). */
  received: Map<string, Record<string, unknown>>;
  expire(id: string): void;
  close(): Promise<void>;
}

interface MockMessageBatch {
  id: string;
  polls: number;
  status: 'in_progress' | 'canceling' | 'ended';
  created: string;
  cancelInitiated: string | null;
  ended: string | null;
  requests: Array<{ custom_id: string; params: Record<string, unknown> }>;
  results: Array<{ custom_id: string; result: unknown }> | null;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function lastText(params: Record<string, unknown>): string {
  const messages = params.messages as Array<{ content?: unknown }> | undefined;
  const content = messages?.[messages.length - 1]?.content;
  return typeof content === 'string' ? content : JSON.stringify(content ?? '');
}

/** Input tokens the mock bills for a request (uncached part excluded below): a fixed function of its text. */
export function mockAnthropicInputTokens(params: Record<string, unknown>): number {
  return Math.max(1, Math.ceil(JSON.stringify(params.messages ?? '').length / 4));
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${hex(12)}` });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8'));
}

export async function startMockAnthropicBatches({ apiKey = 'sk-ant-mock-batches-0123456789', pollsToEnd = 2 }: { apiKey?: string; pollsToEnd?: number } = {}): Promise<MockAnthropicBatches> {
  const batches = new Map<string, MockMessageBatch>();
  const received = new Map<string, Record<string, unknown>>();
  let origin = '';

  function counts(batch: MockMessageBatch) {
    const tally = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    if (batch.results === null) tally.processing = batch.requests.length;
    else for (const { result } of batch.results) tally[(result as { type: keyof typeof tally }).type] += 1;
    return tally;
  }

  function view(batch: MockMessageBatch) {
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: batch.status,
      request_counts: counts(batch),
      ended_at: batch.ended,
      created_at: batch.created,
      expires_at: new Date(Date.parse(batch.created) + 86_400_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: batch.cancelInitiated,
      results_url: batch.status === 'ended' ? `${origin}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  function end(batch: MockMessageBatch, how: 'run' | 'canceled' | 'expired') {
    batch.results = batch.requests.map(({ custom_id, params }) => {
      if (how !== 'run') return { custom_id, result: { type: how } };
      const text = lastText(params);
      const errorType = /\[\[mock:error=([a-z_]+)\]\]/.exec(text)?.[1];
      if (errorType) return { custom_id, result: { type: 'errored', error: { type: 'error', error: { type: errorType, message: 'The mock was told to fail this request.' } } } };
      const total = mockAnthropicInputTokens(params);
      const cacheRead = Math.min(total, Number(/\[\[mock:cache_read=(\d+)\]\]/.exec(text)?.[1] ?? 0));
      return {
        custom_id,
        result: {
          type: 'succeeded',
          message: {
            id: `msg_${hex(12)}`,
            type: 'message',
            role: 'assistant',
            model: params.model,
            content: [{ type: 'text', text: 'Batched answer from Claude.' }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: total - cacheRead, cache_creation_input_tokens: 0, cache_read_input_tokens: cacheRead, output_tokens: 9, service_tier: 'batch' },
          },
        },
      };
    });
    batch.status = 'ended';
    batch.ended = new Date().toISOString();
  }

  const server = createServer(async (req, res) => {
    try {
      if (req.headers['x-api-key'] !== apiKey || typeof req.headers['anthropic-version'] !== 'string') {
        send(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
        return;
      }
      const path = new URL(req.url ?? '/', 'http://mock').pathname;
      if (req.method === 'POST' && path === '/v1/messages/batches') {
        const body = (await readJson(req)) as { requests: Array<{ custom_id: string; params: Record<string, unknown> }> };
        for (const request of body.requests) {
          if (!/^[a-zA-Z0-9_-]{1,64}$/.test(request.custom_id)) return send(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: `requests.custom_id: invalid '${request.custom_id}'` } });
          if (typeof request.params.max_tokens !== 'number') return send(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'requests.params.max_tokens: Field required' } });
          received.set(request.custom_id, request.params);
        }
        const batch: MockMessageBatch = { id: `msgbatch_${hex(12)}`, polls: 0, status: 'in_progress', created: new Date().toISOString(), cancelInitiated: null, ended: null, requests: body.requests, results: null };
        batches.set(batch.id, batch);
        send(res, 200, view(batch));
        return;
      }
      const match = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
      const batch = match ? batches.get(match[1]) : undefined;
      if (!match || !batch) return send(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
      if (match[2] === '/cancel' && req.method === 'POST') {
        if (batch.status === 'in_progress') {
          batch.status = 'canceling';
          batch.cancelInitiated = new Date().toISOString();
        }
        return send(res, 200, view(batch));
      }
      if (match[2] === '/results') {
        if (batch.results === null) return send(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'Batch is still processing' } });
        res.writeHead(200, { 'content-type': 'application/x-jsonl' });
        res.end(batch.results.map((line) => `${JSON.stringify(line)}\n`).join(''));
        return;
      }
      batch.polls += 1;
      if (batch.status === 'canceling') end(batch, 'canceled');
      else if (batch.status === 'in_progress' && batch.polls >= pollsToEnd) end(batch, 'run');
      send(res, 200, view(batch));
    } catch (error) {
      send(res, 500, { type: 'error', error: { type: 'api_error', message: String(error) } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    received,
    expire(id) {
      const batch = batches.get(id);
      if (batch && batch.status !== 'ended') end(batch, 'expired');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
