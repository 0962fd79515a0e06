// Child-process entry: the least a Node HTTP hop can do — read the body, POST it upstream with undici,
// pipe the answer back. Its added latency is the floor for any Node gateway on this machine, which says
// how much of a gateway's overhead is its own work and how much is the extra process hop.
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';

const upstream = process.argv[2];
const dispatcher = new Agent({ connections: 128, keepAliveTimeout: 60_000 });

const server = createServer((req, res) => {
  void (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await request(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks), dispatcher });
    const contentType = String(answer.headers['content-type'] ?? 'application/json');
    if (contentType.startsWith('text/event-stream')) {
      res.writeHead(answer.statusCode, { 'content-type': contentType });
      await pipeline(answer.body, res);
      return;
    }
    // A whole JSON answer leaves in one write with its length, as a gateway that has parsed it would send it.
    const json = Buffer.from(await answer.body.arrayBuffer());
    res.writeHead(answer.statusCode, { 'content-type': contentType, 'content-length': json.length });
    res.end(json);
  })().catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: String(error), type: 'server_error', param: null, code: null } }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.once('disconnect', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));
