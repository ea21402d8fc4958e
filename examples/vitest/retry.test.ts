import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Faultline, type FaultlineSession } from 'faultline/client';

/*
 * A retry test written against faultline. Each test gets its own session, so tests can run in
 * parallel against one shared faultline: only requests carrying `s.headers` see the session's
 * faults. Run with a faultline in front of your service:
 *
 *   FAULTLINE_URL=http://127.0.0.1:8080 FAULTLINE_ADMIN=http://127.0.0.1:8081 npx vitest run
 */
const proxy = process.env.FAULTLINE_URL ?? 'http://127.0.0.1:8080';
const fl = new Faultline({
  admin: process.env.FAULTLINE_ADMIN ?? 'http://127.0.0.1:8081',
  token: process.env.FAULTLINE_ADMIN_TOKEN,
});

/** The code under test: an upload that retries 503 and 507 up to `attempts` times. */
async function uploadWithRetry(path: string, body: string, headers: Record<string, string>, attempts = 3): Promise<Response> {
  let res: Response | null = null;
  for (let i = 0; i < attempts; i++) {
    res = await fetch(proxy + path, { method: 'PUT', headers, body });
    if (res.status !== 503 && res.status !== 507) return res;
    await res.arrayBuffer();
  }
  return res as Response;
}

describe('uploads retry storage failures', () => {
  let s: FaultlineSession;
  afterEach(async () => s?.close());

  describe('two failures, then success', () => {
    beforeEach(async () => {
      s = await fl.session({
        rules: [
          { name: 'disk-full-twice', match: { method: 'PUT', path: '/upload/**' }, when: { times: 2 }, fault: { status: 507 } },
        ],
      });
    });

    it('succeeds on the third attempt', async () => {
      const res = await uploadWithRetry('/upload/report.csv', 'a,b\n1,2\n', { ...s.headers });
      expect(res.status).toBe(201);
      await s.verify({ 'disk-full-twice': 2 });
    });
  });

  describe('a disk that stays full', () => {
    beforeEach(async () => {
      s = await fl.session({ rules: [{ name: 'disk-full', match: { method: 'PUT' }, fault: { status: 507 } }] });
    });

    it('gives up after three attempts and reports 507', async () => {
      const res = await uploadWithRetry('/upload/report.csv', 'x', { ...s.headers });
      expect(res.status).toBe(507);
      const stats = await s.stats();
      expect(stats.rules[0]).toMatchObject({ name: 'disk-full', injected: 3 });
    });
  });

  it('a client without the session header is never faulted', async () => {
    s = await fl.session({ rules: [{ name: 'everything-fails', fault: { status: 503 } }] });
    const res = await uploadWithRetry('/upload/other.csv', 'x', {});
    expect(res.status).toBe(201);
    await expect(s.verify(['everything-fails'])).rejects.toThrow(
      'everything-fails fired 0 times; it matched 0 requests: no request reached it',
    );
  });
});
