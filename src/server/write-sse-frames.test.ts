import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSseFrames } from './write-sse-frames.js';

let server: Server | undefined;
afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('writeSseFrames', () => {
  it('waits for a slow client without piling listeners on the response', async () => {
    const frame = `data: ${'x'.repeat(16 * 1024)}\n\n`;
    let drains = 0;
    let mostClose = 0;
    let mostError = 0;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    server = createServer((_request, response) => {
      response.on('drain', () => (drains += 1));
      async function* frames() {
        for (let index = 0; index < 400; index += 1) {
          mostClose = Math.max(mostClose, response.listenerCount('close'));
          mostError = Math.max(mostError, response.listenerCount('error'));
          yield frame;
        }
      }
      void writeSseFrames(response, {}, frames(), { trailer: 'data: [DONE]\n\n', errorFrame: () => '' }).then(finished);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // A client that reads slowly: the server's writes fill the socket and wait for 'drain' again and again.
    const received = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/' }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          response.pause();
          setTimeout(() => response.resume(), 1);
        });
        response.on('end', () => resolve(bytes));
      }).on('error', reject);
    });
    await done;
    expect(received).toBeGreaterThan(400 * 16 * 1024);
    expect(drains).toBeGreaterThan(5);
    // Node's own listeners plus ours while a wait is on; never one more per wait.
    expect(mostClose).toBeLessThanOrEqual(4);
    expect(mostError).toBeLessThanOrEqual(4);
  });
});
