import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatedBatchProxy {
  /** …/v1, for a provider's base_url. */
  baseUrl: string;
  /** Resolves when the batch-create call has arrived (and is being held). */
  reached: Promise<void>;
  /** Lets the held batch-create call through. */
  release: () => void;
  close: () => Promise<void>;
}

/**
 * Test support: a pass-through proxy in front of a mock provider that holds the batch-create call until the test lets
 * it go, so a cancel lands while a submission is on its way, every time, with no timing. `refuseCancel` answers every
 * batch cancel with a 500: the provider then runs, and bills, lines Frugal already reported cancelled.
 */
export async function startGatedBatchProxy(target: string, { refuseCancel = false }: { refuseCancel?: boolean } = {}): Promise<GatedBatchProxy> {
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'POST' && req.url === '/v1/batches') {
      arrived();
      await released;
    }
    if (refuseCancel && req.method === 'POST' && req.url?.endsWith('/cancel')) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'cancel is unavailable', type: 'server_error', param: null, code: null } }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name] as string;
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, reached, release, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
