import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from '../helpers/requires.js';

/* Debian's chromium (test/helpers/requires.ts names it; .ci/run installs it): playwright-core drives it and downloads nothing. */

/** Headless, sandbox off (CI runs as root), and no request of its own to hosts this machine cannot reach. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM.program,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Poll until `check` holds (for values read outside the page, e.g. through the admin API). */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
