import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible upstream that speaks the real wire format byte for byte:
 * chat completions (JSON and SSE with `data: [DONE]`), embeddings (float and base64), models, and
 * OpenAI-shaped errors with Retry-After.
 *
 * Each request picks its behaviour with a directive in the last message's text, so parallel tests never
 * share state. `[[mock:…]]` applies to every mock; `[[mock(NAME):…]]` only to the mock started with that
 * `name` (so a test can fail one upstream of a fallback chain and not the other). Directives:  `[[mock:status=429,retry_after=2]]`, `[[mock:hang]]`, `[[mock:first_token_ms=300]]`,
 * `[[mock:delay_ms=200]]`, `[[mock:reset_mid_stream]]`, `[[mock:malformed_json]]`, `[[mock:truncated_sse]]`,
 * `[[mock:cached_tokens=100]]`, `[[mock:no_usage]]`, `[[mock:words=50]]`, `[[mock:finish=length]]`,
 * `[[mock:content=some text]]`. Without a directive it answers "Hello from the mock." with usage.
 * Misbehaviours: `[[mock:stall_after=2]]` (a stream sends two events, then nothing, never ending),
 * `[[mock:stream_error=Key gsk_… was revoked]]` (an `error` event after the first delta),
 * `[[mock:huge_mb=300]]` (a 300 MB answer, written a megabyte at a time; also in an embeddings input),
 * `[[mock:echo_key]]` (with `status`: the error message and an `x-upstream-debug` header quote the key sent).
 * GET /v1/models (the gateway's health probe) is answered but not recorded in `requests`.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
}

export interface MockOpenAIServer {
  url: string;
  /** Base URL as a provider's `base_url` (…/v1). */
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  /** Responses the mock sent, by request id header, for exact ledger comparisons. */
  usageSent: Map<string, { prompt_tokens: number; completion_tokens: number; cached_tokens: number }>;
  close(): Promise<void>;
}

export interface MockOpenAIOptions {
  /** Keep a copy of every request (off for benchmarks). */
  record?: boolean;
  /** Fixed latency before every response, ms. */
  latencyMs?: number;
  /** Upstream model id reported back (default: the requested one). */
  reportedModel?: string;
  /** Name that `[[mock(NAME):…]]` directives address. */
  name?: string;
}

type Directives = Map<string, string>;

const DIRECTIVE = /\[\[mock(?:\(([\w-]+)\))?:([^\]]*)\]\]/g;
const CREATED = 1_763_856_000;
const FINGERPRINT = 'fp_mock0000001';

function directivesOf(body: Record<string, unknown> | undefined, name: string | undefined): Directives {
  const result: Directives = new Map();
  const messages = body?.messages as Array<{ content?: unknown }> | undefined;
  const input = Array.isArray(body?.input) ? (body.input as unknown[])[0] : body?.input;
  const last = messages ? messages[messages.length - 1]?.content : input;
  const text = typeof last === 'string' ? last : Array.isArray(last) ? last.map((part) => (part as { text?: string }).text ?? '').join('') : '';
  for (const match of text.matchAll(DIRECTIVE)) {
    if (match[1] !== undefined && match[1] !== name) continue;
    for (const item of match[2].split(',')) {
      const equals = item.indexOf('=');
      if (equals === -1) result.set(item.trim(), 'true');
      else result.set(item.slice(0, equals).trim(), item.slice(equals + 1).trim());
    }
  }
  return result;
}

function approximateTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? '').length / 4));
}

