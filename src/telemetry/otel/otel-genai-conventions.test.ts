import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { SPAN_KIND, STATUS_CODE, startOtlpTraceReceiver, type OtlpTraceReceiver, type ReceivedSpan } from '../../testing/otlp-trace-receiver.js';
import { startKeyedGateway, type KeyedGateway } from '../../testing/start-keyed-gateway.js';

// What a caller of Frugal, and a tracing backend reading the GenAI conventions, expect beyond the basics
// (otel-traces.test.ts): well-known provider names, the peer of each upstream call, every request parameter,
// and a request span that tells the truth about requests that fail after their 200 or that the client leaves.

let receiver: OtlpTraceReceiver;
let openaiUpstream: MockOpenAIServer;
let anthropicUpstream: MockAnthropicServer;
let frugal: KeyedGateway;
let client: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  receiver = await startOtlpTraceReceiver();
  openaiUpstream = await startMockOpenAIServer({ name: 'oa' });
  anthropicUpstream = await startMockAnthropicServer();
  frugal = await startKeyedGateway(
    {
      providers: {
        'team-gpt': { kind: 'openai', base_url: openaiUpstream.baseUrl, api_key: 'sk-upstream-openai-0123456789' },
        'team-claude': { kind: 'anthropic', base_url: anthropicUpstream.url, api_key: 'sk-ant-upstream-0123456789' },
        playground: { kind: 'simulated' },
      },
      models: [
        { name: 'gpt', provider: 'team-gpt', upstream: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 } },
        { name: 'claude', provider: 'team-claude', upstream: 'claude-haiku-4-5', price: { input: 1, output: 5 } },
        { name: 'sim', provider: 'playground', price: { input: 1, output: 2 } },
      ],
      resilience: { circuit_breaker: { consecutive_failures: 1000, min_requests: 1000 }, health_check_interval_ms: 0 },
      telemetry: { otlp: { endpoint: receiver.url } },
    },
    { OTEL_BSP_SCHEDULE_DELAY: '20' },
  );
  client = new OpenAI({ apiKey: frugal.apiKey, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: frugal.apiKey, baseURL: frugal.origin, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await openaiUpstream?.close();
  await anthropicUpstream?.close();
  await receiver?.close();
});

function callerSpan() {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } };
}

async function spansOf(traceId: string, count: number): Promise<{ server: ReceivedSpan; attempts: ReceivedSpan[] }> {
  const spans = await receiver.waitForSpans((span) => span.traceId === traceId, count);
  const [server] = spans.filter((span) => span.kind === SPAN_KIND.server);
  expect(server).toBeDefined();
  return { server, attempts: spans.filter((span) => span.kind !== SPAN_KIND.server) };
}

const portOf = (url: string) => Number(new URL(url).port);

