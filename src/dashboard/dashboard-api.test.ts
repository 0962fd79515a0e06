import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.mjs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookAlerter } from '../budget/webhook-alerts.js';
import { runReportCli, runReviewCli } from '../testing/dashboard-report-cli.js';
import { DASHBOARD_MASTER_KEY, DASHBOARD_NOW, type DashboardGateway, startDashboardGateway } from '../testing/start-dashboard-gateway.js';
import { WORKLOAD_START } from '../ledger/ledger-store.case.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** A window cut mid-hour at both ends, so the rollup's hours and the rows at the edges both count. */
const SINCE = WORKLOAD_START + 7 * HOUR + 12 * 60_000;
const UNTIL = WORKLOAD_START + 250 * HOUR + 33_333;

let assetsDir: string;
let gateway: DashboardGateway;
beforeAll(async () => {
  assetsDir = await mkdtemp(join(tmpdir(), 'frugal-dashboard-assets-'));
  await buildDashboard(assetsDir);
  gateway = await startDashboardGateway({ assetsDir });
});
afterAll(async () => {
  await gateway?.close();
  await rm(assetsDir, { recursive: true, force: true });
});

async function api(path: string, key: string | null = DASHBOARD_MASTER_KEY, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.origin}${path}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

function withoutLatency(json: { rows: Array<Record<string, unknown>>; total?: unknown }): { rows: Array<Record<string, unknown>>; total?: unknown } {
  return { ...json, rows: json.rows.map(({ meanLatencyMs: _l, meanTtftMs: _t, ...row }) => row) };
}

