import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../scripts/build-dashboard.mjs';
import { WORKLOAD_START } from '../src/ledger/ledger-store.case.js';
import { runReportCli } from '../src/testing/dashboard-report-cli.js';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../src/testing/launch-chromium.js';
import { DASHBOARD_MASTER_KEY, type DashboardGateway, startDashboardGateway } from '../src/testing/start-dashboard-gateway.js';

/**
 * The dashboard in real headless Chromium (Debian's chromium, driven by playwright-core) against a gateway whose
 * ledger holds a known workload: every page loads without console errors and passes axe-core (no serious or
 * critical violation), shows the totals `frugal report` prints, a filter changes them to the filtered report's,
 * the CSV is the report's CSV, a virtual key sees only its own spend, and nothing overflows a 390-pixel screen.
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
  const report = async (...args: string[]) => JSON.parse(await runReportCli(...args, '--json', '--data-dir', gateway.dataDir));

  beforeAll(async () => {
    assetsDir = await mkdtemp(join(tmpdir(), 'frugal-dashboard-web-'));
    await buildDashboard(assetsDir);
    gateway = await startDashboardGateway({ assetsDir });
    ({ context, close: closeBrowser } = await launchChromium());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await gateway?.close();
    await rm(assetsDir, { recursive: true, force: true });
  });

  /** Opens a page, failing the test on any console error or uncaught exception. */
  async function open(hash: string, width = 1280): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${gateway.origin}/dashboard${hash}`);
    return { page, errors };
  }

  async function expectAccessible(page: Page) {
    // Evaluated through the debugging protocol: the page's content policy (rightly) refuses injected scripts.
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const { axe, document } = globalThis as unknown as { document: object; axe: { run: (context: object, options: object) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } };
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} (${violation.nodes.length})`);
    });
    expect(violations).toEqual([]);
  }

  async function signIn(key: string) {
    const { page } = await open('');
    await page.getByLabel('Master key or virtual key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Dashboard pages' }).waitFor();
    await page.close();
  }

  const totalNanos = (page: Page, caption: string) => page.locator(`table:has(caption:text-is("${caption}")) tfoot .money`).first().getAttribute('data-nanos');

  const pages: Array<[name: string, hash: string, ready: string]> = [
    ['overview', `#/overview?until=${OVERVIEW_UNTIL}`, 'Saved against the baseline'],
    ['spend', `#/spend?by=model&${WINDOW}`, 'Spend by model'],
    ['routing', `#/routing?${WINDOW}`, 'Decision paths'],
    ['cache', `#/cache?${WINDOW}`, 'Hit rates and dollars saved'],
    ['budgets', '#/budgets', 'Budgets this period'],
    ['quality', `#/quality?since=${WORKLOAD_START}&until=${OVERVIEW_UNTIL}`, 'Feedback scores per route'],
    ['live', '#/live', 'Latest requests'],
  ];
  it('signs in with the master key through the form', async () => {
    await signIn(DASHBOARD_MASTER_KEY);
  });
  for (const [name, hash, ready] of pages) {
    it(`${name}: loads without console errors, passes axe, fits 390 px`, async () => {
      for (const width of [1280, 390]) {
        const { page, errors } = await open(hash, width);
        await page.getByText(ready).first().waitFor();
        if (width === 1280) await expectAccessible(page);
        // Wide tables scroll inside their own regions; the page itself never scrolls sideways.
        expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth), `${name} at ${width}px`).toBeLessThanOrEqual(width);
        if (SCREENS) await page.screenshot({ path: join(SCREENS, `dashboard-${name}${width === 390 ? '-390' : ''}.png`), fullPage: true });
        expect(errors, name).toEqual([]);
        await page.close();
      }
    });
  }

  it('shows the totals of `frugal report`, a filter changes them to the filtered report, and the CSV is the report’s', async () => {
    const { page, errors } = await open(`#/spend?by=team&${WINDOW}`);
    await page.getByText('Spend by team').first().waitFor();
    const all = await report('--by', 'team', '--since', iso(SINCE), '--until', iso(UNTIL));
    expect(await totalNanos(page, 'Spend by team')).toBe(all.total.costNanos);
    await page.getByLabel('Filter').fill('status=ok, feature=chat');
    await page.getByRole('button', { name: 'Apply' }).click();
    const filtered = await report('--by', 'team', '--since', iso(SINCE), '--until', iso(UNTIL), '--where', 'status=ok', '--where', 'feature=chat');
    expect(filtered.total.costNanos).not.toBe(all.total.costNanos);
    await expect.poll(() => totalNanos(page, 'Spend by team')).toBe(filtered.total.costNanos);
    const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    expect(csv).toBe(await runReportCli('--by', 'team', '--since', iso(SINCE), '--until', iso(UNTIL), '--where', 'status=ok', '--where', 'feature=chat', '--csv', '--data-dir', gateway.dataDir));
    const week = await report('--by', 'status', '--since', iso(OVERVIEW_UNTIL - 7 * 24 * HOUR), '--until', iso(OVERVIEW_UNTIL));
    await page.goto(`${gateway.origin}/dashboard#/overview?until=${OVERVIEW_UNTIL}`);
    await expect.poll(() => page.locator('[data-window="7d"] .big .money').getAttribute('data-nanos')).toBe(week.total.costNanos);
    expect(await page.locator('[data-window="7d"] [data-field="requests"]').textContent()).toBe(String(week.total.requests));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a new request on the Live page without a reload, and its full row on a click', async () => {
    const { page, errors } = await open('#/live');
    await page.getByText('Latest requests').first().waitFor();
    const [template] = gateway.rows;
    await gateway.insert([{ ...template, id: 'req-arrived-live', ts: Date.UTC(2025, 2, 20), routeTrace: 'auto>cascade:cheap(fail:json)>gpt-4o' }]);
    const row = page.getByRole('row', { name: /auto>cascade:cheap\(fail:json\)>gpt-4o/ });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await expect.poll(() => page.getByRole('region', { name: 'Ledger row', exact: true }).textContent()).toContain('req-arrived-live');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a virtual key its own spend and nobody else’s', async () => {
    const { page } = await open('#/overview');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.close();
    await signIn(gateway.keyA.plaintext);
    const { page: spend, errors } = await open(`#/spend?by=key&since=${WORKLOAD_START}&until=${OVERVIEW_UNTIL}`);
    await spend.getByText('Spend by key').first().waitFor();
    const own = await report('--by', 'key', '--where', `key=${gateway.keyA.id}`, '--since', iso(WORKLOAD_START), '--until', iso(OVERVIEW_UNTIL));
    expect(await totalNanos(spend, 'Spend by key')).toBe(own.total.costNanos);
    const body = await spend.locator('main').textContent();
    expect(body).toContain(gateway.keyA.id);
    expect(body).not.toContain(gateway.keyB.id);
    await spend.goto(`${gateway.origin}/dashboard#/live`);
    await spend.getByText('Latest requests').first().waitFor();
    expect(await spend.locator('main').textContent()).not.toContain(gateway.keyB.id);
    expect(errors).toEqual([]);
    await spend.close();
  });
});