describe('GenAI conventions on the spans a tracing backend reads', () => {
  it('names providers by their well-known gen_ai.provider.name and each attempt by the host it called, never by the config name', async () => {
    const viaOpenAI = callerSpan();
    await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'Hi' }] }, { headers: viaOpenAI.headers });
    const openaiSpans = await spansOf(viaOpenAI.traceId, 2);
    expect(openaiSpans.attempts[0].attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'server.address': '127.0.0.1',
      'server.port': portOf(openaiUpstream.baseUrl),
      'frugal.provider': 'team-gpt',
    });
    expect(openaiSpans.server.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'frugal.provider': 'team-gpt' });

    const viaAnthropic = callerSpan();
    await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }, { headers: viaAnthropic.headers });
    const anthropicSpans = await spansOf(viaAnthropic.traceId, 2);
    expect(anthropicSpans.attempts[0].attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'server.address': '127.0.0.1',
      'server.port': anthropicUpstream.port,
      'frugal.provider': 'team-claude',
    });
    expect(anthropicSpans.server.attributes['gen_ai.provider.name']).toBe('anthropic');

    const simulated = callerSpan();
    await client.chat.completions.create({ model: 'sim', messages: [{ role: 'user', content: 'Hi' }] }, { headers: simulated.headers });
    const simulatedSpans = await spansOf(simulated.traceId, 2);
    expect(simulatedSpans.attempts[0].attributes['gen_ai.provider.name']).toBe('frugal.simulated');
    // In-process: no server to name.
    expect(simulatedSpans.attempts[0].attributes['server.address']).toBeUndefined();
  });

  it('records every generation parameter the caller set, on the request span and on the attempt', async () => {
    const caller = callerSpan();
    await client.chat.completions.create(
      {
        model: 'gpt',
        messages: [{ role: 'user', content: 'Give me JSON' }],
        stop: ['END', '###'],
        seed: 42,
        n: 2,
        frequency_penalty: 0.5,
        presence_penalty: 0.25,
        top_p: 0.9,
        response_format: { type: 'json_object' },
      },
      { headers: caller.headers },
    );
    const { server, attempts } = await spansOf(caller.traceId, 2);
    const expected = {
      'gen_ai.request.stop_sequences': ['END', '###'],
      'gen_ai.request.seed': 42,
      'gen_ai.request.choice.count': 2,
      'gen_ai.request.frequency_penalty': 0.5,
      'gen_ai.request.presence_penalty': 0.25,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.output.type': 'json',
    };
    expect(server.attributes).toMatchObject(expected);
    expect(attempts[0].attributes).toMatchObject(expected);

    const viaMessages = callerSpan();
    await anthropic.messages.create(
      { model: 'claude', max_tokens: 50, stop_sequences: ['Human:'], messages: [{ role: 'user', content: 'Hi' }] },
      { headers: viaMessages.headers },
    );
    const messages = await spansOf(viaMessages.traceId, 2);
    expect(messages.server.attributes).toMatchObject({ 'gen_ai.request.stop_sequences': ['Human:'], 'gen_ai.request.max_tokens': 50 });
    expect(messages.attempts[0].attributes['gen_ai.request.stop_sequences']).toEqual(['Human:']);
  });

  it('gives a Messages caller its finish reasons as Anthropic stop reasons, whatever the upstream', async () => {
    const caller = callerSpan();
    const message = await anthropic.messages.create({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] }, { headers: caller.headers });
    const { server } = await spansOf(caller.traceId, 2);
    expect(message.stop_reason).toBe('end_turn');
    expect(server.attributes['gen_ai.response.finish_reasons']).toEqual([message.stop_reason]);
  });

  it('marks the request span as an error when a stream breaks after its 200 went out', async () => {
    const caller = callerSpan();
    const stream = await client.chat.completions.create(
      { model: 'gpt', stream: true, messages: [{ role: 'user', content: 'Hi [[mock:stream_error=upstream fell over]]' }] },
      { headers: caller.headers },
    );
    const failure = await (async () => {
      for await (const _chunk of stream);
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const { server } = await spansOf(caller.traceId, 2);
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 200, 'frugal.status': 'error' });
    expect(server.attributes['error.type']).toEqual(expect.any(String));
    expect(server.status.code).toBe(STATUS_CODE.error);
  });

  it('keeps the ledger facts of a request the client left, and claims no status that was never sent', async () => {
    const caller = callerSpan();
    const controller = new AbortController();
    const call = client.chat.completions
      .create({ model: 'gpt', messages: [{ role: 'user', content: 'Hi [[mock:delay_ms=400]]' }] }, { headers: caller.headers, signal: controller.signal })
      .catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 100);
    expect(await call).toBeInstanceOf(OpenAI.APIUserAbortError);
    const { server, attempts } = await spansOf(caller.traceId, 2);
    const row = frugal.rows.find((candidate) => candidate.id === server.attributes['frugal.request_id']);
    expect(row?.status).toBe('client_aborted');
    expect(server.attributes).toMatchObject({ 'frugal.status': 'client_aborted', 'frugal.key_id': row!.keyId, 'gen_ai.provider.name': 'openai' });
    expect(server.attributes['http.response.status_code']).toBeUndefined();
    expect(server.attributes['error.type']).toEqual(expect.any(String));
    // The client left: not the server's failure, and the attempt we stopped is no upstream failure either.
    expect(server.status.code).toBe(STATUS_CODE.unset);
    expect(attempts[0].attributes['frugal.attempt.cancelled']).toBe(true);
  });
});
