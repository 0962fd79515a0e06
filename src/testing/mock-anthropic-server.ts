import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatSseData } from '../wire/sse/write-sse.js';

/**
 * A local stand-in for Anthropic's Messages API (POST /v1/messages and /v1/messages/count_tokens,
 * anthropic-version 2023-06-01) that speaks
 * the real wire format byte for byte: JSON responses and SSE streams with Anthropic's event order and field order
 * (message_start with cache usage, content_block_start, ping, content_block_delta…, content_block_stop,
 * message_delta with stop_reason and cumulative usage, message_stop), tool_use, thinking, Anthropic error bodies
 * with Retry-After, and `error` events mid-stream. It checks what the real API checks and a converter can get wrong
 * (x-api-key or bearer key, anthropic-version, max_tokens, unknown fields, roles, tool_use/tool_result pairing),
 * answering 400s with Anthropic's error shape. It answers every anthropic-version in the 2023-06-01 format.
 *
 * Choosing a scenario, per request so parallel tests never share state:
 *   - `[[mock:NAME]]` in the text of the last user message, or header `x-mock-scenario: NAME`, picks a scenario
 *     registered with `setScenario(NAME, {...})`;
 *   - `[[mock:{"error":{"status":529}}]]` (a JSON MockAnthropicScenario in the marker) needs no registration.
 * Without a scenario it answers "Hello from the mock."; when tools are given (and tool_choice is not none) and the
 * last user turn holds no tool_result, it calls the first (or the chosen) tool with {"location":"Paris","unit":"celsius"};
 * after a tool result it answers "The tool said: <result>". One output token per word.
 */

export interface MockAnthropicScenario {
  text?: string;
  /** A tool_use block after the text; false: never call a tool. */
  toolUse?: { name?: string; input: Record<string, unknown> } | false;
  /** A thinking block first. */
  thinking?: string;
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn';
  usage?: { input_tokens?: number; output_tokens?: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number };
  /** Answer with an HTTP error; with `times`, only the first N requests of this scenario fail. */
  error?: { status: number; type?: string; message?: string; retryAfter?: string; shouldRetry?: boolean; times?: number };
  /** Streams only: send an `error` event after this many events (default 4: the first text delta has gone out). */
  streamError?: { type: string; message: string; afterEvents?: number };
  /** Streams only: pause between events, so a test can abort mid-stream. */
  eventGapMs?: number;
  /** Never answer. */
  hang?: boolean;
  /** The model id reported back (default: the requested one). */
  model?: string;
}

export interface RecordedAnthropicRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
  /** Settles when the response ends: 'aborted' when the client went away first. */
  outcome: Promise<'completed' | 'aborted'>;
}

export interface MockAnthropicServer {
  url: string;
  port: number;
  requests: RecordedAnthropicRequest[];
  setScenario(name: string, scenario: MockAnthropicScenario): void;
  close(): Promise<void>;
}

export interface MockAnthropicOptions {
  /** When set, requests with another x-api-key get Anthropic's 401. */
  apiKey?: string;
  /** Keep every request in `requests` (default true; turn off for benchmarks). */
  record?: boolean;
}

type Json = Record<string, unknown>;
type Block = { type: 'text'; text: string } | { type: 'thinking'; thinking: string; signature: string } | { type: 'tool_use'; id: string; name: string; input: Json };

