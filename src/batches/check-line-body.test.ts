import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { startBatchGateway, type BatchGateway } from '../testing/start-batch-gateway.js';
import { checkLineBody } from './check-line-body.js';

const LIMITS = { maxDepth: 64, maxMessages: 4 };
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
};

function refusal(run: () => void): FrugalError {
  try {
    run();
  } catch (error) {
    if (error instanceof FrugalError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('checkLineBody', () => {
  it('takes a body the endpoint takes', () => {
    expect(() => checkLineBody('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, LIMITS)).not.toThrow();
    expect(() => checkLineBody('/v1/embeddings', { model: 'm', input: 'hi' }, LIMITS)).not.toThrow();
    expect(() => checkLineBody('/v1/responses', { model: 'm', input: 'hi' }, LIMITS)).not.toThrow();
  });

  it('refuses what the endpoint refuses, naming the field', () => {
    for (const messages of ['hi', 1, [null]]) {
      const error = refusal(() => checkLineBody('/v1/chat/completions', { model: 'm', messages }, LIMITS));
      expect(error.code).toBe('invalid_request');
      expect(error.param).toMatch(/^messages/);
    }
    expect(refusal(() => checkLineBody('/v1/embeddings', { model: 'm', input: 7 }, LIMITS)).param).toBe('input');
    expect(refusal(() => checkLineBody('/v1/responses', { model: 'm', input: 7 }, LIMITS)).code).toBe('invalid_request');
  });

  it('refuses a body nested past server.max_json_depth before any recursive walk, and too many messages', () => {
    const deep = refusal(() => checkLineBody('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi', tool_calls: nested(50_000) }] }, LIMITS));
    expect(deep.code).toBe('limit_exceeded');
    expect(deep.param).toBe('messages');
    // At the limit it passes the depth check (and fails only the schema, for tool_calls that are not calls).
    expect(refusal(() => checkLineBody('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi', tool_calls: nested(60) }] }, LIMITS)).code).toBe('invalid_request');
    const many = refusal(() => checkLineBody('/v1/chat/completions', { model: 'm', messages: Array.from({ length: 5 }, () => ({ role: 'user', content: 'hi' })) }, LIMITS));
    expect([many.code, many.param]).toEqual(['limit_exceeded', 'messages']);
  });
});

describe('a batch with bad line bodies (official openai client)', () => {
  let gw: BatchGateway;
  let client: OpenAI;
  beforeAll(async () => {
    gw = await startBatchGateway({ providers: { sim: { kind: 'simulated', ttft_ms: 10 } }, models: [{ name: 'gpt-4o-mini', provider: 'sim' }] });
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => gw.close());

  it('runs the good lines and answers each bad one in the error file as the endpoint would have, without failing the batch', async () => {
    const line = (customId: string, body: unknown) => JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body });
    const jsonl = [
      line('good', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 20 }),
      line('string', { model: 'gpt-4o-mini', messages: 'hi' }),
      line('number', { model: 'gpt-4o-mini', messages: 1 }),
      line('null', { model: 'gpt-4o-mini', messages: [null] }),
      // Written as text: JSON.stringify of it would overflow this test's own stack.
      `{"custom_id":"deep","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi","tool_calls":${'['.repeat(5_000)}1${']'.repeat(5_000)}}]}}`,
    ].join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'input.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    let batch = created;
    for (let poll = 0; poll < 300 && batch.status !== 'completed'; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      batch = await client.batches.retrieve(created.id);
    }
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toEqual({ total: 5, completed: 1, failed: 4 });
    const errors = (await (await client.files.content(batch.error_file_id!)).text()).trimEnd().split('\n').map((text) => JSON.parse(text));
    expect(errors.map((entry) => entry.custom_id)).toEqual(['string', 'number', 'null', 'deep']);
    errors.forEach((entry, index) => {
      expect(Object.keys(entry)).toEqual(['id', 'custom_id', 'response', 'error']);
      expect(entry.error).toBeNull();
      expect(entry.response.status_code).toBe(400);
      expect(entry.response.request_id).toBe(`frg-${batch.id}-${index + 2}`);
      expect(entry.response.body.error.type).toBe('invalid_request_error');
      expect(entry.response.body.error.param).toMatch(/^messages/);
    });
    expect(errors[3].response.body.error.code).toBe('limit_exceeded');
    // Only the good line ran: one ledger row.
    expect(gw.rows.filter((row) => row.batchId === batch.id).map((row) => row.id)).toEqual([`frg-${batch.id}-1`]);
  });
});
