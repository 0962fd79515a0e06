import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createRouteRateMonitor, type RouteRateAlert } from './route-rate-alerts.js';

const row = (trace: string, status: LedgerRow['status'] = 'ok') => ({ routeTrace: trace, status }) as LedgerRow;

describe('route rate alerts', () => {
  it('alerts once per window when the escalation or error rate passes its baseline', () => {
    const sent: Array<[RouteRateAlert, string]> = [];
    let clock = 600_000;
    const monitor = createRouteRateMonitor(
      [{ route: 'support', maxEscalationRate: 0.3, maxErrorRate: 0.1, windowMs: 600_000, minRequests: 10 }],
      (alert, key) => sent.push([alert, key]),
      () => clock,
    );
    for (let i = 0; i < 6; i += 1) monitor.observe(row('support>cascade>cheap'));
    for (let i = 0; i < 4; i += 1) monitor.observe(row('support>cascade:cheap(fail:not_refusal)>strong'));
    // 4 of 10 escalated: above 30%; errors 0 of 10.
    expect(sent.map(([alert]) => [alert.metric, alert.rate])).toEqual([['escalation_rate', 0.4]]);
    monitor.observe(row('other>cascade:x(fail:finished)>y', 'error'));
    monitor.observe(row('support>cascade>cheap', 'error'));
    monitor.observe(row('support>cascade>cheap', 'error'));
    expect(sent.at(-1)![0]).toMatchObject({ metric: 'error_rate', requests: 12 });
    expect(new Set(sent.map(([, key]) => key)).size).toBeLessThan(sent.length + 1);
    clock += 600_000;
    monitor.observe(row('support>cascade:cheap(fail:judge)>strong'));
    // A new window starts counting from zero: one request is below min_requests.
    expect(sent.filter(([alert]) => alert.windowStart === new Date(1_200_000).toISOString())).toHaveLength(0);
  });
});

describe('route rate alerts through the gateway', () => {
  it('posts a route_rate alert to the webhook when a cascade escalates too often', async () => {
    const { createServer } = await import('node:http');
    const { createGateway } = await import('../pipeline/create-gateway.js');
    const received: unknown[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const port = (hook.address() as { port: number }).port;
    const gateway = await createGateway({
      env: {},
      config: {
        providers: { sim: { kind: 'simulated', output_tokens: 4 } },
        models: [
          { name: 'tiny', provider: 'sim', price: { input: 1, output: 1 } },
          { name: 'big', provider: 'sim', price: { input: 2, output: 2 } },
        ],
        // max_tokens 2 < 4 words: the tiny tier always ends with finish_reason "length" and escalates.
        routes: { support: { strategy: 'cascade', tiers: ['tiny', 'big'], checks: ['finished'] } },
        alerts: { webhook_url: `http://127.0.0.1:${port}/hook`, routes: { support: { max_escalation_rate: 0.5, min_requests: 3 } } },
        cache: { enabled: false },
      },
    });
    for (let i = 0; i < 3; i += 1) await gateway.chat({ model: 'support', max_tokens: 2, messages: [{ role: 'user', content: `q${i}` }] });
    for (let i = 0; i < 50 && received.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: 'route_rate', route: 'support', metric: 'escalation_rate', rate: 1, baseline: 0.5, requests: 3 });
    await gateway.close();
    await new Promise((resolve) => hook.close(resolve));
  });
});
