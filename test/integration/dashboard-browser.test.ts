import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { startWebServer } from '../../src/web/start-web-server.js';
import { dashboardApp, prepareDashboardData } from '../support/dashboard-fixture.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';

/** Debian's chromium, installed by .ci/run; never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
// In CI the browser must be there; on a developer's machine without it the test is skipped.
const haveBrowser = existsSync(CHROMIUM) || process.env.CI !== undefined;

describe.skipIf(!haveBrowser)('dashboard in headless Chromium', () => {
  const opened = useEmbeddedWarehouse();
  let warehouse: Warehouse;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    warehouse = opened();
    await prepareDashboardData(warehouse);
    server = await startWebServer(dashboardApp(warehouse), '127.0.0.1', 0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  it("opens an alert's link: the chart is drawn and the alert marked", async () => {
    const page = await browser.newPage({ viewport: { width: 412, height: 915 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
    await page.goto(`${server.url}/metric/messages?at=2024-03-06T14:15:00.000Z`);
    await page.waitForSelector('#chart svg .mark-symbol path', { timeout: 20_000 });
    expect(await page.locator('#alerts tr.alert.started').count()).toBe(1);
    // Times in the configured zone, as on the chart's axis: 14:00 UTC is 17:00 in Moscow.
    expect(await page.locator('#alerts tr.alert.started td').first().textContent()).toBe('2024-03-06 17:00');
    expect(await page.locator('#summary').textContent()).toContain('window 2024-03-06 17:00 (Europe/Moscow): 0');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-metric.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws the daily page's 7-day chart from the report's specification", async () => {
    const page = await browser.newPage({ viewport: { width: 412, height: 915 } });
    await page.goto(`${server.url}/daily?days=7`);
    await page.waitForSelector('#chart svg .mark-line path', { timeout: 20_000 });
    expect(await page.locator('#chart svg .mark-line path').count()).toBe(11);
    expect(await page.locator('#daily tbody tr').count()).toBe(7);
    await page.close();
  });

  it('switches the day on the slice page', async () => {
    const page = await browser.newPage({ viewport: { width: 412, height: 915 } });
    await page.goto(`${server.url}/slices?day=2024-03-05&dimension=os`);
    await expect.poll(() => page.locator('#shown').textContent(), { timeout: 20_000 }).toBe('2024-03-05 by os');
    const before = await page.locator('#slices tbody').textContent();
    expect(before).toContain('iOS');
    await page.fill('#day', '2024-03-04');
    await expect.poll(() => page.locator('#shown').textContent(), { timeout: 20_000 }).toBe('2024-03-04 by os');
    expect(await page.locator('#slices tbody').textContent()).not.toBe(before);
    await page.selectOption('#dimension', 'gender');
    await expect.poll(() => page.locator('#shown').textContent(), { timeout: 20_000 }).toBe('2024-03-04 by gender');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-slices.png`, fullPage: true });
    await page.close();
  });
});
