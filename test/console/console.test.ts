import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api } from '../admin/api.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { launch } from './browser.js';
import { CHROMIUM, requires } from '../helpers/requires.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

/**
 * The console end to end, in a real headless Chromium against a running faultline. Readings every
 * 0.5 s (`?refresh=0.5`) keep the suite quick. FAULTLINE_SCREENSHOT=1 also writes docs/console.md's
 * screenshot to test/console/screenshot.png.
 */
const SCENARIO = `version: 1
seed: 7
rules:
  - name: full-disk
    match: { method: PUT, path: /upload/full/** }
    fault: { status: 507, retryAfter: 30 }
  - name: flaky-status
    match: { path: /status/200 }
    when: { probability: 25% }
    fault: { status: 503 }
  - name: tenant-quota
    match: { method: PUT, path: /upload/t/**, headers: { x-tenant: true } }
    when: { quota: { key: "header:x-tenant", measure: bytes, limit: 10MiB, period: 1h } }
    fault: { status: 507 }
  - name: teapot
    enabled: false
    match: { headers: { x-debug: "1" } }
    fault: { status: 418 }
`;
const TOKEN = 'tok-console-e2e-not-a-real-secret';

const HAVE_CHROMIUM = requires(CHROMIUM, import.meta.url);

let browser: Browser;
beforeAll(async () => {
  if (HAVE_CHROMIUM) browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const cleanups = cleanupAfterEach();

async function setup(flags: Record<string, string | boolean> = {}): Promise<Running> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const proxy = await startProxy(demo.url, { scenario: SCENARIO, flags });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function open(
  proxy: Running,
  options: { width?: number; height?: number; dark?: boolean; refresh?: number } = {},
): Promise<Page> {
  const context: BrowserContext = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.dark === true ? 'dark' : 'light',
  });
  cleanups.push(() => context.close());
  // Fail with the locator's name long before the test's own timeout.
  context.setDefaultTimeout(8000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  // A CSP violation or a failed asset shows up here: the console must load with none.
  page.on('console', (msg) => {
    // (Refusals the tests provoke log a 4xx; those are expected.)
    if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) problems.push(msg.text());
  });
  cleanups.push(async () => expect(problems).toEqual([]));
  await page.goto(`${proxy.admin}/?refresh=${options.refresh ?? 0.5}`);
  return page;
}

const put = (proxy: Running, path: string, headers: Record<string, string> = {}) =>
  request(`${proxy.url}${path}`, { method: 'PUT', body: 'data', headers });
const row = (page: Page, rule: string) => page.locator(`tr[data-rule="${rule}"]`);