describe('the dashboard API', () => {
  it('refuses a caller without a key, and a wrong key', async () => {
    expect((await api('/admin/api/overview', null)).status).toBe(401);
    expect((await api('/admin/api/spend?by=model', 'not-a-key-at-all-0123456')).status).toBe(401);
  });

  it('answers the spend explorer exactly as `frugal report --json` for the same window and filter', async () => {
    const query = `by=team&since=${SINCE}&until=${UNTIL}&where=status%3Dok`;
    const fromApi = JSON.parse((await api(`/admin/api/spend?${query}`)).text);
    const fromCli = JSON.parse(await runReportCli('--by', 'team', '--since', iso(SINCE), '--until', iso(UNTIL), '--where', 'status=ok', '--json', '--data-dir', gateway.dataDir));
    const { bucket: _bucket, series, ...report } = withoutLatency(fromApi) as Record<string, unknown>;
    expect(report).toEqual(fromCli);
    expect(fromCli.total.requests).toBeGreaterThan(10);
    expect(Array.isArray(series)).toBe(true);
  });

  it('downloads the CSV `frugal report --csv` prints, byte for byte', async () => {
    const query = `by=model&then=cache&since=${SINCE}&until=${UNTIL}&where=team%3Dgrowth&format=csv`;
    const response = await api(`/admin/api/spend?${query}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const cli = await runReportCli('--by', 'model', '--then', 'cache', '--since', iso(SINCE), '--until', iso(UNTIL), '--where', 'team=growth', '--csv', '--data-dir', gateway.dataDir);
    expect(response.text).toBe(cli);
    expect(cli.split('\r\n').length).toBeGreaterThan(3);
  });

  it('shows the overview windows with the totals of the report over the same spans', async () => {
    const until = WORKLOAD_START + 15 * 24 * HOUR + 5;
    const overview = JSON.parse((await api(`/admin/api/overview?until=${until}`)).text);
    const week = overview.windows.find((window: { name: string }) => window.name === '7d');
    const cli = JSON.parse(await runReportCli('--by', 'status', '--since', iso(until - 7 * 24 * HOUR), '--until', iso(until), '--json', '--data-dir', gateway.dataDir));
    expect(week.current).toEqual(cli.total);
    const previous = JSON.parse(await runReportCli('--by', 'status', '--since', iso(until - 14 * 24 * HOUR), '--until', iso(until - 7 * 24 * HOUR), '--json', '--data-dir', gateway.dataDir));
    expect(week.previous).toEqual(previous.total);
    expect(overview.savingsByDay.rows.length).toBe(15);
  });

  it('signs in with the master key for a session cookie that then stands for it', async () => {
    const response = await fetch(`${gateway.origin}/admin/api/session`, { method: 'POST', headers: { authorization: `Bearer ${DASHBOARD_MASTER_KEY}` } });
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).not.toContain(DASHBOARD_MASTER_KEY);
    const session = cookie.split(';')[0];
    const whoami = JSON.parse((await api('/admin/api/whoami', null, { cookie: session })).text);
    expect(whoami.viewer).toEqual({ kind: 'admin' });
    // A forged or stale session is no session: the page is asked to sign in (and data stays refused).
    expect(JSON.parse((await api('/admin/api/whoami', null, { cookie: `${session}x` })).text).viewer).toBeNull();
    expect((await api('/admin/api/overview', null, { cookie: `${session}x` })).status).toBe(401);
  });

  it("ends a virtual key's session when the key is revoked", async () => {
    const admin = { authorization: `Bearer ${DASHBOARD_MASTER_KEY}`, 'content-type': 'application/json' };
    const issued = (await (await fetch(`${gateway.origin}/admin/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'short-lived' }) })).json()) as { id: string; key: string };
    const signIn = await fetch(`${gateway.origin}/admin/api/session`, { method: 'POST', headers: { authorization: `Bearer ${issued.key}` } });
    expect(signIn.status).toBe(200);
    const session = signIn.headers.get('set-cookie')!.split(';')[0];
    expect(JSON.parse((await api('/admin/api/whoami', null, { cookie: session })).text).viewer).toEqual({ kind: 'key', keyId: issued.id });
    expect((await api('/admin/api/overview', null, { cookie: session })).status).toBe(200);
    expect((await fetch(`${gateway.origin}/admin/keys/${issued.id}/revoke`, { method: 'POST', headers: { authorization: admin.authorization } })).status).toBe(200);
    // The cookie is still well signed and within its hour, but its key is gone: no more of its spend.
    expect((await api('/admin/api/overview', null, { cookie: session })).status).toBe(401);
    expect(JSON.parse((await api('/admin/api/whoami', null, { cookie: session })).text).viewer).toBeNull();
  });

  it("ends a virtual key's session when the key is rotated: the plaintext it signed in with no longer works", async () => {
    const admin = { authorization: `Bearer ${DASHBOARD_MASTER_KEY}`, 'content-type': 'application/json' };
    const issued = (await (await fetch(`${gateway.origin}/admin/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'rotated' }) })).json()) as { id: string; key: string };
    const signIn = async (key: string) => (await fetch(`${gateway.origin}/admin/api/session`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).headers.get('set-cookie')!.split(';')[0];
    const before = await signIn(issued.key);
    expect((await api('/admin/api/overview', null, { cookie: before })).status).toBe(200);
    const rotated = (await (await fetch(`${gateway.origin}/admin/keys/${issued.id}/rotate`, { method: 'POST', headers: { authorization: admin.authorization } })).json()) as { key: string; rotated_at: string };
    expect(rotated.rotated_at).not.toBeNull();
    expect((await api('/admin/api/overview', null, { cookie: before })).status).toBe(401);
    // A session signed in with the new plaintext stands.
    expect((await api('/admin/api/overview', null, { cookie: await signIn(rotated.key) })).status).toBe(200);
  });

  it('shows a virtual key its own spend only, whatever it asks for', async () => {
    const { keyA, keyB } = gateway;
    const byKey = JSON.parse((await api('/admin/api/spend?by=key', keyA.plaintext)).text);
    expect(byKey.rows.map((row: { group: string }) => row.group)).toEqual([keyA.id]);
    const asked = JSON.parse((await api(`/admin/api/spend?by=model&where=key%3D${keyB.id}`, keyA.plaintext)).text);
    const own = JSON.parse(await runReportCli('--by', 'model', '--where', `key=${keyA.id}`, '--json', '--data-dir', gateway.dataDir));
    expect(withoutLatency(asked).total).toEqual(own.total);
    const live = JSON.parse((await api('/admin/api/live?limit=100', keyA.plaintext)).text);
    expect(live.rows.length).toBe(gateway.rows.filter((row) => row.keyId === keyA.id).length);
    expect(live.rows.every((row: { keyId: string }) => row.keyId === keyA.id)).toBe(true);
    const budgets = JSON.parse((await api('/admin/api/budgets', keyA.plaintext)).text);
    expect(budgets.keys.map((key: { id: string }) => key.id)).toEqual([keyA.id]);
    expect(JSON.stringify(budgets)).not.toContain(keyB.id);
    expect(JSON.parse((await api('/admin/api/quality', keyA.plaintext)).text).available).toBe(false);
    expect(JSON.parse((await api('/admin/api/routing', keyA.plaintext)).text).circuits).toBeNull();
  });

  it('burns budgets down against their limits, with the key spend of the month', async () => {
    const budgets = JSON.parse((await api('/admin/api/budgets')).text);
    const global = budgets.budgets.find((budget: { scope: string }) => budget.scope === 'global');
    const march = JSON.parse(await runReportCli('--by', 'status', '--since', '2025-03-01', '--until', '2025-04-01', '--json', '--data-dir', gateway.dataDir));
    expect(global.spentNanos).toBe(march.total.costNanos);
    // One line per key of 'key:*': requests made without a key count against no key's budget, so they have no line.
    const keyScopes = budgets.budgets.filter((budget: { scope: string }) => budget.scope.startsWith('key:')).map((budget: { scope: string }) => budget.scope);
    expect(keyScopes.sort()).toEqual([`key:${gateway.keyA.id}`, `key:${gateway.keyB.id}`].sort());
    const keyA = budgets.keys.find((key: { id: string }) => key.id === gateway.keyA.id);
    // A key without limits of its own is held to spend_control.default_key_limits: shown as such, not as unlimited.
    expect([keyA.rpm, keyA.tpm]).toEqual([600, null]);
    expect(keyA.lastUsed).toBe(iso(Math.max(...gateway.rows.filter((row) => row.keyId === gateway.keyA.id).map((row) => row.ts))));
    expect(JSON.stringify(budgets)).not.toContain(gateway.keyA.plaintext);
  });

  it('reports quality scores per route with their intervals, as `frugal report --quality`', async () => {
    const quality = JSON.parse((await api(`/admin/api/quality?since=${WORKLOAD_START}&until=${DASHBOARD_NOW + 7 * 24 * HOUR}`)).text);
    const cli = JSON.parse(await runReportCli('--by', 'route', '--quality', '--since', iso(WORKLOAD_START), '--until', iso(DASHBOARD_NOW + 7 * 24 * HOUR), '--json', '--data-dir', gateway.dataDir));
    expect(quality.byRoute).toEqual(cli);
    expect(cli.total.scored).toBe(3);
  });

  it('lists the alerts the webhook delivered since start-up, newest first, a key seeing its own budget’s only', async () => {
    // A real receiver: 200 for the first path, 400 for /refuse (an alert not delivered is not "sent").
    const receiver = createHttpServer((request, response) => {
      request.resume();
      response.statusCode = request.url === '/refuse' ? 400 : 200;
      response.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const at = DASHBOARD_NOW;
      const budgetAlert = { scopeId: `key:${gateway.keyA.id}`, budget: 'x', period: 'month' as const, periodId: '2025-03', periodEndMs: at + 1e9, threshold: 80, spentNanos: 400, limitNanos: 500, hard: true, at };
      expect(await createWebhookAlerter({ url, retries: 0 }).notify(budgetAlert)).toBe(true);
      expect(await createWebhookAlerter({ url, retries: 0 }).send({ type: 'route_rate', route: 'auto', text: 'Route auto: error rate high' }, `t-${Math.random()}`, at + 1e9)).toBe(true);
      expect(await createWebhookAlerter({ url: `${url}/refuse`, retries: 0 }).send({ type: 'route_rate', route: 'auto', text: 'never delivered' }, `t-${Math.random()}`, at + 1e9)).toBe(false);
      const sent = JSON.parse((await api('/admin/api/budgets')).text).alerts.sent as Array<{ type: string; scope: string; text: string }>;
      expect(sent.map((alert) => [alert.type, alert.scope])).toEqual([
        ['route_rate', 'auto'],
        ['budget_threshold', `key:${gateway.keyA.id}`],
      ]);
      expect(sent[1].text).toMatch(/reached 80%/);
      const own = JSON.parse((await api('/admin/api/budgets', gateway.keyA.plaintext)).text).alerts.sent;
      expect(own.map((alert: { type: string }) => alert.type)).toEqual(['budget_threshold']);
      expect(JSON.parse((await api('/admin/api/budgets', gateway.keyB.plaintext)).text).alerts.sent).toEqual([]);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('shows an experiment per arm exactly as `frugal report --experiment NAME --json`, to the master key only', async () => {
    const window = `since=${WORKLOAD_START}&until=${DASHBOARD_NOW + 7 * 24 * HOUR}`;
    const fromApi = JSON.parse((await api(`/admin/api/experiments?name=${gateway.experiment}&${window}`)).text);
    const fromCli = JSON.parse(await runReportCli('--experiment', gateway.experiment, '--since', iso(WORKLOAD_START), '--until', iso(DASHBOARD_NOW + 7 * 24 * HOUR), '--json', '--data-dir', gateway.dataDir));
    expect(fromApi.report).toEqual(fromCli);
    expect(fromApi.names).toEqual([gateway.experiment]);
    expect(fromCli.arms.length).toBeGreaterThan(1);
    expect((await api(`/admin/api/experiments?name=${gateway.experiment}`, gateway.keyA.plaintext)).status).toBe(403);
  });

  it('lists the review queue as `frugal review --json`, and a grade given here leaves it as one given there would', async () => {
    const queue = JSON.parse((await api('/admin/api/review')).text);
    const cli = JSON.parse(await runReviewCli('--json', '--data-dir', gateway.dataDir));
    expect(queue.samples).toEqual(cli);
    expect(queue.samples.map((sample: { requestId: string }) => sample.requestId).sort()).toEqual([...gateway.sampledIds].sort());
    expect((await api('/admin/api/review', gateway.keyA.plaintext)).status).toBe(403);
    const [graded] = gateway.sampledIds;
    const post = (body: unknown, key = DASHBOARD_MASTER_KEY) =>
      fetch(`${gateway.origin}/admin/api/review/${graded}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ score: 2 })).status).toBe(400);
    expect((await post({ score: 1 }, gateway.keyA.plaintext)).status).toBe(403);
    const recorded = await post({ score: 0.75, comment: 'fine' });
    expect(recorded.status).toBe(200);
    expect(await recorded.json()).toMatchObject({ requestId: graded, score: 0.75, source: 'reviewer', scoredBy: 'dashboard' });
    const after = JSON.parse(await runReviewCli('--json', '--data-dir', gateway.dataDir)) as Array<{ requestId: string }>;
    expect(after.map((sample) => sample.requestId).sort()).toEqual(gateway.sampledIds.slice(1).sort());
  });

  it('serves the page with a strict content policy, and nothing outside its folder', async () => {
    const page = await api('/dashboard', null);
    expect(page.status).toBe(200);
    expect(page.text).toContain('/dashboard/app.js');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await api('/dashboard/app.js', null)).status).toBe(200);
    expect((await api('/dashboard/..%2Fpackage.json', null)).status).toBe(404);
  });
});

describe('an open gateway (no master key, no virtual keys)', () => {
  it('opens the dashboard to anyone, and says so', async () => {
    const open = await startDashboardGateway({ assetsDir, open: true });
    try {
      const response = await fetch(`${open.origin}/admin/api/whoami`);
      const whoami = JSON.parse(await response.text());
      expect(whoami.open).toBe(true);
      expect(whoami.banner).toMatch(/Open dashboard/);
      expect((await fetch(`${open.origin}/admin/api/spend?by=model`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('shows spend to anyone but never the review queue (other callers\' prompts and answers), grading or experiments', async () => {
    const open = await startDashboardGateway({ assetsDir, open: true });
    try {
      const queue = await fetch(`${open.origin}/admin/api/review`);
      expect(queue.status).toBe(403);
      expect(await queue.text()).not.toContain('question 0');
      const grade = await fetch(`${open.origin}/admin/api/review/${open.sampledIds[0]}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ score: 0 }) });
      expect(grade.status).toBe(403);
      expect((await fetch(`${open.origin}/admin/api/experiments?name=${open.experiment}`)).status).toBe(403);
    } finally {
      await open.close();
    }
  });
});