const MARKER = /\[\[mock:(.*?)\]\]/s;
const COUNT_PATH = '/v1/messages/count_tokens';
const COUNT_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers', 'context_management']);
const TOP_LEVEL = new Set(['model', 'messages', 'max_tokens', 'system', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k', 'tools', 'tool_choice', 'metadata', 'thinking', 'service_tier']);
const DEFAULT_MESSAGES: Record<string, string> = {
  overloaded_error: 'Overloaded',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit',
  api_error: 'Internal server error',
  authentication_error: 'invalid x-api-key',
};
const TYPE_OF_STATUS: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error' };

const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const blocksOf = (content: unknown): Json[] => (Array.isArray(content) ? content.filter(isJson) : typeof content === 'string' ? [{ type: 'text', text: content }] : []);
const textOf = (content: unknown) => blocksOf(content).map((block) => (block.type === 'text' ? String(block.text) : '')).join('');
const approximateTokens = (value: unknown) => (value === undefined ? 0 : Math.max(1, Math.ceil(JSON.stringify(value).length / 4)));
/** The mock's tokenizer: what a message reports as input_tokens and count_tokens answers for the same prompt. */
const inputTokensOf = (body: Json) => approximateTokens(body.system) + approximateTokens(body.messages) + approximateTokens(body.tools);

/** The first check the real API would fail, as its error message, or undefined. */
function invalidRequest(body: Json): string | undefined {
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return `${key}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string') return 'model: Field required';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return 'max_tokens: Input should be greater than or equal to 1';
  if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1)) return 'temperature: Input should be less than or equal to 1';
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  if (body.messages.length === 0) return 'messages: at least one message is required';
  const messages = body.messages as Json[];
  for (const [index, message] of messages.entries()) {
    if (message.role !== 'user' && message.role !== 'assistant') return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    const blocks = blocksOf(message.content);
    if (blocks.some((block) => block.type === 'text' && block.text === '')) return 'messages: text content blocks must be non-empty';
    const previousToolIds = new Set(blocksOf(messages[index - 1]?.content).filter((b) => b.type === 'tool_use').map((b) => b.id));
    for (const [blockIndex, block] of blocks.entries()) {
      if (block.type === 'tool_result' && !previousToolIds.has(block.tool_use_id)) {
        return `messages.${index}.content.${blockIndex}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
    if (index < messages.length - 1) {
      const answered = new Set(blocksOf(messages[index + 1].content).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id));
      const missing = blocks.filter((b) => b.type === 'tool_use' && !answered.has(b.id)).map((b) => String(b.id));
      if (missing.length > 0) {
        return `messages.${index + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
  }
  return undefined;
}

export async function startMockAnthropicServer(options: MockAnthropicOptions = {}): Promise<MockAnthropicServer> {
  const requests: RecordedAnthropicRequest[] = [];
  const scenarios = new Map<string, MockAnthropicScenario>();
  const errorsSent = new Map<string, number>();
  let counter = 0;

  function sendError(res: ServerResponse, status: number, type: string, message: string, extraHeaders: Record<string, string> = {}) {
    const requestId = `req_011Mock${String(++counter).padStart(15, '0')}`;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...extraHeaders });
    res.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId }));
  }

  function scenarioOf(req: IncomingMessage, body: Json): { key: string; scenario: MockAnthropicScenario } | string {
    const messages = (body.messages as Json[]).filter((message) => message.role === 'user');
    const header = req.headers['x-mock-scenario'];
    const marker = typeof header === 'string' ? header : MARKER.exec(textOf(messages[messages.length - 1]?.content))?.[1];
    if (marker === undefined) return { key: '', scenario: {} };
    if (marker.startsWith('{')) {
      try {
        return { key: marker, scenario: JSON.parse(marker) as MockAnthropicScenario };
      } catch {
        return `mock: the scenario marker is not valid JSON: ${marker}`;
      }
    }
    const scenario = scenarios.get(marker);
    return scenario ? { key: marker, scenario } : `mock: no scenario named '${marker}' (call setScenario first)`;
  }

  /** POST /v1/messages/count_tokens: the prompt only (no max_tokens or sampling fields), the same count a message reports. */
  function countTokens(res: ServerResponse, body: Json) {
    for (const key of Object.keys(body)) if (!COUNT_FIELDS.has(key)) return sendError(res, 400, 'invalid_request_error', `${key}: Extra inputs are not permitted`);
    const invalid = invalidRequest({ ...body, max_tokens: 1 });
    if (invalid !== undefined) return sendError(res, 400, 'invalid_request_error', invalid);
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_011Mock${String(++counter).padStart(15, '0')}` });
    res.end(JSON.stringify({ input_tokens: inputTokensOf(body) }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: RecordedAnthropicRequest) {
    const path = record.path;
    if (req.method !== 'POST' || (path !== '/v1/messages' && path !== COUNT_PATH)) return sendError(res, 404, 'not_found_error', 'Not found');
    // The API takes the key as x-api-key, or (what @anthropic-ai/sdk 1.x sends) as a bearer token.
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    const key = req.headers['x-api-key'] ?? bearer;
    if (typeof key !== 'string' || key === '') return sendError(res, 401, 'authentication_error', 'x-api-key header is required');
    if (options.apiKey !== undefined && key !== options.apiKey) return sendError(res, 401, 'authentication_error', 'invalid x-api-key');
    if (typeof req.headers['anthropic-version'] !== 'string') return sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    const body = record.body;
    if (body === undefined) return sendError(res, 400, 'invalid_request_error', 'There was an error parsing the body of your request: it is not valid JSON.');
    if (path === COUNT_PATH) return countTokens(res, body);
    const invalid = invalidRequest(body);
    if (invalid !== undefined) return sendError(res, 400, 'invalid_request_error', invalid);
    const chosen = scenarioOf(req, body);
    if (typeof chosen === 'string') return sendError(res, 400, 'invalid_request_error', chosen);
    const { scenario } = chosen;
    if (scenario.hang) return;

    const error = scenario.error;
    if (error && (error.times === undefined || (errorsSent.get(chosen.key) ?? 0) < error.times)) {
      errorsSent.set(chosen.key, (errorsSent.get(chosen.key) ?? 0) + 1);
      const type = error.type ?? TYPE_OF_STATUS[error.status] ?? 'api_error';
      const headers: Record<string, string> = {};
      if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
      if (error.shouldRetry !== undefined) headers['x-should-retry'] = String(error.shouldRetry);
      return sendError(res, error.status, type, error.message ?? DEFAULT_MESSAGES[type] ?? `Mock error ${error.status}`, headers);
    }

    const reply = buildReply(body, scenario, ++counter);
    const requestId = `req_011Mock${String(counter).padStart(15, '0')}`;
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
      res.end(JSON.stringify({ model: reply.model, id: reply.id, type: 'message', role: 'assistant', content: reply.blocks, stop_reason: reply.stopReason, stop_sequence: reply.stopSequence, usage: reply.usage(reply.outputTokens) }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId });
    const events = streamEvents(reply);
    if (scenario.streamError) {
      const { type, message, afterEvents = 4 } = scenario.streamError;
      events.splice(afterEvents, events.length, formatSseData(`{"type": "error", "error": {"type": ${JSON.stringify(type)}, "message": ${JSON.stringify(message)}}}`, 'error'));
    }
    const gap = scenario.eventGapMs ?? 0;
    if (gap === 0) return void res.end(events.join(''));
    for (const event of events) {
      if (res.destroyed) return;
      res.write(event);
      await new Promise((resolve) => setTimeout(resolve, gap));
    }
    res.end();
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Json | undefined;
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        body = isJson(parsed) ? parsed : undefined;
      } catch {
        body = undefined;
      }
      const outcome = new Promise<'completed' | 'aborted'>((resolve) => res.on('close', () => resolve(res.writableFinished ? 'completed' : 'aborted')));
      const record: RecordedAnthropicRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], headers: req.headers, body, outcome };
      if (options.record !== false) requests.push(record);
      handle(req, res, record).catch((error: unknown) => sendError(res, 500, 'api_error', `mock failure: ${String(error)}`));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setScenario: (name, scenario) => void scenarios.set(name, scenario),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Reply {
  id: string;
  model: string;
  blocks: Block[];
  stopReason: string;
  stopSequence: string | null;
  outputTokens: number;
  usage(outputTokens: number): Json;
}

function buildReply(body: Json, scenario: MockAnthropicScenario, counter: number): Reply {
  const messages = body.messages as Json[];
  const lastBlocks = blocksOf(messages[messages.length - 1]?.content);
  const toolResults = lastBlocks.filter((block) => block.type === 'tool_result');
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const toolChoice = isJson(body.tool_choice) ? body.tool_choice : undefined;
  const callsTool = tools.length > 0 && toolChoice?.type !== 'none' && toolResults.length === 0;
  const toolUse = scenario.toolUse === false ? undefined : (scenario.toolUse ?? (callsTool ? { input: { location: 'Paris', unit: 'celsius' } } : undefined));
  const toolName = toolUse?.name ?? (toolChoice?.type === 'tool' ? String(toolChoice.name) : String(tools[0]?.name ?? 'tool'));
  const fallbackText = toolResults.length > 0 ? `The tool said: ${toolResults.map((result) => (typeof result.content === 'string' ? result.content : textOf(result.content))).join(' ')}` : 'Hello from the mock.';
  let words = (scenario.text ?? (toolUse ? '' : fallbackText)).split(/(?= )/).filter((word) => word !== '');
  let stopReason = scenario.stopReason ?? (toolUse ? 'tool_use' : 'end_turn');
  let stopSequence: string | null = null;
  const stops = Array.isArray(body.stop_sequences) ? (body.stop_sequences as string[]) : [];
  const joined = words.join('');
  const hit = stops.map((stop) => ({ stop, at: joined.indexOf(stop) })).filter(({ at }) => at >= 0).sort((a, b) => a.at - b.at)[0];
  if (hit) {
    words = joined.slice(0, hit.at).split(/(?= )/).filter((word) => word !== '');
    stopReason = 'stop_sequence';
    stopSequence = hit.stop;
  }
  const maxTokens = body.max_tokens as number;
  const thinkingWords = scenario.thinking?.split(/(?= )/) ?? [];
  if (thinkingWords.length + words.length > maxTokens) {
    words = words.slice(0, Math.max(0, maxTokens - thinkingWords.length));
    stopReason = 'max_tokens';
  }
  const blocks: Block[] = [];
  if (scenario.thinking) blocks.push({ type: 'thinking', thinking: scenario.thinking, signature: `EqQBCgIYAhIMmock${counter}` });
  if (words.length > 0) blocks.push({ type: 'text', text: words.join('') });
  if (toolUse && stopReason !== 'max_tokens' && stopReason !== 'stop_sequence') {
    blocks.push({ type: 'tool_use', id: `toolu_01Mock${String(counter).padStart(14, '0')}`, name: toolName, input: toolUse.input });
  }
  const toolTokens = blocks.reduce((sum, block) => sum + (block.type === 'tool_use' ? approximateTokens(block.input) : 0), 0);
  const input = scenario.usage?.input_tokens ?? inputTokensOf(body);
  const cacheWrite = scenario.usage?.cache_creation_input_tokens ?? 0;
  const cacheRead = scenario.usage?.cache_read_input_tokens ?? 0;
  return {
    id: `msg_01Mock${String(counter).padStart(18, '0')}`,
    model: scenario.model ?? String(body.model),
    blocks,
    stopReason,
    stopSequence,
    outputTokens: scenario.usage?.output_tokens ?? thinkingWords.length + words.length + toolTokens,
    usage: (outputTokens) => ({
      input_tokens: input,
      cache_creation_input_tokens: cacheWrite,
      cache_read_input_tokens: cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 },
      output_tokens: outputTokens,
      service_tier: 'standard',
    }),
  };
}

