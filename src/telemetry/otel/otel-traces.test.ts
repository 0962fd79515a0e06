import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../events.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { SPAN_KIND, STATUS_CODE, startOtlpTraceReceiver, type OtlpTraceReceiver, type ReceivedSpan } from '../../testing/otlp-trace-receiver.js';
import { startKeyedGateway, type KeyedGateway } from '../../testing/start-keyed-gateway.js';

// Secrets and prompt text that must never reach an exported span.
const UPSTREAM_KEY = 'sk-upstream-secret-7f3a9c21d4e8';
const PROMPT_CANARY = 'PROMPT-CANARY-b41c7e';

let receiver: OtlpTraceReceiver;
let cheap: MockOpenAIServer;
let strong: MockOpenAIServer;
let frugal: KeyedGateway;
let client: OpenAI;
let closed = false;

beforeAll(async () => {
  receiver = await startOtlpTraceReceiver();
  cheap = await startMockOpenAIServer({ name: 'cheap' });
  strong = await startMockOpenAIServer({ name: 'strong' });
  frugal = await startKeyedGateway(
    {
      providers: {
        'cheap-host': { kind: 'openai', base_url: cheap.baseUrl, api_key: UPSTREAM_KEY },
        'strong-host': { kind: 'openai', base_url: strong.baseUrl, api_key: UPSTREAM_KEY },
      },
      models: [
        { name: 'cheap', provider: 'cheap-host', upstream: 'cheap-2026-01', price: { input: 0.1, output: 0.2 } },
        { name: 'strong', provider: 'strong-host', price: { input: 1, output: 2 } },
        { name: 'embed-small', provider: 'cheap-host', type: 'embedding', price: { input: 0.02, output: 0 } },
      ],
      routes: { math: { strategy: 'cascade', tiers: ['cheap', 'strong'], checks: ['answer_stated'] } },
      // These tests fail upstreams on purpose; breakers are not what they test.
      resilience: { circuit_breaker: { consecutive_failures: 1000, min_requests: 1000 }, health_check_interval_ms: 0 },
      telemetry: { otlp: { endpoint: receiver.url } },
    },
    { OTEL_SERVICE_NAME: 'frugal-under-test', OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=t0k%3Dn', OTEL_BSP_SCHEDULE_DELAY: '20' },
  );
  client = new OpenAI({ apiKey: frugal.apiKey, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  if (!closed) await frugal?.close();
  await cheap?.close();
  await strong?.close();
  await receiver?.close();
});

/** A caller's own span: a fresh trace id, so each test finds exactly its spans. */
function callerSpan() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, headers: { traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'caller=7' } };
}

async function spansOf(traceId: string, count: number): Promise<{ server: ReceivedSpan; attempts: ReceivedSpan[] }> {
  const spans = await receiver.waitForSpans((span) => span.traceId === traceId, count);
  expect(spans).toHaveLength(count);
  const servers = spans.filter((span) => span.kind === SPAN_KIND.server);
  expect(servers).toHaveLength(1);
  return { server: servers[0], attempts: spans.filter((span) => span.kind === SPAN_KIND.client) };
}

function lastRow() {
  return frugal.rows[frugal.rows.length - 1];
}

describe('OpenTelemetry traces to an OTLP receiver', () => {
  it('records a chat call as a server span under the caller and one attempt span with the GenAI attributes', async () => {
    const caller = callerSpan();
    const completion = await client.chat.completions.create(
      { model: 'cheap', messages: [{ role: 'user', content: `Say hi. ${PROMPT_CANARY}` }], max_tokens: 50, temperature: 0.2 },
      { headers: caller.headers },
    );
    const { server, attempts } = await spansOf(caller.traceId, 2);
    const row = lastRow();
    expect(row.id).toBe(server.attributes['frugal.request_id']);

    expect(server.parentSpanId).toBe(caller.spanId);
    expect(server.name).toBe('chat cheap');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'cheap',
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.model': 'cheap',
      'gen_ai.provider.name': 'openai',
      'frugal.provider': 'cheap-host',
      'gen_ai.usage.input_tokens': completion.usage!.prompt_tokens,
      'gen_ai.usage.output_tokens': completion.usage!.completion_tokens,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'gen_ai.usage.cache_creation.input_tokens': 0,
      'gen_ai.response.finish_reasons': ['stop'],
      'frugal.route.trace': row.routeTrace,
      'frugal.cost_usd': row.costNanos / 1e9,
      'frugal.savings_usd': row.savedNanos / 1e9,
      'frugal.key_id': row.keyId,
      'frugal.status': 'ok',
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
    });
    expect(row.keyId).toMatch(/\S/);
    expect(row.costNanos).toBeGreaterThan(0);
    expect(server.status.code).toBe(STATUS_CODE.unset);
    expect(server.resource['service.name']).toBe('frugal-under-test');

    expect(attempts).toHaveLength(1);
    const [attempt] = attempts;
    expect(attempt.parentSpanId).toBe(server.spanId);
    expect(attempt.name).toBe('chat cheap-2026-01');
    const sent = cheap.usageSent.get(String(attempt.attributes['gen_ai.response.id']))!;
    expect(sent).toBeDefined();
    expect(attempt.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'frugal.provider': 'cheap-host',
      'gen_ai.request.model': 'cheap-2026-01',
      'gen_ai.request.stream': false,
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.model': 'cheap-2026-01',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': sent.prompt_tokens,
      'gen_ai.usage.output_tokens': sent.completion_tokens,
      'frugal.model': 'cheap',
      'frugal.cost_usd': row.costNanos / 1e9,
    });
    expect(attempt.status.code).toBe(STATUS_CODE.unset);

    // The upstream saw the attempt as its parent, in the caller's trace, with the caller's tracestate.
    const upstream = cheap.requests[cheap.requests.length - 1];
    expect(upstream.headers.traceparent).toBe(`00-${caller.traceId}-${attempt.spanId}-01`);
    expect(upstream.headers.tracestate).toBe('caller=7');
    expect(receiver.headers.at(-1)?.['x-collector-token']).toBe('t0k=n');
  });

  it('gives each tier of an escalating cascade its own attempt span, and the request an escalation event', async () => {
    const caller = callerSpan();
    await client.chat.completions.create(
      { model: 'math', messages: [{ role: 'user', content: 'How far does he run? [[mock(cheap):content=He runs 3 x 60 = 180 meters and then he]]' }] },
      { headers: caller.headers },
    );
    const { server, attempts } = await spansOf(caller.traceId, 3);
    const row = lastRow();
    expect(row.routeTrace).toBe('math>cascade:cheap(fail:answer_stated)>strong');
    expect(attempts.map((span) => span.attributes['frugal.model']).sort()).toEqual(['cheap', 'strong']);
    for (const attempt of attempts) expect(attempt.parentSpanId).toBe(server.spanId);

    expect(server.name).toBe('chat math');
    expect(server.attributes).toMatchObject({
      'frugal.route.trace': row.routeTrace,
      'gen_ai.response.model': 'strong',
      'gen_ai.usage.input_tokens': row.promptTokens,
      'gen_ai.usage.output_tokens': row.completionTokens,
      'frugal.cost_usd': row.costNanos / 1e9,
    });
    // Both tiers are paid for: the request's tokens are the sum of its attempts'.
    const attemptInput = attempts.reduce((sum, span) => sum + Number(span.attributes['gen_ai.usage.input_tokens']), 0);
    expect(attemptInput).toBe(row.promptTokens);
    const escalation = server.events.find((event) => event.name === 'frugal.route.escalation');
    expect(escalation?.attributes).toEqual({ 'frugal.route': 'math', 'frugal.from': 'cheap', 'frugal.reason': 'answer_stated' });
    const decision = server.events.find((event) => event.name === 'frugal.route.decision');
    expect(decision?.attributes).toMatchObject({ 'frugal.route': 'math', 'frugal.model': 'strong', 'frugal.route.trace': row.routeTrace });
  });

  it('records time to first chunk and the streamed finish reason on a stream', async () => {
    const caller = callerSpan();
    const stream = await client.chat.completions.create(
      { model: 'cheap', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Count. [[mock:words=12]]' }] },
      { headers: caller.headers },
    );
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    const { server, attempts } = await spansOf(caller.traceId, 2);
    const row = lastRow();
    expect(row.stream).toBe(true);
    expect(row.ttftMs).not.toBeNull();
    expect(server.attributes['gen_ai.response.time_to_first_chunk']).toBe(row.ttftMs! / 1000);
    expect(server.attributes['gen_ai.request.stream']).toBe(true);
    expect(server.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    const [attempt] = attempts;
    expect(attempt.attributes['gen_ai.request.stream']).toBe(true);
    expect(attempt.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(attempt.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(attempt.attributes['gen_ai.usage.output_tokens']).toBe(usage!.completion_tokens);
  });

  it('marks the attempt and the request as errors when the upstream fails', async () => {
    const caller = callerSpan();
    const failure = await client.chat.completions
      .create({ model: 'strong', messages: [{ role: 'user', content: 'Hi [[mock:status=500]]' }] }, { headers: caller.headers })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const status = (failure as InstanceType<typeof OpenAI.APIError>).status;
    const row = lastRow();
    expect(row.status).toBe('error');
    // Retries are attempts too: at least one, each a failed span.
    const spans = await receiver.waitForSpans((span) => span.traceId === caller.traceId && span.kind === SPAN_KIND.server);
    const attempts = receiver.spans.filter((span) => span.traceId === caller.traceId && span.kind === SPAN_KIND.client);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    for (const attempt of attempts) {
      expect(attempt.status.code).toBe(STATUS_CODE.error);
      expect(attempt.attributes['error.type']).toEqual(expect.any(String));
    }
    const [server] = spans;
    expect(server.status.code).toBe(STATUS_CODE.error);
    expect(server.attributes['http.response.status_code']).toBe(status);
    expect(server.attributes['error.type']).toBe(row.errorCode);
    expect(server.attributes['frugal.status']).toBe('error');
  });

  it('traces embeddings as an embeddings operation and forwards the trace upstream', async () => {
    const caller = callerSpan();
    await client.embeddings.create({ model: 'embed-small', input: 'a sentence' }, { headers: caller.headers });
    const { server, attempts } = await spansOf(caller.traceId, 2);
    expect(server.name).toBe('embeddings embed-small');
    expect(server.attributes['gen_ai.operation.name']).toBe('embeddings');
    expect(server.attributes['gen_ai.usage.input_tokens']).toBe(lastRow().promptTokens);
    // The upstream call is an attempt span of its own, as a chat call's is, and the upstream's parent.
    expect(attempts).toHaveLength(1);
    const [attempt] = attempts;
    expect(attempt.name).toMatch(/^embeddings /);
    expect(attempt.parentSpanId).toBe(server.spanId);
    expect(attempt.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': lastRow().promptTokens, 'server.address': '127.0.0.1' });
    const upstream = cheap.requests[cheap.requests.length - 1];
    expect(upstream.path).toBe('/v1/embeddings');
    expect(upstream.headers.traceparent).toBe(`00-${caller.traceId}-${attempt.spanId}-01`);
  });

  it('traces the Messages and Responses doors as chat operations with their attempts', async () => {
    const anthropic = new Anthropic({ apiKey: frugal.apiKey, baseURL: frugal.origin, maxRetries: 0 });
    const viaMessages = callerSpan();
    await anthropic.messages.create({ model: 'cheap', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }, { headers: viaMessages.headers });
    const messages = await spansOf(viaMessages.traceId, 2);
    expect(messages.server.attributes).toMatchObject({ 'http.route': '/v1/messages', 'gen_ai.operation.name': 'chat', 'gen_ai.request.max_tokens': 64 });
    expect(messages.attempts[0].parentSpanId).toBe(messages.server.spanId);

    const viaResponses = callerSpan();
    await client.responses.create({ model: 'cheap', input: 'Hi', max_output_tokens: 32 }, { headers: viaResponses.headers });
    const responses = await spansOf(viaResponses.traceId, 2);
    expect(responses.server.name).toBe('chat cheap');
    expect(responses.server.attributes).toMatchObject({ 'http.route': '/v1/responses', 'gen_ai.request.max_tokens': 32, 'gen_ai.response.model': 'cheap' });
    expect(responses.attempts[0].attributes['gen_ai.request.model']).toBe('cheap-2026-01');
  });

  it('starts a new trace when the caller sends none, and never exports a key or the prompt', async () => {
    const before = receiver.spans.length;
    await client.chat.completions.create({ model: 'cheap', messages: [{ role: 'user', content: `Hello ${PROMPT_CANARY}` }] });
    const [server] = await receiver.waitForSpans((span) => receiver.spans.indexOf(span) >= before && span.kind === SPAN_KIND.server);
    expect(server.parentSpanId).toBe('');
    expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);

    const exported = Buffer.concat(receiver.bodies);
    expect(exported.length).toBeGreaterThan(0);
    for (const secret of [frugal.apiKey, UPSTREAM_KEY, PROMPT_CANARY]) expect(exported.includes(secret)).toBe(false);
  });

  it('flushes what is buffered when the server closes, and leaves no subscriber behind', async () => {
    // The SDK's default 5 s export delay: only the flush on close can deliver these spans in time.
    const second = await startKeyedGateway({
      providers: { 'cheap-host': { kind: 'openai', base_url: cheap.baseUrl, api_key: UPSTREAM_KEY } },
      models: [{ name: 'cheap', provider: 'cheap-host', price: { input: 0.1, output: 0.2 } }],
      resilience: { health_check_interval_ms: 0 },
      telemetry: { otlp: { endpoint: receiver.url } },
    });
    const caller = callerSpan();
    const other = new OpenAI({ apiKey: second.apiKey, baseURL: `${second.origin}/v1`, maxRetries: 0 });
    await other.chat.completions.create({ model: 'cheap', messages: [{ role: 'user', content: 'Last one' }] }, { headers: caller.headers });
    await second.close();
    expect(receiver.spans.filter((span) => span.traceId === caller.traceId)).toHaveLength(2);

    expect(channels.upstreamAttemptStart.hasSubscribers).toBe(true);
    await frugal.close();
    closed = true;
    expect(channels.upstreamAttemptStart.hasSubscribers).toBe(false);
    expect(channels.upstreamAttemptEnd.hasSubscribers).toBe(false);
  });
});
