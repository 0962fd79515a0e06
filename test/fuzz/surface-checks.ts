import fc from 'fast-check';
import { abbreviate, sendRaw, type RawReply, type RawRequest } from './raw-http.js';
import { expectWellFormedReply } from './reply-invariants.js';
import { PROVIDER_SECRET, SURFACES_MASTER_KEY, type SurfacesGateway } from './surfaces-gateway.js';

export type Header = [string, string];

export const describeRequest = (request: RawRequest) =>
  `${request.method} ${JSON.stringify(abbreviate(request.path, 200))} headers=${abbreviate(JSON.stringify(request.headers ?? []), 300)} body=${abbreviate(typeof request.body === 'string' ? request.body : (request.body?.toString('latin1') ?? ''), 300)}`;

/** Every credential of the gateway: none may come back in an error or reach the log, wherever a client put it. */
export function secretsOf(frugal: SurfacesGateway): string[] {
  return [...frugal.apiKeys, SURFACES_MASTER_KEY, PROVIDER_SECRET];
}

/** A value a client may type, with the gateway's own credentials among them (pasted into the wrong field). */
export function secretOrHostile(frugal: SurfacesGateway, hostile: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: fc.constantFrom(...secretsOf(frugal)) });
}

export const bearer = (key: string): Header => ['authorization', `Bearer ${key}`];
export const JSON_TYPE: Header = ['content-type', 'application/json'];

/**
 * Sends the request and checks what every reply must be (a success or an OpenAI-shaped 4xx from the catalog,
 * never a 5xx, never a hang) and that an error names no credential. Returns the reply for further checks.
 */
export async function sendChecked(frugal: SurfacesGateway, request: RawRequest): Promise<RawReply> {
  const what = () => describeRequest(request);
  const reply = await sendRaw(frugal.port, request).catch((error: Error) => {
    throw new Error(`${error.message}: ${what()}`);
  });
  expectWellFormedReply(reply, what);
  if (reply.status >= 400) expectNoSecret(frugal, reply.body, () => `the error of ${what()}`);
  return reply;
}

export function expectNoSecret(frugal: SurfacesGateway, text: string, where: () => string): void {
  for (const secret of secretsOf(frugal)) {
    const at = text.indexOf(secret);
    if (at >= 0) throw new Error(`a credential (${secret.slice(0, 8)}…) came back in ${where()}: …${abbreviate(text.slice(Math.max(0, at - 400), at + 200), 700)}…`);
  }
}

/** The error object of a 4xx reply. */
export function errorOf(reply: RawReply): { message: string; type: string; param: string | null; code: string | null } {
  return (JSON.parse(reply.body) as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
}

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  content: string | Buffer;
}

/** A multipart/form-data body as written on the wire. */
export function multipartBody(boundary: string, parts: readonly MultipartPart[], { closed = true }: { closed?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.contentType === undefined ? '' : `Content-Type: ${part.contentType}\r\n`}\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content, 'utf8'), Buffer.from('\r\n'));
  }
  if (closed) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** One valid batch input line. */
export function batchLine(customId: string, model = 'sim-chat', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: 'hi' }], ...extra } });
}

/** Uploads a JSONL file as `key`'s and returns its id (throws when the upload is refused). */
export async function uploadFile(frugal: SurfacesGateway, key: string, content: string): Promise<string> {
  const boundary = 'probe-boundary-1';
  const reply = await sendChecked(frugal, {
    method: 'POST',
    path: '/v1/files',
    headers: [bearer(key), ['content-type', `multipart/form-data; boundary=${boundary}`]],
    body: multipartBody(boundary, [
      { name: 'purpose', content: 'batch' },
      { name: 'file', filename: 'input.jsonl', contentType: 'application/jsonl', content },
    ]),
  });
  if (reply.status !== 200) throw new Error(`a valid upload was refused: ${reply.status} ${reply.body.slice(0, 300)}`);
  return (JSON.parse(reply.body) as { id: string }).id;
}

/** Creates a batch on `fileId` as `key`'s and returns its id. */
export async function createBatch(frugal: SurfacesGateway, key: string, fileId: string): Promise<string> {
  const reply = await sendChecked(frugal, {
    method: 'POST',
    path: '/v1/batches',
    headers: [bearer(key), JSON_TYPE],
    body: JSON.stringify({ input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' }),
  });
  if (reply.status !== 200) throw new Error(`a valid batch was refused: ${reply.status} ${reply.body.slice(0, 300)}`);
  return (JSON.parse(reply.body) as { id: string }).id;
}
