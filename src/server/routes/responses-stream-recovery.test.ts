import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABANDONED_STREAM_AFTER_MS } from '../../responses/abandoned-streams.js';
import { storedResponse } from '../../responses/response-store.case.js';
import type { ResponseStore } from '../../responses/response-store.js';
import { createSqliteResponseStore } from '../../responses/sqlite-response-store.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

/**
 * The in_progress copy of a streamed response must end: deleted stays deleted whatever the stream does after, and a
 * copy a killed gateway left behind reads as failed once no stream can still be writing it.
 */

let upstream: MockOpenAIServer;
let dir: string;
let store: ResponseStore;
let onSqlite: TestGateway;
let inMemory: TestGateway;
const config = () => ({
  providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
  models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
  cache: { enabled: false },
});
const clientOf = (gateway: TestGateway) => new OpenAI({ apiKey: 'unused-without-keys', baseURL: gateway.baseUrl, maxRetries: 0 });
const statusOf = (promise: Promise<unknown>) => promise.then(() => 200, (error: { status: number }) => error.status);

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  dir = await mkdtemp(join(tmpdir(), 'frugal-stream-recovery-'));
  store = createSqliteResponseStore({ path: join(dir, 'ledger.sqlite') });
  await store.migrate();
  onSqlite = await startTestGateway(config(), {}, { responses: store });
  inMemory = await startTestGateway(config());
});

afterAll(async () => {
  await onSqlite?.close();
  await inMemory?.close();
  await store?.close();
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['SQLite', () => onSqlite],
  ['memory', () => inMemory],
])('DELETE /v1/responses/{id} while the response streams (%s store)', (_, gateway) => {
  it('stays deleted after the stream ends and saves its answer', async () => {
    const client = clientOf(gateway());
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Count [[mock:words=8,chunk_gap_ms=100]]', stream: true });
    let id = '';
    let deleted: unknown;
    let last: OpenAI.Responses.ResponseStreamEvent | undefined;
    for await (const event of stream) {
      last = event;
      if (event.type === 'response.created') {
        id = event.response.id;
        deleted = await client.responses.delete(id);
        expect(await statusOf(client.responses.retrieve(id))).toBe(404);
      }
    }
    expect(deleted).toMatchObject({ id, deleted: true });
    // The stream itself runs to its end: the caller asked to forget the response, not to stop it.
    expect(last?.type).toBe('response.completed');
    expect(await statusOf(client.responses.retrieve(id))).toBe(404);
    expect(await statusOf(client.responses.inputItems.list(id))).toBe(404);
    await expect(client.responses.create({ model: 'gpt-4o-mini', previous_response_id: id, input: 'and?' })).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
  });
});

describe('a stored response left in_progress by a gateway killed mid-stream', () => {
  const leftBehind = (n: number, ageMs: number) => {
    const template = storedResponse(n, null, { createdAt: Date.now() - ageMs });
    return {
      ...template,
      response: {
        ...template.response,
        status: 'in_progress' as const,
        completed_at: null,
        usage: null,
        // What the dead process had saved: the copy made before the first event, an open message in it.
        output: [{ ...template.response.output[0], status: 'in_progress' as const }],
      },
    };
  };

  it('reads as failed with a server_error once older than the bound, everywhere, and is written back so', async () => {
    const abandoned = leftBehind(100, ABANDONED_STREAM_AFTER_MS + 60_000);
    await store.save(abandoned);
    const client = clientOf(onSqlite);
    const read = await client.responses.retrieve(abandoned.id);
    expect(read).toMatchObject({ id: abandoned.id, status: 'failed', error: { code: 'server_error' } });
    expect(read.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    expect((await client.responses.inputItems.list(abandoned.id)).data).toHaveLength(1);
    // Continuing it is no longer refused as "still in progress" forever.
    const next = await client.responses.create({ model: 'gpt-4o-mini', previous_response_id: abandoned.id, input: 'and?' });
    expect(next.status).toBe('completed');
    // Settled in the table too, for every instance that shares it.
    expect((await store.get(abandoned.id, null))?.response).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
  });

  it('stays in_progress while younger than the bound: another instance may be streaming it', async () => {
    const recent = leftBehind(101, 60_000);
    await store.save(recent);
    const client = clientOf(onSqlite);
    expect(await client.responses.retrieve(recent.id)).toMatchObject({ status: 'in_progress', error: null });
    await expect(client.responses.create({ model: 'gpt-4o-mini', previous_response_id: recent.id, input: 'and?' })).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
  });

  it('can still be deleted', async () => {
    const abandoned = leftBehind(102, 2 * ABANDONED_STREAM_AFTER_MS);
    await store.save(abandoned);
    const client = clientOf(onSqlite);
    await client.responses.delete(abandoned.id);
    expect(await statusOf(client.responses.retrieve(abandoned.id))).toBe(404);
  });
});
