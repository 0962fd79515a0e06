import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BudgetAlert } from './budget-alert.js';
import { createMemoryBudgetStore } from './memory-budget-store.js';
import { createWebhookAlerter } from './webhook-alerts.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A local webhook receiver answering with the given statuses in turn (then 200). */
async function startReceiver(statuses: number[]) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const alert: BudgetAlert = {
  scopeId: 'team:growth',
  budget: 'team:growth (month)',
  period: 'month',
  periodId: '2026-11',
  periodEndMs: Date.UTC(2026, 11, 1),
  threshold: 80,
  spentNanos: 40_000_000_000,
  limitNanos: 50_000_000_000,
  hard: true,
  at: Date.UTC(2026, 10, 23, 12),
};

const noWait = async () => {};

describe('createWebhookAlerter', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('posts the alert as JSON, retrying after a failed first attempt', async () => {
    const receiver = await startReceiver([503]);
    closers.push(receiver.close);
    const waits: number[] = [];
    const alerter = createWebhookAlerter({
      url: receiver.url,
      headers: { authorization: 'Bearer hook-secret' },
      backoffMs: 40,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(await alerter.notify(alert)).toBe(true);
    expect(receiver.received).toHaveLength(2);
    expect(waits).toEqual([40]);
    expect(receiver.received[1].headers['content-type']).toBe('application/json');
    expect(receiver.received[1].headers.authorization).toBe('Bearer hook-secret');
    expect(receiver.received[1].body).toEqual({
      type: 'budget_threshold',
      scope: 'team:growth',
      budget: 'team:growth (month)',
      threshold: 80,
      spentNanos: 40_000_000_000,
      limitNanos: 50_000_000_000,
      period: 'month',
      periodId: '2026-11',
      hard: true,
      at: '2026-11-23T12:00:00.000Z',
      text: "Budget 'team:growth (month)' reached 80% in 2026-11: $40.00 of $50.00.",
    });
  });

  it('backs off exponentially and gives up after the retries, then lets a later sighting try again', async () => {
    const receiver = await startReceiver([500, 502, 503, 500, 200]);
    closers.push(receiver.close);
    const waits: number[] = [];
    const givenUp: string[] = [];
    const alerter = createWebhookAlerter({
      url: receiver.url,
      retries: 3,
      backoffMs: 10,
      sleep: async (ms) => void waits.push(ms),
      onGiveUp: (_alert, reason) => void givenUp.push(reason),
    });
    expect(await alerter.notify(alert)).toBe(false);
    expect(receiver.received).toHaveLength(4);
    expect(waits).toEqual([10, 20, 40]);
    expect(givenUp).toEqual(['HTTP 500']);
    expect(await alerter.notify(alert)).toBe(true);
    expect(receiver.received).toHaveLength(5);
  });

  it('does not retry a client error', async () => {
    const receiver = await startReceiver([404]);
    closers.push(receiver.close);
    const givenUp: string[] = [];
    const alerter = createWebhookAlerter({ url: receiver.url, sleep: noWait, onGiveUp: (_alert, reason) => void givenUp.push(reason) });
    expect(await alerter.notify(alert)).toBe(false);
    expect(receiver.received).toHaveLength(1);
    expect(givenUp).toEqual(['HTTP 404']);
  });

  it('retries when the receiver cannot be reached', async () => {
    const receiver = await startReceiver([]);
    await receiver.close(); // nothing listens on that port any more
    const givenUp: string[] = [];
    const alerter = createWebhookAlerter({ url: receiver.url, retries: 2, sleep: noWait, onGiveUp: (_alert, reason) => void givenUp.push(reason) });
    expect(await alerter.notify(alert)).toBe(false);
    expect(givenUp).toHaveLength(1);
    expect(givenUp[0]).not.toMatch(/^HTTP/);
  });

  it('sends each scope, period and threshold once, also across alerters sharing a store', async () => {
    const receiver = await startReceiver([]);
    closers.push(receiver.close);
    const store = createMemoryBudgetStore({ now: () => alert.at });
    const one = createWebhookAlerter({ url: receiver.url, dedupe: store, sleep: noWait });
    const two = createWebhookAlerter({ url: receiver.url, dedupe: store, sleep: noWait });
    const sent = await Promise.all([one.notify(alert), two.notify(alert), one.notify(alert), two.notify({ ...alert, threshold: 100 })]);
    expect(sent).toEqual([true, false, false, true]);
    expect(await one.notify({ ...alert, periodId: '2026-12', periodEndMs: Date.UTC(2027, 0, 1) })).toBe(true);
    expect(receiver.received.map((request) => (request.body as { threshold: number }).threshold)).toEqual([80, 100, 80]);
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const alerter = createWebhookAlerter({
      url: 'https://hooks.example.invalid/frugal',
      fetch: async (url, init) => {
        calls.push(`${init.method} ${url} ${JSON.parse(init.body).scope}`);
        return { status: 204 };
      },
    });
    expect(await alerter.notify(alert)).toBe(true);
    expect(calls).toEqual(['POST https://hooks.example.invalid/frugal team:growth']);
  });
});
