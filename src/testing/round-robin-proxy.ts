import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A load balancer in front of several gateway instances, as small as a test needs. */
export interface RoundRobinProxy {
  url: string;
  /** Which backend (index into the list) answered each request, by its x-frugal-request-id. */
  servedBy: Map<string, number>;
  /** Replies (of any status) each backend began, by index. */
  answered: number[];
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business on each side.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/**
 * Round-robin over `backends` (base URLs), forwarding bodies and streamed replies as they come. Like a real
 * balancer it tries the following backends in turn when one refuses the connection (nothing reached it, so nothing can
 * happen twice), and never retries once a request may have arrived: a backend dying mid-reply cuts the
 * client's connection, so a client never mistakes a truncated reply for a complete one.
 *
 * @example
 * const proxy = await startRoundRobinProxy(['http://127.0.0.1:4001', 'http://127.0.0.1:4002']);
 * new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey });
 */
export async function startRoundRobinProxy(backends: readonly string[]): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const servedBy = new Map<string, number>();
  const answered = backends.map(() => 0);
  let next = 0;

  function forward(incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer, index: number, triesLeft: number) {
    const target = new URL(incoming.url ?? '/', backends[index]);
    const upstream = httpRequest(target, { method: incoming.method, headers: { ...endToEnd(incoming.headers), 'content-length': String(body.length) }, agent });
    upstream.on('response', (reply) => {
      answered[index] += 1;
      const id = reply.headers['x-frugal-request-id'];
      if (typeof id === 'string') servedBy.set(id, index);
      outgoing.writeHead(reply.statusCode ?? 502, endToEnd(reply.headers));
      reply.pipe(outgoing);
      // Ended early (the backend died): cut the client off rather than end its reply cleanly.
      reply.on('close', () => {
        if (!reply.complete) outgoing.destroy();
      });
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (outgoing.headersSent) {
        outgoing.destroy();
      } else if (error.code === 'ECONNREFUSED' && triesLeft > 1) {
        forward(incoming, outgoing, body, (index + 1) % backends.length, triesLeft - 1);
      } else {
        outgoing.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `proxy: ${error.code ?? error.message}`, type: 'proxy_error' } }));
      }
    });
    upstream.end(body);
  }

  const server = createServer((incoming, outgoing) => {
    const parts: Buffer[] = [];
    incoming.on('data', (part: Buffer) => parts.push(part));
    incoming.on('end', () => forward(incoming, outgoing, Buffer.concat(parts), next++ % backends.length, backends.length));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    servedBy,
    answered,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
