import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_MODEL, EMBEDDING_MODEL, startFuzzGateway, type FuzzGateway } from './fuzz-gateway.js';
import { assertFuzz } from './fuzz-run.js';
import { chatBody, embeddingsBody, modelName } from './hostile.js';
import { abbreviate, sendRaw, type RawRequest } from './raw-http.js';
import { expectWellFormedReply } from './reply-invariants.js';

// Keys off (the open gateway), SQLite ledger: every body reaches validation, the caches, the router and the ledger.
let frugal: FuzzGateway;
beforeAll(async () => {
  frugal = await startFuzzGateway({ ledger: 'sqlite' });
});
afterAll(async () => frugal?.close());

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/json\u0000', ''];
const contentType = fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) });

async function post(path: string, body: string, type: string) {
  const request: RawRequest = { method: 'POST', path, headers: type === '' ? [] : [['content-type', type]], body };
  const what = () => `POST ${path} content-type=${JSON.stringify(type)} body=${JSON.stringify(abbreviate(body))}`;
  const reply = await sendRaw(frugal.port, request).catch((error: Error) => {
    throw new Error(`${error.message}: ${what()}`);
  });
  expectWellFormedReply(reply, what);
}

const chatModels = modelName([CHAT_MODEL, 'ladder', 'either', 'auto']);

describe('fuzz: request bodies (keys off)', { timeout: 90_000 }, () => {
  it('answers hostile chat bodies with a success or an OpenAI-shaped 4xx', async () => {
    await assertFuzz(300, [chatBody(chatModels, false), contentType], (body, type) => post('/v1/chat/completions', body, type));
  });

  it('answers hostile streaming chat bodies with a success (ending in [DONE]) or an OpenAI-shaped 4xx', async () => {
    await assertFuzz(100, [chatBody(chatModels, true), contentType], (body, type) => post('/v1/chat/completions', body, type));
  });

  it('answers hostile embeddings bodies with a success or an OpenAI-shaped 4xx', async () => {
    await assertFuzz(150, [embeddingsBody(modelName([EMBEDDING_MODEL, CHAT_MODEL])), contentType], (body, type) => post('/v1/embeddings', body, type));
  });

  it('still serves, moved no circuit breaker, and the SQLite ledger still writes', async () => {
    expect(frugal.breakerMoves).toEqual([]);
    await frugal.expectLedgerStillWriting();
  });
});
