import { afterEach } from 'vitest';

/**
 * A list of cleanups (servers, proxies) run newest first after each test, so every test tears
 * down what it started even when it fails half way.
 */
export function cleanupAfterEach(): (() => Promise<unknown>)[] {
  const list: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (list.length > 0) await list.pop()!();
  });
  return list;
}
