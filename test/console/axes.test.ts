import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { CHROMIUM, requires } from '../helpers/requires.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { launch } from './browser.js';

/*
 * The traffic charts' axis labels are drawn on a canvas: a label wider than its axis is cut at the
 * canvas edge. An idle fast proxy makes the widest latency labels (`0.0125 ms`): the page reads the
 * real /metrics, with every added-latency observation moved into the lowest bucket, and the test
 * checks that the first and last pixel columns of each chart stay empty. Times use one 24-hour clock.
 */

const HAVE_CHROMIUM = requires(CHROMIUM, import.meta.url);
const cleanups = cleanupAfterEach();
let browser: Browser;
beforeAll(async () => {
  if (HAVE_CHROMIUM) browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Every latency observation so far, counted in the lowest bucket (`le="0.000025"`), `extra` more each scrape. */
function lowestBucket(text: string, extra: number): string {
  return text.replace(
    /^(faultline_added_latency_seconds_(?:bucket\{le="[^"]+"\}|count)) (\d+)$/gm,
    (_m, name: string, n: string) => `${name} ${Number(n) + extra}`,
  );
}

/** How many non-transparent pixels the chart canvas has in its outermost columns, left and right. */
function edgeInk(page: Page, index: number): Promise<{ left: number; right: number; width: number }> {
  // Run in the page; written as text because the tests are compiled without the DOM types.
  return page.evaluate(`(() => {
    const canvas = document.querySelectorAll('.charts canvas')[${index}];
    const ctx = canvas.getContext('2d');
    const ink = (x) => {
      const data = ctx.getImageData(x, 0, 2, canvas.height).data;
      let n = 0;
      for (let k = 3; k < data.length; k += 4) if (data[k] > 0) n++;
      return n;
    };
    return { left: ink(0), right: ink(canvas.width - 2), width: canvas.width };
  })()`);
}

describe.skipIf(!HAVE_CHROMIUM)('traffic charts', () => {
  let proxy: Running;

  it('draw every axis label inside the chart and write times on a 24-hour clock', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    proxy = await startProxy(demo.url);
    cleanups.push(() => proxy.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    cleanups.push(() => context.close());
    const page = await context.newPage();
    let scrapes = 0;
    await page.route('**/metrics', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: lowestBucket(await response.text(), 50 * ++scrapes) });
    });
    for (let i = 0; i < 3; i++) expect((await request(`${proxy.url}/status/200`)).status).toBe(200);
    await page.goto(`${proxy.admin}/?refresh=0.3`);
    await page
      .locator('#latency-now')
      .filter({ hasText: /^p50 0\.0\d+ ms/ })
      .waitFor({ timeout: 8000 });
    // A few more readings so both charts have drawn their axes with these values.
    const seen = scrapes;
    for (let i = 0; i < 50 && scrapes < seen + 3; i++) await page.waitForTimeout(100);
    for (const index of [0, 1]) {
      const ink = await edgeInk(page, index);
      expect({ index, left: ink.left, right: ink.right }).toEqual({ index, left: 0, right: 0 });
    }
    const live = await page.locator('body').innerText();
    for (const time of live.match(/(?:live · |loaded )\S+/g) ?? []) expect(time).toMatch(/ \d\d:\d\d:\d\d$/);
    expect(live).not.toMatch(/\d (AM|PM)\b/);
  });
});
