import { connect } from 'node:net';

/** A request exactly as written on the wire: no client normalises the path, validates headers or fixes the body. */
export interface RawRequest {
  method: string;
  /** The request target as sent: percent-encodings, dot segments and double slashes stay as they are. */
  path: string;
  /** Pairs, so a header may repeat; names and values are written as given, UTF-8 encoded. */
  headers?: Array<[string, string]>;
  body?: string | Buffer;
}

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// An answer that takes longer than this is a hang, not a slow reply: every fuzz request is small work.
const HANG_MS = 15_000;

/**
 * Sends one request on its own connection (`Connection: close`) and reads the whole answer.
 * SDKs and undici refuse hostile shapes (CR/LF in values, bad targets), which is exactly what is probed here.
 */
export function sendRaw(port: number, request: RawRequest): Promise<RawReply> {
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const lines = [`${request.method} ${request.path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`content-length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return sendBytes(port, body === undefined ? head : Buffer.concat([head, body]), request.method === 'HEAD');
}

/** Writes bytes as they are (malformed request lines included) and parses what comes back. */
export function sendBytes(port: number, bytes: Buffer, head = false): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const received: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      socket.destroy();
      reject(new Error(`no complete answer within ${HANG_MS} ms (the server hung)`));
    }, HANG_MS);
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve(parseReply(Buffer.concat(received)));
      } catch (error) {
        reject(error);
      }
    };
    socket.on('data', (chunk) => {
      received.push(chunk);
      // A framed answer is complete when its framing says so, whether or not the server closes (it need not
      // close a finished stream promptly even after `connection: close`; that is no hang for a real client).
      if (isComplete(Buffer.concat(received), head)) settle();
    });
    // The server may close before reading everything we wrote (it answered early): that is not our failure.
    socket.on('error', () => undefined);
    socket.on('close', settle);
    // write, not end: a half-closed socket reads as a client that left, and the gateway rightly stops serving it.
    // `connection: close` makes the server close once it has answered.
    socket.write(bytes);
  });
}

/** Whether the bytes hold a whole final answer: its head, then Content-Length bytes or the last chunk. */
function isComplete(bytes: Buffer, head: boolean): boolean {
  const final = skipInterim(bytes);
  const split = final.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const headText = final.subarray(0, split).toString('latin1').toLowerCase();
  const status = Number(headText.slice(9, 12));
  if (head || status === 204 || status === 304) return true;
  const body = final.subarray(split + 4);
  const length = /\r\ncontent-length:\s*(\d+)/.exec(headText)?.[1];
  if (length !== undefined) return body.length >= Number(length);
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(headText)) return body.subarray(-5).toString('latin1') === '0\r\n\r\n';
  return false;
}

/** Interim 1xx answers (100 Continue after `expect: 100-continue`) come before the real one. */
function skipInterim(received: Buffer): Buffer {
  let bytes = received;
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 16).toString('latin1')) && bytes.indexOf('\r\n\r\n') >= 0) bytes = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  return bytes;
}

function parseReply(received: Buffer): RawReply {
  const bytes = skipInterim(received);
  const split = bytes.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`the server closed the connection without a complete answer (${bytes.length} bytes: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))})`);
  const [statusLine, ...headerLines] = bytes.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(split + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(body);
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Text for a failure message: long runs of one repeated unit shortened ("x=" × 5000), the rest cut at `max`. */
export function abbreviate(text: string, max = 600): string {
  const shortened = text.replace(/(.{1,4}?)\1{19,}/gs, (run, unit: string) => `${unit}…×${run.length / unit.length}…`);
  return shortened.length > max ? `${shortened.slice(0, max)}… (${text.length} chars)` : shortened;
}
