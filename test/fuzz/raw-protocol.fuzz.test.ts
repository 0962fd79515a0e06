import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_MODEL, startFuzzGateway, type FuzzGateway } from './fuzz-gateway.js';
import { assertFuzz } from './fuzz-run.js';
import { abbreviate, sendBytes } from './raw-http.js';
import { expectWellFormedReply } from './reply-invariants.js';

// What no HTTP client library will send: broken request lines, header injection, conflicting framing.
// Node's parser rejects most of it before Fastify runs; the reply must still be in OpenAI's error shape.
let frugal: FuzzGateway;
beforeAll(async () => {
  frugal = await startFuzzGateway({ ledger: 'sqlite' });
});
afterAll(async () => frugal?.close());

const BODY = JSON.stringify({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'hello' }] });

const requestLine = fc.oneof(
  { weight: 3, arbitrary: fc.constant('POST /v1/chat/completions HTTP/1.1') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'post /v1/chat/completions HTTP/1.1', 'POST  /v1/chat/completions HTTP/1.1', 'POST /v1/chat/completions HTTP/1.0', 'POST /v1/chat/completions HTTP/2.0',
      'POST /v1/chat/completions HTTP/1.1 extra', 'POST /v1/chat/completions', 'POST', 'POST\t/v1/chat/completions\tHTTP/1.1', 'POST http://127.0.0.1/v1/chat/completions HTTP/1.1',
      'POST /v1/chat/completions\u0000 HTTP/1.1', 'POST /v1/chat%00/completions HTTP/1.1', 'POST /v1/chat/completions?%zz HTTP/1.1', 'GET /%ff%fe HTTP/1.1', 'GET /%c0%ae%c0%ae/ HTTP/1.1',
      'BREW /v1/chat/completions HTTP/1.1', 'CONNECT 127.0.0.1:443 HTTP/1.1', 'CONNECT /v1/chat/completions HTTP/1.1', 'G\u00c9T / HTTP/1.1', 'GET * HTTP/1.1', 'GET /\u00e9\u0301 HTTP/1.1', `GET /${'a'.repeat(20_000)} HTTP/1.1`, `GET /v1/models?${'x='.repeat(5_000)} HTTP/1.1`, '',
    ),
  },
);

/** Header lines, some breaking the grammar: CR or LF in a value, NUL, no colon, obsolete folding, huge. */
const headerLine = fc.oneof(
  fc.constantFrom(
    'content-type: application/json', 'x-frugal-tags: team=a\rteam=b', 'x-request-id: a\u0000b', 'x-frugal-cache: \u0001', 'no-colon-here', ': empty-name', 'bad name: x',
    ' folded: continuation', 'x-folded: a\r\n b', 'x-frugal-max-cost-usd: 1\n', 'authorization: Bearer \u00ff\u00fe', 'host: 127.0.0.1', 'host: other', `x-big: ${'b'.repeat(20_000)}`,
    'expect: 100-continue', 'expect: nonsense', 'upgrade: h2c', 'connection: upgrade', 'te: trailers', 'content-encoding: gzip', 'content-encoding: br',
  ),
  fc.array(fc.constantFrom('x-frugal-tags: a=b', 'x-request-id: r', 'x-frugal-cache: no-store'), { minLength: 100, maxLength: 400 }).map((lines) => lines.join('\r\n')),
);

/** How the body is framed; every variant is complete, so a server that waits for more is hanging, not waiting. */
const framing = fc.constantFrom<Array<[string, string]>>(
  [['content-length', String(Buffer.byteLength(BODY))], ['', BODY]],
  [['content-length', 'abc'], ['', BODY]],
  [['content-length', '-1'], ['', BODY]],
  [['content-length', `${Buffer.byteLength(BODY)}, 3`], ['', BODY]],
  [['content-length', '99999999999999999999'], ['', '']],
  [['transfer-encoding', 'chunked'], ['', `${Buffer.byteLength(BODY).toString(16)}\r\n${BODY}\r\n0\r\n\r\n`]],
  [['transfer-encoding', 'chunked'], ['', 'zz\r\nhello\r\n0\r\n\r\n']],
  [['transfer-encoding', 'chunked'], ['content-length', '3'], ['', '3\r\nabc\r\n0\r\n\r\n']],
  [['transfer-encoding', 'gzip, chunked'], ['', '3\r\nabc\r\n0\r\n\r\n']],
  [['transfer-encoding', 'identity'], ['', '']],
  [['content-length', '0'], ['', '']],
);

function assemble(line: string, headers: string[], frame: Array<[string, string]>, host: boolean): Buffer {
  const lines = [line, ...(host ? ['host: 127.0.0.1'] : []), 'connection: close', 'content-type: application/json', ...headers];
  let body = '';
  for (const [name, value] of frame) {
    if (name === '') body = value;
    else lines.push(`${name}: ${value}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

describe('fuzz: raw HTTP protocol', { timeout: 90_000 }, () => {
  it('answers malformed request lines, headers and framing in OpenAI error shape (or serves them), and never hangs', async () => {
    await assertFuzz(200, [requestLine, fc.array(headerLine, { maxLength: 3 }), framing, fc.boolean()], async (line, headers, frame, host) => {
      const bytes = assemble(line, headers, frame, host);
      const what = `raw ${JSON.stringify(abbreviate(bytes.toString('utf8')))}`;
      const reply = await sendBytes(frugal.port, bytes).catch((error: Error) => {
        throw new Error(`${error.message}: ${what}`);
      });
      expectWellFormedReply(reply, what);
    });
  });

  it('still serves, moved no circuit breaker, and the SQLite ledger still writes', async () => {
    expect(frugal.breakerMoves).toEqual([]);
    await frugal.expectLedgerStillWriting();
  });
});
