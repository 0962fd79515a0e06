import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { testSchemas } from '../../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../../testing/services.js';
import { startFeedbackGateway, type FeedbackBackend, type FeedbackGateway } from '../../testing/start-feedback-gateway.js';
import { startTestGateway } from '../../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
beforeAll(async () => {
  upstream = await startMockOpenAIServer();
});
afterAll(() => upstream?.close());

const config = () => ({
  providers: { mock: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-upstream-0123456789' } },
  models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
});

/** A chat completion through the official client; returns the reply's x-frugal-request-id. */
async function chat(baseURL: string, apiKey: string, stream = false): Promise<string> {
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  if (stream) {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }).withResponse();
    for await (const _chunk of data) void _chunk;
    return response.headers.get('x-frugal-request-id')!;
  }
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  return response.headers.get('x-frugal-request-id')!;
}

interface Scored {
  name: string;
  score: number;
}

/** The fields these tests read, from any of the replies (Frugal's, Helicone's, Portkey's, an error). */
interface ReplyBody {
  error?: { message: string; type: string; code: string; param: string | null };
  data?: Scored[] | null;
  current?: Scored[];
  feedback_ids?: string[];
  [field: string]: unknown;
}

interface Reply {
  status: number;
  body: ReplyBody;
}

async function send(origin: string, method: 'GET' | 'POST', path: string, key: string | undefined, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as ReplyBody };
}

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'feedback route on PostgreSQL');
const schemas = testSchemas('feedback_route');
afterAll(() => (reachable ? schemas.dropAll() : undefined));

const backends: Array<[string, () => FeedbackBackend]> = [['sqlite', () => ({ kind: 'sqlite' })]];
if (reachable) backends.push(['postgres', () => ({ kind: 'postgres', connectionString: TEST_DATABASE_URL, schema: schemas.schemaOf(`keyed_${Date.now()}`) })]);

