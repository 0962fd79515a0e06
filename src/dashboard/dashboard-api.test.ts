import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.mjs';
import { runReportCli } from '../testing/dashboard-report-cli.js';
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
    expect(budgets.budgets.filter((budget: { scope: string }) => budget.scope.startsWith('key:')).length).toBe(3);
    const keyA = budgets.keys.find((key: { id: string }) => key.id === gateway.keyA.id);
    expect(keyA.lastUsed).toBe(iso(Math.max(...gateway.rows.filter((row) => row.keyId === gateway.keyA.id).map((row) => row.ts))));
    expect(JSON.stringify(budgets)).not.toContain(gateway.keyA.plaintext);
  });

  it('reports quality scores per route with their intervals, as `frugal report --quality`', async () => {
    const quality = JSON.parse((await api(`/admin/api/quality?since=${WORKLOAD_START}&until=${DASHBOARD_NOW + 7 * 24 * HOUR}`)).text);
    const cli = JSON.parse(await runReportCli('--by', 'route', '--quality', '--since', iso(WORKLOAD_START), '--until', iso(DASHBOARD_NOW + 7 * 24 * HOUR), '--json', '--data-dir', gateway.dataDir));
    expect(quality.byRoute).toEqual(cli);
    expect(cli.total.scored).toBe(3);
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
});
