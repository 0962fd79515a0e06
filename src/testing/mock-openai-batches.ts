import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for OpenAI's Files + Batches API, byte for byte in the shapes the official client reads:
 * `POST /v1/files` (multipart), `GET /v1/files/{id}/content`, `POST /v1/batches`, `GET /v1/batches/{id}`,
 * `POST /v1/batches/{id}/cancel`. A batch moves validating → in_progress → finalizing → completed, one step per
 * retrieve (`pollsToComplete` retrieves in all), then has an output file and, when a line failed, an error file in
 * OpenAI's line format. Each line is answered as a chat completion (or an embeddings response) with usage derived
 * from its text; directives in the last message: `[[mock:status=400]]` (that line fails with an OpenAI error body),
 * `[[mock:cached_tokens=N]]`. `expire(id)` ends a batch as expired (its lines in the error file as batch_expired);
 * a cancelled batch answers only the lines it had run (none, here). Requests must carry `Bearer <apiKey>`.
 */
export interface MockOpenAIBatches {
  /** …/v1, as a provider's base_url. */
  baseUrl: string;
  /** Every line sent upstream, across batches, by its custom_id (the count of times it was sent). */
  linesSent: Map<string, number>;
  batches: Map<string, MockBatch>;
  expire(id: string): void;
  close(): Promise<void>;
}