describe.each(backends)('feedback with virtual keys (%s)', (_name, backend) => {
  let frugal: FeedbackGateway;
  let own: string;
  beforeAll(async () => {
    frugal = await startFeedbackGateway({ config: config(), backend: backend(), keyed: true });
    own = await chat(frugal.baseUrl, frugal.apiKeys[0]);
  });
  afterAll(() => frugal?.close());
  const post = (path: string, key: string | undefined, body: unknown) => send(frugal.origin, 'POST', path, key, body);
  /** What the database holds for a request: its row is flushed first (the writer batches every 20 ms). */
  async function storedHistory(id: string) {
    await frugal.writer.flush();
    const [row] = await frugal.feedback.findRequests(id);
    return frugal.feedback.history(row);
  }

  it('scores a reply with the key that made it, and keeps every update as history', async () => {
    const first = await post('/v1/feedback', frugal.apiKeys[0], { request_id: own, score: true });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: 'feedback', request_id: own, name: 'default', score: 1, source: 'user', comment: null });
    const second = await post('/v1/feedback', frugal.apiKeys[0], { request_id: own, score: 0.4, comment: 'on reflection, half right', source: 'reviewer' });
    expect(second.body).toMatchObject({ score: 0.4, comment: 'on reflection, half right', source: 'reviewer' });
    await post('/v1/feedback', frugal.apiKeys[0], { request_id: own, score: false, name: 'correct' });

    const read = await send(frugal.origin, 'GET', `/v1/feedback/${own}`, frugal.apiKeys[0]);
    expect(read.status).toBe(200);
    expect(read.body.data!.map((entry) => [entry.name, entry.score])).toEqual([['default', 1], ['default', 0.4], ['correct', 0]]);
    expect(read.body.current!.map((entry) => [entry.name, entry.score])).toEqual([['default', 0.4], ['correct', 0]]);
    expect((await storedHistory(own)).map((entry) => entry.scoredBy)).toEqual([frugal.keyIds[0], frugal.keyIds[0], frugal.keyIds[0]]);
  });

  it('answers another key 404, exactly as for an unknown id, and lets the master key score any request', async () => {
    const other = await post('/v1/feedback', frugal.apiKeys[1], { request_id: own, score: 1 });
    const unknown = await post('/v1/feedback', frugal.apiKeys[1], { request_id: 'frg-never-issued', score: 1 });
    expect(other.status).toBe(404);
    expect(other.body.error).toMatchObject({ type: 'not_found_error', code: 'not_found', param: 'request_id' });
    expect(other.body.error!.message.replace(own, 'ID')).toBe(unknown.body.error!.message.replace('frg-never-issued', 'ID'));
    expect((await send(frugal.origin, 'GET', `/v1/feedback/${own}`, frugal.apiKeys[1])).status).toBe(404);

    const byMaster = await post('/v1/feedback', frugal.masterKey, { request_id: own, score: 0.9, name: 'helpful', source: 'reviewer' });
    expect(byMaster.status).toBe(200);
    expect((await storedHistory(own)).at(-1)).toMatchObject({ name: 'helpful', score: 0.9, scoredBy: 'master' });
  });

  it('refuses a caller without a key or with a wrong one (401)', async () => {
    expect((await post('/v1/feedback', undefined, { request_id: own, score: 1 })).status).toBe(401);
    const wrong = await post('/v1/feedback', 'fk-not-a-key', { request_id: own, score: 1 });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
  });

  it('refuses bad values with a 400 in the OpenAI error shape that names the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v1/feedback', { request_id: own, score: 1.5 }, 'score'],
      ['/v1/feedback', { request_id: own, score: 'good' }, 'score'],
      ['/v1/feedback', { request_id: own }, 'score'],
      ['/v1/feedback', { score: 1 }, 'request_id'],
      ['/v1/feedback', { request_id: own, score: 1, name: 'two words' }, 'name'],
      ['/v1/feedback', { request_id: own, score: 1, comment: 'x'.repeat(2_001) }, 'comment'],
      ['/v1/feedback', { request_id: own, score: 1, source: 'robot' }, 'source'],
      ['/v1/feedback', { trace_id: own, value: 11 }, 'value'],
      ['/v1/feedback', { trace_id: own, value: 1, weight: -1 }, 'weight'],
      [`/v1/request/${own}/feedback`, { rating: 'yes' }, 'rating'],
    ];
    for (const [path, body, param] of cases) {
      const reply = await post(path, frugal.apiKeys[0], body);
      expect([path, reply.status, reply.body.error]).toEqual([path, 400, expect.objectContaining({ type: 'invalid_request_error', param })]);
    }
  });

  it('redacts credentials pasted into a comment or metadata before they are kept or sent back', async () => {
    const pasted = 'my key sk-proj-abcdefghijklmnop0123 and Bearer abcdefghijklmnopqrstuvwxyz and sk-upstream-0123456789';
    const reply = await post('/v1/feedback', frugal.apiKeys[0], { request_id: own, score: 1, name: 'pasted', comment: pasted, metadata: { note: pasted, nested: [pasted], count: 3 } });
    expect(reply.status).toBe(200);
    const stored = (await storedHistory(own)).filter((entry) => entry.name === 'pasted');
    const portkey = await post('/v1/feedback', frugal.apiKeys[0], { trace_id: own, value: 10, metadata: JSON.stringify({ token: pasted }) });
    expect(portkey.status).toBe(200);
    const read = await send(frugal.origin, 'GET', `/v1/feedback/${own}`, frugal.apiKeys[0]);
    for (const text of [JSON.stringify(reply.body), JSON.stringify(stored), JSON.stringify(read.body), JSON.stringify(await storedHistory(own))]) {
      expect(text).not.toContain('sk-proj-abcdefghijklmnop0123');
      expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz');
      expect(text).not.toContain('sk-upstream-0123456789');
    }
    expect(stored).toEqual([expect.objectContaining({ comment: expect.stringContaining('[redacted]'), metadata: expect.objectContaining({ count: 3 }) })]);
  });

  it('refuses the NUL character in a comment or metadata with a 400 naming the field, on every backend (not a 500)', async () => {
    const comment = await post('/v1/feedback', frugal.apiKeys[0], { request_id: own, score: 0.5, comment: 'a\u0000b' });
    const metadata = await post('/v1/feedback', frugal.apiKeys[0], { request_id: own, score: 0.5, metadata: { nested: ['v\u0000'] } });
    expect([comment.status, comment.body.error]).toEqual([400, expect.objectContaining({ type: 'invalid_request_error', param: 'comment' })]);
    expect([metadata.status, metadata.body.error]).toEqual([400, expect.objectContaining({ type: 'invalid_request_error', param: 'metadata' })]);
  });

  it('answers a body that is not JSON, or too big, in the OpenAI error shape', async () => {
    const broken = await fetch(`${frugal.origin}/v1/feedback`, { method: 'POST', headers: { authorization: `Bearer ${frugal.apiKeys[0]}`, 'content-type': 'application/json' }, body: '{"request_id": ' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as ReplyBody).error).toMatchObject({ type: 'invalid_request_error' });
    const array = await post('/v1/feedback', frugal.apiKeys[0], [own]);
    expect([array.status, array.body.error?.type]).toEqual([400, 'invalid_request_error']);
  });

  it('takes Helicone\'s POST /v1/request/{id}/feedback { rating } and answers in its shape', async () => {
    const id = await chat(frugal.baseUrl, frugal.apiKeys[1]);
    const reply = await post(`/v1/request/${id}/feedback`, frugal.apiKeys[1], { rating: false });
    expect(reply).toEqual({ status: 200, body: { data: null, error: null } });
    expect((await post(`/v1/request/${id}/feedback`, frugal.apiKeys[0], { rating: true })).status).toBe(404);
    expect((await storedHistory(id)).map((entry) => [entry.name, entry.score])).toEqual([['default', 0]]);
  });

  it('takes Portkey\'s { trace_id, value, weight, metadata }, maps −10…10 onto [0, 1] and answers in its shape', async () => {
    const id = await chat(frugal.baseUrl, frugal.apiKeys[1], true);
    const reply = await post('/v1/feedback', frugal.apiKeys[1], { trace_id: id, value: 5, weight: 0.5, metadata: { _user: 'u-7' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'success', message: 'Feedback successfully saved', feedback_ids: [expect.stringMatching(/^fb_/)] });
    expect(await storedHistory(id)).toEqual([expect.objectContaining({ id: reply.body.feedback_ids![0], score: 0.75, metadata: { _user: 'u-7', weight: 0.5 } })]);
  });
});

