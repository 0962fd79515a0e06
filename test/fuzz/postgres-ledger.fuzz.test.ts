import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../../src/testing/services.js';
import { CHAT_MODEL, EMBEDDING_MODEL, startFuzzGateway, type FuzzGateway } from './fuzz-gateway.js';
import { headerValue } from './fuzz-requests.js';
import { assertFuzz } from './fuzz-run.js';
import { hostileString } from './hostile.js';
import { abbreviate, sendRaw, type RawRequest } from './raw-http.js';
import { expectWellFormedReply } from './reply-invariants.js';

// The text PostgreSQL cannot store (NUL, lone surrogates, huge values) in every field that reaches a ledger
// column — model, user, tags from the header and from metadata, request id — against the real database.
const up = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'the PostgreSQL ledger fuzz');

let frugal: FuzzGateway | undefined;
beforeAll(async () => {
  if (up) frugal = await startFuzzGateway({ ledger: 'postgres' });
});
afterAll(async () => frugal?.close());

const ledgerText = fc.oneof({ weight: 3, arbitrary: hostileString }, { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((size) => `u${'\u0000'.repeat(size % 7)}${'x'.repeat(size)}`) });

const request = fc
  .record({
    model: fc.oneof(fc.constant(CHAT_MODEL), fc.constant('ladder'), ledgerText),
    user: fc.option(ledgerText),
    metadata: fc.option(fc.dictionary(ledgerText, ledgerText, { maxKeys: 3 })),
    tags: fc.option(headerValue),
    requestId: fc.option(headerValue),
    content: ledgerText,
    stream: fc.boolean(),
    embeddings: fc.boolean(),
  })
  .map(({ model, user, metadata, tags, requestId, content, stream, embeddings }): RawRequest => {
    const headers: Array<[string, string]> = [['content-type', 'application/json']];
    if (tags !== null) headers.push(['x-frugal-tags', tags]);
    if (requestId !== null) headers.push(['x-request-id', requestId]);
    const body = embeddings
      ? { model: model === CHAT_MODEL ? EMBEDDING_MODEL : model, input: content, ...(user === null ? {} : { user }) }
      : { model, stream, temperature: 0, messages: [{ role: 'user', content }], ...(user === null ? {} : { user }), ...(metadata === null ? {} : { metadata }) };
    return { method: 'POST', path: embeddings ? '/v1/embeddings' : '/v1/chat/completions', headers, body: JSON.stringify(body) };
  });

describe.runIf(up)('fuzz: the PostgreSQL ledger under hostile text', { timeout: 90_000 }, () => {
  it('answers every request with a success or an OpenAI-shaped 4xx', async () => {
    await assertFuzz(150, [request], async (sent) => {
      const what = () => `${sent.method} ${sent.path} headers=${abbreviate(JSON.stringify(sent.headers))} body=${abbreviate(String(sent.body))}`;
      const reply = await sendRaw(frugal!.port, sent).catch((error: Error) => {
        throw new Error(`${error.message}: ${what()}`);
      });
      expectWellFormedReply(reply, what);
    });
  });

  it('still serves, moved no circuit breaker, and the PostgreSQL ledger still writes', async () => {
    expect(frugal!.breakerMoves).toEqual([]);
    await frugal!.expectLedgerStillWriting();
  });
});