function sendError(res: ServerResponse, status: number, directives: Directives, presentedKey = '') {
  const type = directives.get('error_type') ?? (status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error');
  const echo = directives.has('echo_key');
  const code = directives.get('error_code') ?? (echo ? `bad_key_${presentedKey}` : status === 429 ? 'rate_limit_exceeded' : null);
  const message = echo ? `Incorrect API key provided: ${presentedKey}. ${directives.get('message') ?? ''}` : (directives.get('message') ?? (status === 429 ? 'Rate limit reached for requests' : `Mock upstream error ${status}`));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': `req_mock_${status}` };
  if (echo) headers['x-upstream-debug'] = `key=${presentedKey}`;
  const retryAfter = directives.get('retry_after');
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  res.writeHead(status, headers);
  res.end(JSON.stringify({ error: { message, type, param: echo ? presentedKey : null, code } }));
}

/** Writes `megabytes` of a valid JSON answer a megabyte at a time, so the mock itself never holds it. */
async function sendHuge(res: ServerResponse, megabytes: number, kind: 'chat' | 'embeddings') {
  res.writeHead(200, { 'content-type': 'application/json' });
  const filler = 'x'.repeat(1024 * 1024);
  const vector = `{"object":"embedding","index":0,"embedding":[${Array.from({ length: 80_000 }, () => '0.0123456789').join(',')}]},`;
  const write = (text: string) => (res.write(text) ? Promise.resolve() : new Promise<void>((resolve) => res.once('drain', () => resolve())));
  if (kind === 'chat') {
    await write('{"id":"chatcmpl-huge","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"');
    for (let i = 0; i < megabytes && !res.destroyed; i += 1) await write(filler);
    res.end('"}}]}');
    return;
  }
  await write('{"object":"list","model":"m","data":[');
  for (let i = 0; i < megabytes && !res.destroyed; i += 1) await write(vector);
  res.end('{"object":"embedding","index":1,"embedding":[0]}],"usage":{"prompt_tokens":1,"total_tokens":1}}');
}

export async function startMockOpenAIServer(options: MockOpenAIOptions = {}): Promise<MockOpenAIServer> {
  const requests: RecordedRequest[] = [];
  const usageSent = new Map<string, { prompt_tokens: number; completion_tokens: number; cached_tokens: number }>();
  let counter = 0;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    try {
      body = raw === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      sendError(res, 400, new Map([['message', 'We could not parse the JSON body of your request.']]));
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    // Health probes come every 15 s; recording them would make a test's count of upstream calls depend on timing.
    const probe = req.method === 'GET' && path === '/v1/models';
    if (options.record !== false && !probe) requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));

    if (req.method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: CREATED, owned_by: 'system' }] }));
      return;
    }
    const presentedKey = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (req.method === 'POST' && path === '/v1/embeddings') {
      const embeddingDirectives = directivesOf(body, options.name);
      if (embeddingDirectives.has('huge_mb')) return sendHuge(res, Number(embeddingDirectives.get('huge_mb')), 'embeddings');
      return embeddings(res, body ?? {});
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendError(res, 404, new Map([['message', `Invalid URL (${req.method} ${path})`], ['error_type', 'invalid_request_error']]));
      return;
    }

    const directives = directivesOf(body, options.name);
    if (directives.has('hang')) return; // never answers; the caller's timeout or abort must end it
    const delay = Number(directives.get('delay_ms') ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const status = Number(directives.get('status') ?? 200);
    if (status >= 400) return sendError(res, status, directives, presentedKey);
    if (directives.has('huge_mb') && body?.stream !== true) return sendHuge(res, Number(directives.get('huge_mb')), 'chat');

    counter += 1;
    const id = `chatcmpl-mock${String(counter).padStart(8, '0')}`;
    const model = options.reportedModel ?? String(body?.model ?? 'unknown');
    const messages = (body?.messages ?? []) as Array<{ role: string; content?: unknown }>;
    const tools = body?.tools as Array<{ function: { name: string } }> | undefined;
    const toolChoice = body?.tool_choice as string | { function: { name: string } } | undefined;
    const lastRole = messages[messages.length - 1]?.role;
    const callTool = tools && tools.length > 0 && toolChoice !== 'none' && lastRole === 'user';
    const toolName = typeof toolChoice === 'object' ? toolChoice.function.name : tools?.[0]?.function.name;
    const toolCall = callTool ? { id: `call_mock${counter}`, type: 'function', function: { name: toolName ?? 'unknown', arguments: '{"location":"Paris","unit":"celsius"}' } } : undefined;
    const words = Number(directives.get('words') ?? 0);
    const content = toolCall
      ? null
      : (directives.get('content') ??
        (lastRole === 'tool' ? `The tool said: ${String(messages[messages.length - 1]?.content)}` : words > 0 ? Array.from({ length: words }, (_, i) => `word${i}`).join(' ') : 'Hello from the mock.'));
    const finish = directives.get('finish') ?? (toolCall ? 'tool_calls' : 'stop');
    const promptTokens = approximateTokens(messages) + (tools ? approximateTokens(tools) : 0);
    const completionTokens = toolCall ? approximateTokens(toolCall.function.arguments) : approximateTokens(content);
    const cached = Math.min(promptTokens, Number(directives.get('cached_tokens') ?? 0));
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const noUsage = directives.has('no_usage');
    if (!noUsage) usageSent.set(id, { prompt_tokens: promptTokens, completion_tokens: completionTokens, cached_tokens: cached });
    const headers = { 'x-request-id': `req_${id}`, 'openai-processing-ms': '1' };

    if (body?.stream !== true) {
      if (directives.has('malformed_json')) {
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.end('{"id":"chatcmpl-broken","choices":[{"index":0,');
        return;
      }
      const message: Record<string, unknown> = { role: 'assistant', content, refusal: null, annotations: [] };
      if (toolCall) message.tool_calls = [toolCall];
      const response = {
        id,
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: [{ index: 0, message, logprobs: body?.logprobs ? { content: [], refusal: null } : null, finish_reason: finish }],
        ...(noUsage ? {} : { usage }),
        service_tier: 'default',
        system_fingerprint: FINGERPRINT,
      };
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(response));
      return;
    }

    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true && !noUsage;
    const chunk = (delta: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, service_tier: 'default', system_fingerprint: FINGERPRINT, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    res.flushHeaders();
    const firstTokenMs = Number(directives.get('first_token_ms') ?? 0);
    if (firstTokenMs > 0) await new Promise((resolve) => setTimeout(resolve, firstTokenMs));
    const parts: string[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
    if (toolCall) {
      parts.push(chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }, null));
      const args = toolCall.function.arguments;
      const half = Math.floor(args.length / 2);
      parts.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, half) } }] }, null));
      parts.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }, null));
    } else {
      const pieces = String(content).split(/(?= )/);
      for (const piece of pieces) parts.push(chunk({ content: piece }, null));
    }
    if (directives.has('malformed_json')) parts.splice(2, 0, 'data: {"id":"broken",\n\n');
    const streamError = directives.get('stream_error');
    if (streamError !== undefined) {
      res.end(parts.slice(0, 2).join('') + `data: ${JSON.stringify({ error: { message: streamError.replace('$KEY', presentedKey), type: 'server_error', code: `revoked_${presentedKey}` } })}\n\n`);
      return;
    }
    const stallAfter = directives.get('stall_after');
    if (stallAfter !== undefined) {
      res.write(parts.slice(0, Number(stallAfter)).join(''));
      return; // never ends: only the caller's deadline or abort can
    }
    if (directives.has('huge_mb')) {
      const piece = chunk({ content: 'x'.repeat(64 * 1024) }, null);
      for (let written = 0; written < Number(directives.get('huge_mb')) * 1024 * 1024 && !res.destroyed; written += piece.length) {
        if (!res.write(piece)) await new Promise<void>((resolve) => res.once('drain', () => resolve()));
      }
      res.end();
      return;
    }
    if (directives.has('reset_mid_stream')) {
      res.write(parts[0] + (parts[1] ?? ''));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (directives.has('truncated_sse')) {
      res.end(parts.slice(0, Math.max(2, parts.length - 1)).join(''));
      return;
    }
    parts.push(chunk({}, finish));
    if (includeUsage) {
      parts.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, service_tier: 'default', system_fingerprint: FINGERPRINT, choices: [], usage })}\n\n`);
    }
    parts.push('data: [DONE]\n\n');
    const gap = Number(directives.get('chunk_gap_ms') ?? 0);
    if (gap > 0) {
      for (const part of parts) {
        if (res.destroyed) return;
        res.write(part);
        await new Promise((resolve) => setTimeout(resolve, gap));
      }
      res.end();
    } else {
      res.end(parts.join(''));
    }
  }

  function embeddings(res: ServerResponse, body: Record<string, unknown>) {
    const inputs = Array.isArray(body.input) ? (body.input as unknown[]) : [body.input];
    const dimensions = Number(body.dimensions ?? 8);
    let promptTokens = 0;
    const data = inputs.map((input, index) => {
      promptTokens += approximateTokens(input);
      const vector = Array.from({ length: dimensions }, (_, i) => Math.fround(((String(input).length + i) % 7) / 7 - 0.5));
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data, model: String(body.model), usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error), type: 'server_error', param: null, code: null } }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    port,
    requests,
    usageSent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
