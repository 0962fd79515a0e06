import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../scripts/build-dashboard.mjs';
import { createWebhookAlerter } from '../src/budget/webhook-alerts.js';
import { WORKLOAD_START } from '../src/ledger/ledger-store.case.js';
import { runReportCli, runReviewCli } from '../src/testing/dashboard-report-cli.js';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../src/testing/launch-chromium.js';
import { DASHBOARD_MASTER_KEY, DASHBOARD_NOW, type DashboardGateway, startDashboardGateway } from '../src/testing/start-dashboard-gateway.js';

/**
 * The dashboard in real headless Chromium (Debian's chromium, driven by playwright-core) against a gateway whose
 * ledger holds a known workload: every page loads without console errors and passes axe-core (no serious or
 * critical violation), shows the totals `frugal report` prints, a filter changes them to the filtered report's,
 * the CSV is the report's CSV, a virtual key sees only its own spend, and nothing overflows a 390-pixel screen.
 * One page is signed in once and moved between the dashboard's pages by their #/hash (as a user clicking the
 * navigation does): each wait is on something the page shows, never a fixed delay.
 */
const available = chromiumAvailable();
if (!available && process.env.CI === 'true') throw new Error(`CI needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
if (!available) console.warn(`dashboard browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);

const HOUR = 3_600_000;
const SINCE = WORKLOAD_START + 7 * HOUR + 12 * 60_000;
const UNTIL = WORKLOAD_START + 250 * HOUR + 33_333;
const OVERVIEW_UNTIL = WORKLOAD_START + 15 * 24 * HOUR + 5;
/** FRUGAL_SCREENSHOTS=<dir> saves a screenshot of every page at both widths there (off by default: they take time). */
const SCREENS = process.env.FRUGAL_SCREENSHOTS;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const iso = (ms: number) => new Date(ms).toISOString();
const WINDOW = `since=${SINCE}&until=${UNTIL}`;

