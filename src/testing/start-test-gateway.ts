import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createGateway, type Gateway } from '../pipeline/create-gateway.js';
import { createServer } from '../server/create-server.js';
import type { ResponseStore } from '../responses/response-store.js';

export interface TestGateway {
  gateway: Gateway;
  /** http://127.0.0.1:PORT/v1 — what an SDK's baseURL gets. */
  baseUrl: string;
  /** Ledger rows recorded so far, in the order requests finished. */
  rows: LedgerRow[];
  /** Resolves once `count` rows are recorded (streams record when they end). */
  waitForRows(count: number, timeoutMs?: number): Promise<LedgerRow[]>;
  close(): Promise<void>;
}

/** A real Frugal server on a random loopback port, its ledger rows collected in memory. */
export async function startTestGateway(
  config: Record<string, unknown>,
  env: Record<string, string | undefined> = {},
  /** Stored responses for /v1/responses (default: the route's in-memory store); closed by the caller. */
  options: { responses?: ResponseStore } = {},
): Promise<TestGateway> {
  const rows: LedgerRow[] = [];
  const waiters: Array<() => void> = [];
  const gateway = await createGateway({
    config,
    env,
    ledger: {
      record(row) {
        rows.push(row);
        for (const wake of waiters.splice(0)) wake();
      },
    },
  });
  const app = createServer({ gateway, logger: pino({ level: 'silent' }), responses: options.responses });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    gateway,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    rows,
    async waitForRows(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (rows.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} ledger rows, got ${rows.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return rows;
    },
    async close() {
      // Tests need no grace period: keep-alive sockets of SDK clients would otherwise hold close() open.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await gateway.close();
    },
  };
}
