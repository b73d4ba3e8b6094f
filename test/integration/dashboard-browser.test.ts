/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { startWebServer } from '../../src/web/start-web-server.js';
import { RunLedger } from '../../src/schedule/run-ledger.js';
import { DASHBOARD_AT, dashboardApp, dashboardSettings, prepareDashboardData } from '../support/dashboard-fixture.js';
import { tempDir } from '../support/temp-dir.js';
import { vigil } from '../support/vigil.js';

/** Debian's chromium, installed by .ci/run; never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
// In CI the browser must be there; on a developer's machine without it the test is skipped.
const haveBrowser = existsSync(CHROMIUM) || process.env.CI !== undefined;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1400, height: 1000 };
/** Each page, and what shows it has drawn its data. */
const PAGES: readonly [string, string][] = [
  ['/', '.tile'],
  ['/metric/messages?at=2024-03-06T14:15:00.000Z', '#chart svg .mark-symbol path'],
  ['/daily?days=7', '#chart svg .mark-line path'],
  ['/slices?day=2024-03-05&dimension=os', '#slices-body tr'],
  ['/runs', '#runs-body tr td.kind'],
];

describe.skipIf(!haveBrowser)('dashboard in headless Chromium', () => {
  const dir = tempDir('vigil-browser-');
  let warehouse: Warehouse;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let open = true;

  beforeAll(async () => {
    warehouse = openChdbWarehouse(join(dir.path, 'warehouse'));
    await prepareDashboardData(warehouse);
    // A run in the ledger, whose logical time (the alert's instant) is shown on the zone's clock.
    await new RunLedger(warehouse, dashboardSettings.tables).record({
      job: 'alert',
      logical: DASHBOARD_AT.toISOString(),
      attempt: 1,
      startedAt: DASHBOARD_AT,
      finishedAt: DASHBOARD_AT,
      status: 'success',
      error: '',
      rows: 2,
    });
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
    if (open) {
      await server.close();
      await warehouse.close();
    }
    dir.remove();
  });

  /** A page that records script errors, failed requests and content-security-policy violations. */
  async function newPage(viewport: { width: number; height: number }) {
    const page = await browser.newPage({ viewport });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => {
      // Leaving a page cancels its fetches still under way (net::ERR_ABORTED): that is the browser, not vigil.
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`failed: ${request.url()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    return { page, problems };
  }

  /** Elements reaching past the viewport's sides, other than those inside a card that scrolls. */
  const overflowing = (page: Page) =>
    page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll('body *')]
        .filter((element) => {
          if (element.closest('.scroll') || getComputedStyle(element).visibility === 'hidden') return false;
          const box = element.getBoundingClientRect();
          return box.width > 0 && (box.right > width + 1 || box.left < -1);
        })
        .map((element) => `${element.tagName.toLowerCase()}#${element.id}.${element.getAttribute('class') ?? ''}`)
        .concat(document.documentElement.scrollWidth > width ? [`page ${document.documentElement.scrollWidth}px`] : []);
    });

  for (const [name, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`fits every page in ${viewport.width} px without sideways scrolling (${name})`, async () => {
      const { page, problems } = await newPage(viewport);
      for (const [path, drawn] of PAGES) {
        await page.goto(`${server.url}${path}`);
        await page.waitForSelector(drawn, { timeout: 20_000 });
        expect(await overflowing(page), path).toEqual([]);
        // Times on the configured zone's clock, never a raw ISO instant.
        expect(await page.locator('body').textContent(), path).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
        const file = path.split('?')[0]?.replaceAll('/', '-').replace(/^-$/, '-overview') ?? '';
        await page.screenshot({ path: `${ARTIFACTS}/dashboard${file}-${viewport.width}.png`, fullPage: true });
      }
      if (viewport === DESKTOP) {
        // A wide screen is used: the tiles and the chart spread across it.
        await page.goto(`${server.url}/`);
        await page.waitForSelector('.tile');
        expect((await page.locator('#tiles').boundingBox())?.width).toBeGreaterThan(1300);
        expect(
          await page
            .locator('#tiles .tile')
            .first()
            .evaluate((e) => e.getBoundingClientRect().top),
        ).toBe(
          await page
            .locator('#tiles .tile')
            .nth(5)
            .evaluate((e) => e.getBoundingClientRect().top),
        );
        await page.goto(`${server.url}/metric/views`);
        await page.waitForSelector('#chart svg');
        expect((await page.locator('#chart svg').boundingBox())?.width).toBeGreaterThan(850);
      }
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('shows the outage as an anomalous tile and an open incident, with times in the configured zone', async () => {
    const { page, problems } = await newPage(PHONE);
    await page.goto(`${server.url}/`);
    const messages = page.locator('#tiles .tile[data-metric="messages"]');
    await messages.waitFor({ timeout: 20_000 });
    expect(await messages.getAttribute('class')).toContain('state-anomalous');
    expect(await messages.locator('.badge').textContent()).toBe('anomalous');
    // Today's times without their date.
    expect(await messages.textContent()).toContain('since 17:00');
    expect(await page.locator('#tiles .tile[data-metric="views"] .badge').textContent()).toBe('ok');
    const incidents = await page.locator('#incidents').textContent();
    expect(incidents).toContain('Open incidents (2)');
    expect(incidents).toMatch(/messages since 17:00: 0, 100 % below the band/);
    expect(await page.locator('#updated').textContent()).toContain('2024-03-06 17:15 (Europe/Moscow)');
    // Never a raw ISO time on the page.
    expect(await page.locator('body').textContent()).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('refreshes the overview in place, keeping the scroll and the folds', async () => {
    const { page } = await newPage(PHONE);
    await page.clock.install({ time: DASHBOARD_AT });
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#tiles .tile');
    await page.evaluate(() => window.scrollTo(0, 600));
    let requests = 0;
    page.on('request', (request) => (request.url().includes('/api/overview') ? requests++ : undefined));
    await page.clock.runFor(61_000);
    await expect.poll(() => requests, { timeout: 10_000 }).toBe(1);
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => window.scrollY)).toBe(600);
    await page.close();
  });

  it('shows a tooltip with the window, value and band when the chart is hovered', async () => {
    const { page, problems } = await newPage(PHONE);
    await page.goto(`${server.url}/metric/messages?at=2024-03-06T14:15:00.000Z`);
    const chart = page.locator('#chart svg');
    await chart.waitFor({ timeout: 20_000 });
    const box = await chart.boundingBox();
    if (!box) throw new Error('the chart has no box');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6);
    const tooltip = page.locator('#vg-tooltip-element.visible');
    await tooltip.waitFor({ timeout: 5_000 });
    expect(await tooltip.textContent()).toMatch(/^2024-03-06 \d\d:\d\d\s*value [\d,]+\s*expected [\d,]+ – [\d,]+/);
    // The tooltip stays on the screen.
    const tip = await tooltip.boundingBox();
    expect(tip && tip.x >= 0 && tip.x + tip.width <= PHONE.width).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('changes the data with the time range buttons', async () => {
    const { page } = await newPage(DESKTOP);
    await page.goto(`${server.url}/metric/views`);
    await page.waitForSelector('#chart[data-range="1d"] svg', { timeout: 20_000 });
    expect(await page.locator('#chart').getAttribute('data-points')).toBe('96');
    for (const [range, points] of [
      ['6h', '24'],
      ['7d', '672'],
      ['28d', '2688'],
    ] as const) {
      await page.click(`#ranges button[data-range="${range}"]`);
      await page.waitForSelector(`#chart[data-range="${range}"]`, { timeout: 20_000 });
      expect(await page.locator('#chart').getAttribute('data-points'), range).toBe(points);
      expect(await page.locator(`#ranges button[data-range="${range}"]`).getAttribute('aria-pressed')).toBe('true');
    }
    expect(new URL(page.url()).searchParams.get('range')).toBe('28d');
    await page.close();
  });

  it("opens an alert from the history at its window, and the chart's marker links to it", async () => {
    const { page, problems } = await newPage(PHONE);
    await page.goto(`${server.url}/runs`);
    const link = page.locator('#alerts-body tr.alert.started a', { hasText: '2024-03-06 17:00' }).first();
    await link.waitFor({ timeout: 20_000 });
    await link.click();
    await page.waitForSelector('#chart svg .mark-symbol path', { timeout: 20_000 });
    expect(new URL(page.url()).searchParams.get('at')).toBe('2024-03-06T14:15:00.000Z');
    expect(await page.locator('#summary').textContent()).toContain(
      'Alert window 2024-03-06 17:00 (Europe/Moscow): 0, expected',
    );
    expect(await page.locator('#alerts-body a').first().getAttribute('href')).toContain(
      'at=2024-03-06T14%3A15%3A00.000Z',
    );
    // The alert's red point opens the alert (here, the page at its window).
    await page.goto(`${server.url}/metric/messages?range=6h`);
    const marker = page.locator('#chart svg .mark-symbol path').first();
    await marker.waitFor({ timeout: 20_000 });
    await marker.click({ force: true });
    await page.waitForURL(/at=2024-03-06T14%3A15%3A00.000Z/, { timeout: 10_000 });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('silences a metric from its page; `vigil silence list` shows the silence', async () => {
    const { page, problems } = await newPage(PHONE);
    await page.goto(`${server.url}/metric/likes`);
    await page.waitForSelector('#silence-hours', { timeout: 20_000 });
    await page.selectOption('#silence-hours', '4');
    await page.fill('#silence-comment', 'feed migration');
    await page.click('#actions button[type="submit"]');
    await page.waitForSelector('#silence-list li', { timeout: 20_000 });
    expect(await page.locator('#silence-list').textContent()).toContain('likes: 2024-03-06 17:15 – 2024-03-06 21:15');
    expect(problems).toEqual([]);
    await page.close();

    // The command reads the same warehouse once this process has let go of it.
    await server.close();
    await warehouse.close();
    open = false;
    writeFileSync(
      join(dir.path, 'vigil.yaml'),
      [
        'warehouse: { embedded: { path: ./warehouse } }',
        'database: web_state',
        'sources: { feed: web_src.feed_actions, messages: web_src.message_actions }',
        'timezone: Europe/Moscow',
      ].join('\n'),
    );
    const listed = await vigil(['silence', 'list'], { cwd: dir.path, now: () => DASHBOARD_AT });
    expect(listed.stdout).toMatch(/^s-[0-9a-f]{8} {2}likes until 2024-03-06 21:15 GMT\+3, by dashboard at /m);
    expect(listed.stdout).toContain('by dashboard at 2024-03-06 17:15 GMT+3: feed migration');
  });
});