describe.skipIf(!available)('the dashboard in Chromium', () => {
  let assetsDir: string;
  let gateway: DashboardGateway;
  let context: BrowserContext;
  let closeBrowser: () => Promise<void>;
  /** The one page every test drives; `errors` collects its console errors and uncaught exceptions. */
  let page: Page;
  const errors: string[] = [];
  const report = async (...args: string[]) => JSON.parse(await runReportCli(...args, '--json', '--data-dir', gateway.dataDir));

  beforeAll(async () => {
    assetsDir = await mkdtemp(join(tmpdir(), 'frugal-dashboard-web-'));
    [, gateway, { context, close: closeBrowser }] = await Promise.all([buildDashboard(assetsDir), startDashboardGateway({ assetsDir }), launchChromium()]);
    page = await context.newPage();
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
  });
  afterAll(async () => {
    await closeBrowser?.();
    await gateway?.close();
    await rm(assetsDir, { recursive: true, force: true });
  });

  /** Shows a dashboard page by its hash (same document: the app routes on hashchange) at a width. */
  async function show(hash: string, width = 1280) {
    const size = page.viewportSize();
    if (size?.width !== width) await page.setViewportSize({ width, height: 900 });
    await page.goto(`${gateway.origin}/dashboard${hash}`);
  }

  /** The console errors since the last call (each test must add none). */
  const newErrors = () => errors.splice(0);

  async function expectAccessible() {
    // Evaluated through the debugging protocol: the page's content policy (rightly) refuses injected scripts.
    if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const { axe, document } = globalThis as unknown as { document: object; axe: { run: (context: object, options: object) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } };
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} (${violation.nodes.length})`);
    });
    expect(violations).toEqual([]);
  }

  async function signIn(key: string) {
    await page.getByLabel('Master key or virtual key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Dashboard pages' }).waitFor();
  }

  const totalNanos = (caption: string) => page.locator(`table:has(caption:text-is("${caption}")) tfoot .money`).first().getAttribute('data-nanos');
  const pageWidth = () => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);

  // `ready`: what shows the page is fully loaded (every section the page fetches on its own), so axe sees it all.
  const pages: Array<[name: string, hash: string, ready: string[]]> = [
    ['overview', `#/overview?until=${OVERVIEW_UNTIL}`, ['Saved against the baseline']],
    ['spend', `#/spend?by=model&${WINDOW}`, ['Spend by model']],
    ['routing', `#/routing?${WINDOW}`, ['Decision paths']],
    ['cache', `#/cache?${WINDOW}`, ['Hit rates and dollars saved']],
    ['budgets', '#/budgets', ['Budgets this period', 'Alerts sent']],
    ['quality', `#/quality?since=${WORKLOAD_START}&until=${OVERVIEW_UNTIL}`, ['Feedback scores per route', 'per arm', 'Sampled answers awaiting']],
    ['live', '#/live', ['Latest requests']],
  ];
  it('signs in with the master key through the form', async () => {
    await show('');
    await signIn(DASHBOARD_MASTER_KEY);
    expect(newErrors()).toEqual([]);
  });
  // Every page at 1280 px (with axe), then every page again rendered afresh at 390 px: consecutive hashes differ,
  // so each visit mounts the page anew at that width.
  for (const width of [1280, 390]) {
    for (const [name, hash, ready] of pages) {
      it(`${name} at ${width} px: loads without console errors${width === 1280 ? ', passes axe' : ''}, never scrolls sideways`, async () => {
        await show(hash, width);
        for (const text of ready) await page.getByText(text).first().waitFor();
        if (width === 1280) await expectAccessible();
        // Wide tables scroll inside their own regions; the page itself never scrolls sideways.
        expect(await pageWidth(), `${name} at ${width}px`).toBeLessThanOrEqual(width);
        if (SCREENS) await page.screenshot({ path: join(SCREENS, `dashboard-${name}${width === 390 ? '-390' : ''}.png`), fullPage: true });
        expect(newErrors(), name).toEqual([]);
      });
    }
  }

  it('shows the totals of `frugal report`, a filter changes them to the filtered report, and the CSV is the report’s', async () => {
    await show(`#/spend?by=team&${WINDOW}`);
    await page.getByText('Spend by team').first().waitFor();
    const all = await report('--by', 'team', '--since', iso(SINCE), '--until', iso(UNTIL));
    await expect.poll(() => totalNanos('Spend by team')).toBe(all.total.costNanos);
    await page.getByLabel('Filter').fill('status=ok, feature=chat');
    await page.getByRole('button', { name: 'Apply' }).click();
    const filtered = await report('--by', 'team', '--since', iso(SINCE), '--until', iso(UNTIL), '--where', 'status=ok', '--where', 'feature=chat');
    expect(filtered.total.costNanos).not.toBe(all.total.costNanos);
    await expect.poll(() => totalNanos('Spend by team')).toBe(filtered.total.costNanos);
    const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    expect(csv).toBe(await runReportCli('--by', 'team', '--since', iso(SINCE), '--until', iso(UNTIL), '--where', 'status=ok', '--where', 'feature=chat', '--csv', '--data-dir', gateway.dataDir));
    const week = await report('--by', 'status', '--since', iso(OVERVIEW_UNTIL - 7 * 24 * HOUR), '--until', iso(OVERVIEW_UNTIL));
    await show(`#/overview?until=${OVERVIEW_UNTIL}`);
    await expect.poll(() => page.locator('[data-window="7d"] .big .money').getAttribute('data-nanos')).toBe(week.total.costNanos);
    expect(await page.locator('[data-window="7d"] [data-field="requests"]').textContent()).toBe(String(week.total.requests));
    expect(newErrors()).toEqual([]);
  });

  it('lists an alert the webhook delivered on the Budgets page', async () => {
    const receiver = createHttpServer((request, response) => {
      request.resume();
      response.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const alert = { scopeId: 'team:growth', budget: 'team:growth (week)', period: 'week' as const, periodId: '2025-W11', periodEndMs: DASHBOARD_NOW + 1e9, threshold: 50, spentNanos: 500_000_000, limitNanos: 1_000_000_000, hard: true, at: DASHBOARD_NOW };
      expect(await createWebhookAlerter({ url, retries: 0 }).notify(alert)).toBe(true);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
    await show('#/budgets');
    const sent = page.getByRole('region', { name: /^Alerts sent/ });
    await expect.poll(() => sent.textContent()).toContain("Budget 'team:growth (week)' reached 50% in 2025-W11");
    expect(await sent.textContent()).toContain('budget_threshold');
    expect(newErrors()).toEqual([]);
  });

  it('shows an experiment per arm as `frugal report --experiment`, and records a reviewer’s grade from the queue', async () => {
    const window = `since=${WORKLOAD_START}&until=${OVERVIEW_UNTIL}`;
    await show(`#/quality?${window}`);
    const cli = await report('--experiment', gateway.experiment, '--since', iso(WORKLOAD_START), '--until', iso(OVERVIEW_UNTIL));
    const arms = page.getByRole('region', { name: `Experiment ${gateway.experiment} per arm` });
    await arms.waitFor();
    const spends = await arms.locator('tbody .money').evaluateAll((cells) => cells.map((cell) => (cell as unknown as { dataset: { nanos: string } }).dataset.nanos));
    // Two money cells per arm: spend, then cost per request.
    expect(spends).toEqual(cli.arms.flatMap((arm: { costNanos: string; costPerRequestNanos: string | null }) => [arm.costNanos, arm.costPerRequestNanos ?? '']));
    const verdicts = await page.locator('.verdicts li').allTextContents();
    expect(verdicts).toEqual(cli.arms.flatMap((arm: { verdict: string | null }) => (arm.verdict === null ? [] : [arm.verdict])));
    const [first] = gateway.sampledIds;
    const queue = page.getByRole('region', { name: 'Sampled answers awaiting a reviewer’s grade' });
    await expect.poll(() => queue.textContent()).toContain(first);
    await page.getByRole('button', { name: `Good answer: ${first}` }).click();
    await page.getByText(`Recorded 1 for ${first}.`).waitFor();
    await expect.poll(() => queue.textContent()).not.toContain(first);
    const left = JSON.parse(await runReviewCli('--json', '--data-dir', gateway.dataDir)) as Array<{ requestId: string }>;
    expect(left.map((sample) => sample.requestId).sort()).toEqual(gateway.sampledIds.slice(1).sort());
    expect(newErrors()).toEqual([]);
  });

  it('shows a new request on the Live page without a reload, and its full row on a click', async () => {
    await show('#/live');
    await page.getByText('Latest requests').first().waitFor();
    const [template] = gateway.rows;
    await gateway.insert([{ ...template, id: 'req-arrived-live', ts: Date.UTC(2025, 2, 20), routeTrace: 'auto>cascade:cheap(fail:json)>gpt-4o' }]);
    const row = page.getByRole('row', { name: /auto>cascade:cheap\(fail:json\)>gpt-4o/ });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await expect.poll(() => page.getByRole('region', { name: 'Ledger row', exact: true }).textContent()).toContain('req-arrived-live');
    expect(newErrors()).toEqual([]);
  });

  it('shows a virtual key its own spend and nobody else’s', async () => {
    await show('#/overview');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(gateway.keyA.plaintext);
    await show(`#/spend?by=key&since=${WORKLOAD_START}&until=${OVERVIEW_UNTIL}`);
    await page.getByText('Spend by key').first().waitFor();
    const own = await report('--by', 'key', '--where', `key=${gateway.keyA.id}`, '--since', iso(WORKLOAD_START), '--until', iso(OVERVIEW_UNTIL));
    await expect.poll(() => totalNanos('Spend by key')).toBe(own.total.costNanos);
    const body = await page.locator('main').textContent();
    expect(body).toContain(gateway.keyA.id);
    expect(body).not.toContain(gateway.keyB.id);
    await show('#/live');
    await page.getByText('Latest requests').first().waitFor();
    expect(await page.locator('main').textContent()).not.toContain(gateway.keyB.id);
    expect(newErrors()).toEqual([]);
  });
});