interface MockBatch {
  id: string;
  status: string;
  endpoint: string;
  input_file_id: string;
  created_at: number;
  polls: number;
  lines: Array<{ custom_id: string; body: Record<string, unknown> }>;
  output_file_id: string | null;
  error_file_id: string | null;
  metadata: Record<string, string> | null;
  times: Record<string, number | null>;
  counts: { total: number; completed: number; failed: number };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const seconds = () => Math.floor(Date.now() / 1000);

function lastText(body: Record<string, unknown>): string {
  const messages = body.messages as Array<{ content?: unknown }> | undefined;
  if (messages) {
    const content = messages[messages.length - 1]?.content;
    return typeof content === 'string' ? content : JSON.stringify(content ?? '');
  }
  return JSON.stringify(body.input ?? '');
}

function directive(text: string, name: string): string | undefined {
  const match = new RegExp(`\\[\\[mock:[^\\]]*\\b${name}=([^,\\]]+)`).exec(text);
  return match?.[1];
}

/** Prompt tokens the mock bills for a line: a fixed function of its text, so tests can price lines exactly. */
export function mockPromptTokens(body: Record<string, unknown>): number {
  return Math.max(1, Math.ceil(JSON.stringify(body.messages ?? body.input ?? '').length / 4));
}

function answer(endpoint: string, body: Record<string, unknown>): { status: number; body: unknown } {
  const text = lastText(body);
  const status = Number(directive(text, 'status') ?? 200);
  if (status >= 400) return { status, body: { error: { message: 'The mock was told to fail this line.', type: 'invalid_request_error', param: null, code: null } } };
  const promptTokens = mockPromptTokens(body);
  if (endpoint === '/v1/embeddings') {
    return { status, body: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], model: body.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } } };
  }
  const cached = Math.min(promptTokens, Number(directive(text, 'cached_tokens') ?? 0));
  const completionTokens = 7;
  return {
    status,
    body: {
      id: `chatcmpl-${hex(12)}`,
      object: 'chat.completion',
      created: seconds(),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Batched answer.', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_mockbatch01',
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${hex(16)}` });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

export async function startMockOpenAIBatches({ apiKey = 'sk-mock-batches-0123456789', pollsToComplete = 3 }: { apiKey?: string; pollsToComplete?: number } = {}): Promise<MockOpenAIBatches> {
  const files = new Map<string, { bytes: Buffer; filename: string; purpose: string }>();
  const batches = new Map<string, MockBatch>();
  const linesSent = new Map<string, number>();

  function fileObject(id: string) {
    const file = files.get(id)!;
    return { object: 'file', id, purpose: file.purpose, filename: file.filename, bytes: file.bytes.length, created_at: seconds(), expires_at: null, status: 'processed', status_details: null };
  }

  function batchObject(batch: MockBatch) {
    return {
      id: batch.id,
      object: 'batch',
      endpoint: batch.endpoint,
      model: null,
      errors: null,
      input_file_id: batch.input_file_id,
      completion_window: '24h',
      status: batch.status,
      output_file_id: batch.output_file_id,
      error_file_id: batch.error_file_id,
      created_at: batch.created_at,
      in_progress_at: batch.times.in_progress_at ?? null,
      expires_at: batch.created_at + 86_400,
      finalizing_at: batch.times.finalizing_at ?? null,
      completed_at: batch.times.completed_at ?? null,
      failed_at: null,
      expired_at: batch.times.expired_at ?? null,
      cancelling_at: batch.times.cancelling_at ?? null,
      cancelled_at: batch.times.cancelled_at ?? null,
      request_counts: batch.counts,
      usage: null,
      metadata: batch.metadata,
    };
  }

  function writeFile(lines: string[], purpose: string): string | null {
    if (lines.length === 0) return null;
    const id = `file-${hex(12)}`;
    files.set(id, { bytes: Buffer.from(lines.join('')), filename: 'batch_output.jsonl', purpose });
    return id;
  }

  function finish(batch: MockBatch, how: 'completed' | 'expired' | 'cancelled') {
    const output: string[] = [];
    const errors: string[] = [];
    for (const line of batch.lines) {
      const id = `batch_req_${hex(16)}`;
      if (how === 'completed') {
        const result = answer(batch.endpoint, line.body);
        const text = `${JSON.stringify({ id, custom_id: line.custom_id, response: { status_code: result.status, request_id: hex(16), body: result.body }, error: null })}\n`;
        (result.status < 300 ? output : errors).push(text);
      } else if (how === 'expired') {
        errors.push(`${JSON.stringify({ id, custom_id: line.custom_id, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } })}\n`);
      }
    }
    batch.output_file_id = writeFile(output, 'batch_output');
    batch.error_file_id = writeFile(errors, 'batch_output');
    batch.counts = { total: batch.lines.length, completed: output.length, failed: errors.length };
    batch.status = how;
    batch.times[`${how}_at`] = seconds();
  }

  const server = createServer(async (req, res) => {
    try {
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        send(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
        return;
      }
      const url = new URL(req.url ?? '/', 'http://mock');
      const path = url.pathname;
      if (req.method === 'POST' && path === '/v1/files') {
        const request = new Request('http://mock/v1/files', { method: 'POST', headers: req.headers as Record<string, string>, body: await readBody(req) });
        const form = await request.formData();
        const file = form.get('file') as File;
        const id = `file-${hex(12)}`;
        files.set(id, { bytes: Buffer.from(await file.arrayBuffer()), filename: file.name, purpose: String(form.get('purpose')) });
        send(res, 200, fileObject(id));
        return;
      }
      const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
      if (req.method === 'GET' && content) {
        const file = files.get(content[1]);
        if (!file) return send(res, 404, { error: { message: `No such File object: ${content[1]}`, type: 'invalid_request_error', param: 'id', code: null } });
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(file.bytes);
        return;
      }
      if (req.method === 'POST' && path === '/v1/batches') {
        const body = JSON.parse((await readBody(req)).toString()) as { input_file_id: string; endpoint: string; metadata?: Record<string, string> };
        const input = files.get(body.input_file_id);
        if (!input) return send(res, 404, { error: { message: `No such File object: ${body.input_file_id}`, type: 'invalid_request_error', param: 'input_file_id', code: null } });
        const lines = input.bytes.toString('utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { custom_id: string; body: Record<string, unknown> });
        for (const line of lines) linesSent.set(lastText(line.body), (linesSent.get(lastText(line.body)) ?? 0) + 1);
        const batch: MockBatch = { id: `batch_${hex(12)}`, status: 'validating', endpoint: body.endpoint, input_file_id: body.input_file_id, created_at: seconds(), polls: 0, lines, output_file_id: null, error_file_id: null, metadata: body.metadata ?? null, times: {}, counts: { total: 0, completed: 0, failed: 0 } };
        batches.set(batch.id, batch);
        send(res, 200, batchObject(batch));
        return;
      }
      if (req.method === 'GET' && path === '/v1/batches') {
        // Newest first, paged by `after` (the last id of the previous page), as OpenAI lists them.
        const all = [...batches.values()].reverse();
        const after = url.searchParams.get('after');
        const from = after === null ? 0 : all.findIndex((found) => found.id === after) + 1;
        const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 20)));
        const data = all.slice(from, from + limit).map(batchObject);
        send(res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: from + limit < all.length });
        return;
      }
      const one = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
      const batch = one ? batches.get(one[1]) : undefined;
      if (one && !batch) return send(res, 404, { error: { message: `No batch found with id '${one[1]}'.`, type: 'invalid_request_error', param: null, code: null } });
      if (batch && req.method === 'POST' && one![2]) {
        if (['validating', 'in_progress', 'finalizing'].includes(batch.status)) {
          batch.status = 'cancelling';
          batch.times.cancelling_at = seconds();
        }
        send(res, 200, batchObject(batch));
        return;
      }
      if (batch && req.method === 'GET') {
        batch.polls += 1;
        if (batch.status === 'cancelling') finish(batch, 'cancelled');
        else if (batch.status === 'validating') {
          batch.status = 'in_progress';
          batch.times.in_progress_at = seconds();
          batch.counts.total = batch.lines.length;
        } else if (batch.status === 'in_progress' && batch.polls >= pollsToComplete - 1) {
          batch.status = 'finalizing';
          batch.times.finalizing_at = seconds();
        } else if (batch.status === 'finalizing') finish(batch, 'completed');
        send(res, 200, batchObject(batch));
        return;
      }
      send(res, 404, { error: { message: `Unknown path ${path}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    } catch (error) {
      send(res, 500, { error: { message: String(error), type: 'server_error', param: null, code: null } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    linesSent,
    batches,
    expire(id) {
      const batch = batches.get(id);
      if (batch) finish(batch, 'expired');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
