import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicServer, type MockAnthropicServer } from '../../testing/mock-anthropic-server.js';
import { SPAN_KIND, startOtlpTraceReceiver, type OtlpTraceReceiver, type ReceivedSpan } from '../../testing/otlp-trace-receiver.js';
import { startKeyedGateway, type KeyedGateway } from '../../testing/start-keyed-gateway.js';

// The GenAI conventions want an upstream call's finish reasons in the provider's own words: an Anthropic
// attempt says end_turn / max_tokens / stop_sequence, while each caller's request span keeps the caller's terms.
let receiver: OtlpTraceReceiver;
let upstream: MockAnthropicServer;
let frugal: KeyedGateway;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  receiver = await startOtlpTraceReceiver();
  upstream = await startMockAnthropicServer();
  frugal = await startKeyedGateway(
    {
      providers: { claude: { kind: 'anthropic', base_url: upstream.url, api_key: 'sk-ant-upstream-0123456789' } },
      models: [{ name: 'claude', provider: 'claude', upstream: 'claude-haiku-4-5', price: { input: 1, output: 5 } }],
      cache: { enabled: false },
      telemetry: { otlp: { endpoint: receiver.url } },
    },
    { OTEL_BSP_SCHEDULE_DELAY: '20' },
  );
  anthropic = new Anthropic({ apiKey: frugal.apiKey, baseURL: frugal.origin, maxRetries: 0 });
  openai = new OpenAI({ apiKey: frugal.apiKey, baseURL: `${frugal.origin}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
  await receiver?.close();
});

function traced() {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } };
}

async function spansOf(traceId: string): Promise<{ server: ReceivedSpan; attempt: ReceivedSpan }> {
  const spans = await receiver.waitForSpans((span) => span.traceId === traceId, 2);
  const server = spans.find((span) => span.kind === SPAN_KIND.server);
  const attempt = spans.find((span) => span.kind === SPAN_KIND.client);
  expect(server && attempt).toBeTruthy();
  return { server: server!, attempt: attempt! };
}

const reasonsOf = (span: ReceivedSpan) => span.attributes['gen_ai.response.finish_reasons'];

describe('finish reasons on the spans of an Anthropic attempt', () => {
  it('are Anthropic’s own on the attempt of a plain Messages call that hit a stop sequence', async () => {
    const call = traced();
    const message = await anthropic.messages.create(
      { model: 'claude', max_tokens: 50, stop_sequences: ['mock'], messages: [{ role: 'user', content: 'Hi' }] },
      { headers: call.headers },
    );
    expect(message.stop_reason).toBe('stop_sequence');
    const { attempt } = await spansOf(call.traceId);
    expect(reasonsOf(attempt)).toEqual(['stop_sequence']);
  });

  it('are Anthropic’s own on a streamed attempt cut by max_tokens', async () => {
    const call = traced();
    const message = await anthropic.messages
      .stream({ model: 'claude', max_tokens: 2, messages: [{ role: 'user', content: 'Hi' }] }, { headers: call.headers })
      .finalMessage();
    expect(message.stop_reason).toBe('max_tokens');
    const { server, attempt } = await spansOf(call.traceId);
    expect(reasonsOf(attempt)).toEqual(['max_tokens']);
    expect(reasonsOf(server)).toEqual(['max_tokens']);
  });

  it('stay OpenAI’s on the request span of a chat-completions caller, while the attempt says end_turn', async () => {
    const call = traced();
    await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }, { headers: call.headers });
    const { server, attempt } = await spansOf(call.traceId);
    expect(reasonsOf(attempt)).toEqual(['end_turn']);
    expect(reasonsOf(server)).toEqual(['stop']);
  });
});
