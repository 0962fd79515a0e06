import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { SPAN_KIND, STATUS_CODE, startOtlpTraceReceiver, type OtlpTraceReceiver } from '../testing/otlp-trace-receiver.js';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';

let receiver: OtlpTraceReceiver;
let upstream: MockOpenAIServer;
let gw: BatchGateway;
let client: OpenAI;

beforeAll(async () => {
  receiver = await startOtlpTraceReceiver();
  upstream = await startMockOpenAIServer();
  // No batch price: the lines run in Frugal's own lane, through the pipeline, with no HTTP request around them.
  gw = await startBatchGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-upstream-never-exported-0123' } },
    models: [{ name: 'small', provider: 'mock', price: { input: 0.1, output: 0.2 } }],
    telemetry: { otlp: { endpoint: receiver.url } },
  });
  client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await receiver?.close();
});

const line = (customId: string, content: string) => JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'small', max_tokens: 12, messages: [{ role: 'user', content }] } });

describe('a batch run in Frugal’s own lane, traced', () => {
  it('gives every line a root span with its upstream attempt under it and its ledger row on it', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from([line('a', 'First'), line('b', 'Second [[mock:status=400]]')].join('\n')), 'lines.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const deadline = Date.now() + 15_000;
    while ((await client.batches.retrieve(created.id)).status !== 'completed') {
      if (Date.now() > deadline) throw new Error('batch did not complete');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const lines = await receiver.waitForSpans((span) => span.attributes['frugal.batch_id'] === created.id && span.kind === SPAN_KIND.internal, 2, 10_000);
    expect(lines).toHaveLength(2);
    for (const span of lines) {
      expect(span.parentSpanId).toBe('');
      expect(span.name).toBe('chat small');
      expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'small', 'gen_ai.request.max_tokens': 12 });
      const row = gw.rows.find((candidate) => candidate.id === span.attributes['frugal.request_id']);
      expect(row?.batchId).toBe(created.id);
      const attempts = await receiver.waitForSpans((candidate) => candidate.traceId === span.traceId && candidate.kind === SPAN_KIND.client, 1, 5_000);
      expect(attempts[0].parentSpanId).toBe(span.spanId);
      expect(attempts[0].attributes['gen_ai.provider.name']).toBe('openai');
      if (row?.status === 'ok') {
        expect(span.status.code).not.toBe(STATUS_CODE.error);
        expect(span.attributes['gen_ai.usage.input_tokens']).toBe(row.promptTokens);
      } else {
        expect(span.status.code).toBe(STATUS_CODE.error);
        expect(span.attributes['error.type']).toBe(row?.errorCode);
      }
    }
    expect(new Set(lines.map((span) => span.traceId)).size).toBe(2);
    expect(Buffer.concat(receiver.bodies).toString('latin1')).not.toContain('sk-upstream-never-exported');
  });
});
