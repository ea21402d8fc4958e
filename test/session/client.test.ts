import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { countingUpstream } from '../helpers/upstream.js';
import { Faultline, FaultlineApiError, FaultlineVerifyError } from '../../src/client/index.js';

const cleanup = cleanupAfterEach();
const TOKEN = 'tok-client-test-not-a-secret';

const SCENARIO = `version: 1
rules:
  - name: teapot
    enabled: false
    match: { path: /status/200 }
    fault: { status: 418 }
  - name: tenant-quota
    match: { method: PUT, path: /upload/** }
    when: { quota: { key: "header:x-tenant", measure: bytes, limit: 10KiB } }
    fault: { status: 507 }
`;

async function setup() {
  const up = await countingUpstream();
  cleanup.push(() => up.close());
  const fl = await startProxy(up.url, { scenario: SCENARIO, flags: { adminToken: TOKEN } });
  cleanup.push(() => fl.close());
  return { fl, client: new Faultline({ admin: fl.admin, token: TOKEN }) };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('faultline/client against a real faultline', () => {
  it('refuses an invalid session with the stable code and positioned problems', async () => {
    const { client } = await setup();
    const err = await rejection(client.session({ rules: [{ name: 'x', fault: { status: 999 } }] }));
    expect(err).toBeInstanceOf(FaultlineApiError);
    const e = err as FaultlineApiError;
    expect([e.status, e.code]).toEqual([422, 'FAULTLINE_SCENARIO_INVALID']);
    expect(e.problems).toEqual([expect.objectContaining({ file: '<session>', line: 1, path: 'rules[0].fault.status' })]);
  });

  it('sends the token; without it the API answers FAULTLINE_ADMIN_UNAUTHORIZED', async () => {
    const { fl } = await setup();
    const err = (await rejection(new Faultline({ admin: fl.admin }).rules())) as FaultlineApiError;
    expect([err.status, err.code]).toEqual([401, 'FAULTLINE_ADMIN_UNAUTHORIZED']);
  });

  it('a session: headers, stats, verify (throwing with one line per rule), close twice, asyncDispose', async () => {
    const { fl, client } = await setup();
    const s = await client.session({ rules: [{ name: 'disk-full', match: { method: 'PUT' }, fault: { status: 507 } }] });
    expect((await request(`${fl.url}/upload/a`, { method: 'PUT', headers: { ...s.headers }, body: 'x' })).status).toBe(507);
    expect((await s.stats()).rules[0]).toMatchObject({ name: 'disk-full', matched: 1, injected: 1 });
    await expect(s.verify({ 'disk-full': 1 })).resolves.toMatchObject({ ok: true });
    const err = (await rejection(s.verify({ 'disk-full': { min: 5 }, nothing: 1 }))) as FaultlineVerifyError;
    expect(err).toBeInstanceOf(FaultlineVerifyError);
    expect(err.message.split('\n')).toEqual([
      'disk-full fired 1 time; it matched 1 request: its trigger (always) let only 1 through; expected at least 5 times',
      'nothing: there is no rule by that name',
    ]);
    await s.close();
    await s.close();
    const other = await client.session({ rules: [] });
    await other[Symbol.asyncDispose]();
    expect((await client.sessions()).sessions).toEqual([]);
  });

  it('global rules: enable for a while, set, quota, verify', async () => {
    const { fl, client } = await setup();
    const enabled = await client.enable('teapot', { for: '5m' });
    expect(enabled.state).toBe('enabled');
    expect(enabled.revertsInMs).toBeGreaterThan(290_000);
    expect((await request(`${fl.url}/status/200`)).status).toBe(418);
    await expect(client.verify(['teapot'])).resolves.toMatchObject({ ok: true });
    expect((await client.disable('teapot')).revertsInMs).toBeUndefined();
    const row = await client.quota('tenant-quota', 'acme', '10KiB');
    expect(row).toMatchObject({ rule: 'tenant-quota', key: 'acme', used: 10240 });
    const put = await request(`${fl.url}/upload/a`, { method: 'PUT', headers: { 'x-tenant': 'acme' }, body: 'x' });
    expect(put.status).toBe(507);
    expect((await client.quotas()).quotas).toEqual([expect.objectContaining({ key: 'acme', used: 10240 })]);
    const err = (await rejection(client.set('tenant-quota', { probability: '50%' }))) as FaultlineApiError;
    expect(err.code).toBe('FAULTLINE_ADMIN_BAD_REQUEST');
    expect((await client.rules()).rules.map((r) => r.name)).toEqual(['teapot', 'tenant-quota']);
  });
});