/** The SSE events of a reply, each already formatted as `event: …\ndata: …\n\n`. */
function streamEvents(reply: Reply): string[] {
  const event = (type: string, data: Json) => formatSseData(JSON.stringify({ type, ...data }), type);
  const ping = formatSseData('{"type": "ping"}', 'ping');
  const message = { model: reply.model, id: reply.id, type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null, usage: reply.usage(1) };
  const events = [event('message_start', { message })];
  if (reply.blocks.length === 0) events.push(ping);
  reply.blocks.forEach((block, index) => {
    const delta = (payload: Json) => events.push(event('content_block_delta', { index, delta: payload }));
    if (block.type === 'text') {
      events.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      if (index === 0) events.push(ping);
      for (const word of block.text.split(/(?= )/)) delta({ type: 'text_delta', text: word });
    } else if (block.type === 'thinking') {
      events.push(event('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      if (index === 0) events.push(ping);
      for (const word of block.thinking.split(/(?= )/)) delta({ type: 'thinking_delta', thinking: word });
      delta({ type: 'signature_delta', signature: block.signature });
    } else {
      events.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }));
      if (index === 0) events.push(ping);
      // Anthropic opens every tool input with an empty partial_json, and sends nothing more for a call without arguments.
      delta({ type: 'input_json_delta', partial_json: '' });
      const json = Object.keys(block.input).length === 0 ? '' : JSON.stringify(block.input);
      const half = Math.ceil(json.length / 2);
      for (const part of [json.slice(0, half), json.slice(half)]) if (part !== '') delta({ type: 'input_json_delta', partial_json: part });
    }
    events.push(event('content_block_stop', { index }));
  });
  const usage = reply.usage(reply.outputTokens);
  events.push(
    event('message_delta', {
      delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence },
      usage: { input_tokens: usage.input_tokens, cache_creation_input_tokens: usage.cache_creation_input_tokens, cache_read_input_tokens: usage.cache_read_input_tokens, output_tokens: usage.output_tokens },
    }),
  );
  events.push(event('message_stop', {}));
  return events;
}