describe.skipIf(!HAVE_CHROMIUM)('the web console in Chromium', () => {
  it('shows every rule with its source, fault and trigger, and its counters move with traffic', async () => {
    const proxy = await setup();
    const page = await open(proxy);
    const full = row(page, 'full-disk');
    await full.waitFor();
    expect(await page.locator('#rules-table tbody tr').count()).toBe(4);
    expect(await full.locator('.source').textContent()).toMatch(/test\.yaml:4$/);
    expect(await full.locator('td[data-label="Fault"]').textContent()).toBe('status 507');
    expect(await row(page, 'flaky-status').locator('td[data-label="Trigger"]').textContent()).toBe('probability 25%');
    expect(await row(page, 'tenant-quota').locator('td[data-label="Probability"]').textContent()).toBe('by quota');
    expect(await page.getByRole('switch', { name: 'Rule teapot' }).getAttribute('aria-checked')).toBe('false');
    for (let i = 0; i < 6; i++) expect((await put(proxy, `/upload/full/${i}`)).status).toBe(507);
    await full.locator('td[data-label="Injected"]').filter({ hasText: /^6$/ }).waitFor();
    expect(await full.locator('td[data-label="Matched"]').textContent()).toBe('6');
    // The traffic chart reads the same counters from /metrics.
    await page
      .locator('#traffic-now')
      .filter({ hasText: /[1-9][\d.]*\/s injected/ })
      .waitFor();
    expect(await page.locator('#traffic .u-legend').count()).toBeGreaterThan(0);
  });

  it('a switch turns a rule off (and on again from the keyboard); the proxy follows', async () => {
    const proxy = await setup();
    const page = await open(proxy);
    const toggle = page.getByRole('switch', { name: 'Rule full-disk' });
    await toggle.click();
    await page.locator('button[role=switch][data-rule="full-disk"][aria-checked="false"]').waitFor();
    expect(proxy.app.rules.current.byName.get('full-disk')!.state.enabled).toBe(false);
    expect((await put(proxy, '/upload/full/a')).status).toBe(201);
    await toggle.focus();
    await page.keyboard.press('Space');
    await page.locator('button[role=switch][data-rule="full-disk"][aria-checked="true"]').waitFor();
    expect((await put(proxy, '/upload/full/a')).status).toBe(507);
  });

  it('a change made with "for 5m" sends for and shows the time left until it reverts', async () => {
    const proxy = await setup();
    const page = await open(proxy);
    await page.getByLabel('How long a change made here lasts').selectOption('5m');
    await page.getByRole('switch', { name: 'Rule teapot' }).click();
    await page.locator('button[role=switch][data-rule="teapot"][aria-checked="true"]').waitFor();
    await row(page, 'teapot')
      .locator('td[data-label="Trigger"]')
      .filter({ hasText: /^always · reverts in [45]m \d+s$/ })
      .waitFor();
    const view = (await api(proxy.admin, 'GET', '/rules/teapot')).json!;
    expect(view.revertsInMs).toBeGreaterThan(290_000);
  });

  it("edits a probability in place; the API's refusal is shown next to the field", async () => {
    const proxy = await setup();
    const page = await open(proxy);
    const input = page.getByLabel('Probability of flaky-status');
    await input.fill('150%');
    await input.press('Enter');
    const error = row(page, 'flaky-status').locator('td[data-label="Probability"] .field-error');
    await error.filter({ hasText: '400 FAULTLINE_ADMIN_BAD_REQUEST: probability:' }).waitFor();
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(proxy.app.rules.current.byName.get('flaky-status')!.state.probability).toBeNull();
    await input.fill('10%');
    await input.press('Enter');
    await error.waitFor({ state: 'hidden' });
    expect(proxy.app.rules.current.byName.get('flaky-status')!.state.probability).toBe(0.1);
    await row(page, 'flaky-status').locator('td[data-label="Trigger"]').filter({ hasText: 'probability 10%' }).waitFor();
    await row(page, 'flaky-status').getByRole('button', { name: 'use file value' }).click();
    await row(page, 'flaky-status').locator('td[data-label="Trigger"]').filter({ hasText: 'probability 25%' }).waitFor();
    expect(await input.inputValue()).toBe('25%');
  });

  it("sets a quota key's usage and shows it as a bar; resets it", async () => {
    const proxy = await setup();
    const page = await open(proxy);
    const card = page.locator('article.quota[data-rule="tenant-quota"]');
    await card.getByRole('textbox', { name: 'Key', exact: true }).fill('acme');
    await card.getByRole('textbox', { name: 'Used', exact: true }).fill('9MiB');
    await card.getByRole('button', { name: 'Set usage', exact: true }).click();
    const bar = card.locator('li[data-key="acme"] [role=meter]');
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuenow')).toBe(String(9 * 1024 * 1024));
    expect(await card.locator('li[data-key="acme"] .usage').textContent()).toBe('9 MiB of 10 MiB · 90%');
    expect((await bar.boundingBox())!.width).toBeGreaterThan(0);
    const fill = await bar.locator('.fill').evaluate((el) => (el as unknown as { style: { width: string } }).style.width);
    expect(fill).toBe('90%');
    // The proxy sees the same usage: 2 MiB more is over the limit.
    expect(
      (
        await request(`${proxy.url}/upload/t/x`, {
          method: 'PUT',
          headers: { 'x-tenant': 'acme' },
          body: Buffer.alloc(2 * 1024 * 1024),
        })
      ).status,
    ).toBe(507);
    await card.getByRole('textbox', { name: 'Key', exact: true }).fill('acme');
    await card.getByRole('textbox', { name: 'Used', exact: true }).fill('lots');
    await card.getByRole('button', { name: 'Set usage', exact: true }).click();
    await card.locator('.quota-add .field-error').filter({ hasText: '400 FAULTLINE_ADMIN_BAD_REQUEST: used:' }).waitFor();
    await card.getByRole('button', { name: 'Reset acme' }).click();
    await card.locator('li[data-key="acme"]').waitFor({ state: 'detached' });
  });

  it('runs the inspector on an injected 507 and finds it clean; another host is refused beside the URL', async () => {
    const proxy = await setup();
    const page = await open(proxy);
    await page.locator('#inspect-scope').filter({ hasText: '(faultline)' }).waitFor();
    expect(await page.locator('#inspect-scope').textContent()).toContain('--inspect-any-host');
    await page.getByLabel('Method').selectOption('PUT');
    await page.getByLabel('URL').fill(`${proxy.url}/upload/full/x`);
    await page.getByLabel('Body').fill('data');
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.locator('#inspect-verdict').waitFor();
    expect(await page.locator('#inspect-verdict').textContent()).toMatch(/^Clean: no errors or warnings/);
    expect(await page.locator('.status-line .status').textContent()).toBe('507 Insufficient Storage');
    expect(await page.locator('pre.wire').textContent()).toContain('< x-faultline-fault: full-disk');
    // A plain 500 from the demo upstream gets findings with their severities.
    await page.getByLabel('Method').selectOption('GET');
    await page.getByLabel('URL').fill(`${proxy.url}/status/500`);
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.locator('.findings .sev-error, .findings .sev-warning').first().waitFor();
    // Each finding shows its one-line fix and links to the RFC sections that decide it.
    expect(await page.locator('.findings .fix').first().textContent()).toMatch(/^Fix: \S/);
    expect(await page.locator('.findings .refs a').first().getAttribute('href')).toMatch(/^https:\/\//);
    await page.getByLabel('URL').fill(`${proxy.admin}/rules`);
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.locator('#inspect-url + .field-error').filter({ hasText: '403 FAULTLINE_ADMIN_FORBIDDEN_TARGET' }).waitFor();
    expect(await page.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
  });

  it('with --admin-token asks for the token once; without it a change is refused as the API refuses it', async () => {
    const proxy = await setup({ adminToken: TOKEN });
    const page = await open(proxy);
    await page.locator('#auth').waitFor();
    await page.locator('#rules-error').filter({ hasText: '401 FAULTLINE_ADMIN_UNAUTHORIZED' }).waitFor();
    expect(await page.locator('#rules-table tbody tr').count()).toBe(0);
    expect(await page.locator('#status').textContent()).toBe('needs the admin token');
    await page.getByRole('textbox', { name: 'Admin token' }).fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await row(page, 'full-disk').waitFor();
    await page.locator('#auth').waitFor({ state: 'hidden' });
    // Once per tab: a reload does not ask again.
    await page.reload();
    await row(page, 'full-disk').waitFor();
    expect(await page.locator('#auth').isHidden()).toBe(true);
    // Without the token, the switch is refused exactly as the API refuses it, and nothing changes.
    await page.getByRole('button', { name: 'Forget token' }).click();
    await page.locator('#auth').waitFor();
    await page.getByRole('switch', { name: 'Rule full-disk' }).click();
    await row(page, 'full-disk')
      .locator('.cell-switch .field-error')
      .filter({ hasText: '401 FAULTLINE_ADMIN_UNAUTHORIZED: this admin route needs Authorization: Bearer <admin token>' })
      .waitFor();
    expect((await api(proxy.admin, 'GET', '/rules/full-disk', { token: TOKEN })).json).toMatchObject({ state: 'enabled' });
    expect((await put(proxy, '/upload/full/a')).status).toBe(507);
  });

  it('fits 360 px without sideways scrolling, in light and dark', async () => {
    const proxy = await setup();
    await put(proxy, '/upload/full/a');
    await api(proxy.admin, 'PUT', '/quotas/tenant-quota/a-rather-long-tenant-name-0123456789', { body: '{"used":"4MiB"}' });
    for (const dark of [false, true]) {
      const page = await open(proxy, { width: 360, height: 740, dark });
      await row(page, 'full-disk').waitFor();
      await page.locator('li.quota-key').waitFor();
      await page.getByLabel('URL').fill(`${proxy.url}/status/500`);
      await page.getByRole('button', { name: 'Inspect' }).click();
      await page.locator('#inspect-verdict').waitFor();
      await page.locator('#traffic .u-legend').first().waitFor();
      // A string, evaluated in the page: the tests are type-checked without the DOM library.
      const { scroll, client, bg } = await page.evaluate<{ scroll: number; client: number; bg: string }>(
        '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, bg: getComputedStyle(document.body).backgroundColor })',
      );
      expect(scroll, dark ? 'dark' : 'light').toBeLessThanOrEqual(client);
      const [r, g, b] = (bg.match(/\d+/g) ?? []).map(Number);
      expect((r! + g! + b!) / 3, `background ${bg}`)[dark ? 'toBeLessThan' : 'toBeGreaterThan'](128);
    }
  });

  it.runIf(process.env.FAULTLINE_SCREENSHOT === '1')('takes the README screenshot', { timeout: 60_000 }, async () => {
    const proxy = await setup();
    await api(proxy.admin, 'PUT', '/quotas/tenant-quota/acme', { body: '{"used":"9MiB"}' });
    await api(proxy.admin, 'PUT', '/quotas/tenant-quota/globex', { body: '{"used":"3.5MiB"}' });
    const page = await open(proxy, { width: 1280, height: 1000, refresh: 1 });
    // Some traffic over a few seconds, so the sparklines and charts have a shape.
    const end = Date.now() + 40_000;
    let i = 0;
    while (Date.now() < end) {
      await Promise.all([
        put(proxy, `/upload/full/${i}`),
        request(`${proxy.url}/status/200`),
        request(`${proxy.url}/echo`),
        ...(i % 3 === 0 ? [put(proxy, `/upload/ok/${i}`)] : []),
      ]);
      i++;
      await new Promise((r) => setTimeout(r, 30 + 40 * (1 + Math.sin(i / 40))));
    }
    await page.getByLabel('Method').selectOption('PUT');
    await page.getByLabel('URL').fill(`${proxy.url}/upload/full/report.pdf`);
    await page.getByLabel('Body').fill('%PDF-1.7 …');
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.locator('#inspect-verdict').waitFor();
    await page.mouse.move(0, 0);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: new URL('./screenshot.png', import.meta.url).pathname, fullPage: true });
  });
});
