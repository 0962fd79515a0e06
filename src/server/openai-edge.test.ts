import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.js';
import { sendBytes, sendRaw, type RawReply } from '../testing/send-raw.js';
import { startTestGateway, type TestGateway } from '../testing/start-test-gateway.js';

let frugal: TestGateway;
let port: number;
beforeAll(async () => {
  frugal = await startTestGateway({
    server: { max_header_bytes: 4096 },
    providers: { sim: { kind: 'simulated', output_tokens: 2 } },
    models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } }],
  });
  port = Number(new URL(frugal.baseUrl).port);
});
afterAll(async () => frugal?.close());

/** The reply is OpenAI's error JSON with `code`, at the status the catalog gives that code. */
function expectError(reply: RawReply, code: ErrorCode): void {
  expect(reply.status, reply.body).toBe(ERROR_CODES[code].status);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(reply.body)).toEqual({ error: { message: expect.any(String), type: ERROR_CODES[code].type, param: null, code } });
}

describe('every reply is in the API error shape', () => {
  it('answers headers larger than server.max_header_bytes with a 431', async () => {
    expectError(await sendRaw(port, `GET /v1/models HTTP/1.1\r\nx-padding: ${'a'.repeat(8000)}`), 'headers_too_large');
    expectError(await sendRaw(port, `GET /v1/models?${'q'.repeat(8000)} HTTP/1.1`), 'headers_too_large');
  });

  it('answers a malformed %-escape (FST_ERR_BAD_URL) with a 400 invalid_path', async () => {
    for (const path of ['/v1/%zz', '/v1/models/%', '/v1/models/%c0%af', '/%E0%A4%A']) {
      expectError(await sendRaw(port, `GET ${path} HTTP/1.1`), 'invalid_path');
    }
  });

  it('answers what the HTTP parser refuses (bad request line, header, chunking, version) with a 400', async () => {
    const malformed = [
      'GARBAGE\r\n\r\n',
      'GET /v1/models HTTP/9.9\r\nhost: x\r\n\r\n',
      'GET /v1/models HTTP/1.1\r\nbad header\r\n\r\n',
      'GET /v1/models HTTP/1.1\r\nhost: x\r\nx-a: b\u0000c\r\n\r\n',
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab',
    ];
    for (const request of malformed) expectError(await sendBytes(port, Buffer.from(request, 'latin1')), 'invalid_request');
  });

  it('answers a wrong media type and a body cut short in the shape', async () => {
    const wrongType = await sendRaw(port, 'POST /v1/chat/completions HTTP/1.1\r\ncontent-type: application/x-unknown', '{}');
    expectError(wrongType, 'unsupported_media_type');
    const badLength = await sendBytes(port, Buffer.from('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10\r\nconnection: close\r\n\r\n{}'));
    // The body ended before its Content-Length: Node's parser reports it, and the answer is still shaped.
    expectError(badLength, 'invalid_request');
  });
});