describe('feedback on rows the ledger has not written yet', () => {
  it('scores a reply whose row still waits in the writer\'s batch, from this instance\'s recent requests', async () => {
    // The writer would flush in an hour: the only copy of the row is in memory.
    const frugal = await startFeedbackGateway({ config: config(), backend: { kind: 'sqlite' }, flushIntervalMs: 3_600_000 });
    try {
      const id = await chat(frugal.baseUrl, 'unused');
      expect(await frugal.ledger.rows({})).toEqual([]);
      expect((await send(frugal.origin, 'POST', '/v1/feedback', undefined, { request_id: id, score: 1 })).status).toBe(200);
      await frugal.writer.flush();
      const [row] = await frugal.ledger.rows({});
      expect((await frugal.feedback.history(row)).map((entry) => entry.score)).toEqual([1]);
    } finally {
      await frugal.close();
    }
  });

  it('looks again while another instance may still hold the row, then answers 404 after the grace period', async () => {
    const sleeps: number[] = [];
    let onSleep = async () => {};
    // No recent-requests map: the row exists only in a writer, as it would on another gateway instance.
    const frugal = await startFeedbackGateway({
      config: config(), backend: { kind: 'sqlite' }, flushIntervalMs: 3_600_000, recent: false, graceMs: 500,
      sleep: async (ms) => {
        sleeps.push(ms);
        await onSleep();
      },
    });
    try {
      const id = await chat(frugal.baseUrl, 'unused');
      // The other instance flushes while the feedback request waits.
      onSleep = () => frugal.writer.flush();
      expect((await send(frugal.origin, 'POST', '/v1/feedback', undefined, { request_id: id, score: 0.5 })).status).toBe(200);
      expect(sleeps).toEqual([100]);

      sleeps.length = 0;
      onSleep = async () => {};
      expect((await send(frugal.origin, 'POST', '/v1/feedback', undefined, { request_id: 'frg-unknown', score: 0.5 })).status).toBe(404);
      expect(sleeps).toEqual([100, 100, 100, 100, 100]);
    } finally {
      await frugal.close();
    }
  });
});

describe('feedback without keys or without a ledger', () => {
  it('lets anyone score on a gateway without keys', async () => {
    const frugal = await startFeedbackGateway({ config: config(), backend: { kind: 'sqlite' } });
    try {
      const id = await chat(frugal.baseUrl, 'anything');
      const reply = await send(frugal.origin, 'POST', '/feedback', undefined, { request_id: id, score: 0 });
      expect(reply.body).toMatchObject({ request_id: id, score: 0 });
    } finally {
      await frugal.close();
    }
  });

  it('says the ledger is needed when it is disabled', async () => {
    const frugal = await startTestGateway(config());
    try {
      const reply = await send(frugal.baseUrl.replace(/\/v1$/, ''), 'POST', '/v1/feedback', undefined, { request_id: 'frg-1', score: 1 });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'not_supported' });
    } finally {
      await frugal.close();
    }
  });
});
