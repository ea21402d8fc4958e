import { describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { ADMIN_SCENARIO, api } from './api.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const TOKEN = 'tok-7f3a9c2e-not-a-real-secret';
const cleanups = cleanupAfterEach();

async function setup(): Promise<Running> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const proxy = await startProxy(demo.url, { scenario: ADMIN_SCENARIO, flags: { adminToken: TOKEN } });
  cleanups.push(() => proxy.close());
  return proxy;
}

const CALLS: [string, string, string | undefined][] = [
  ['GET', '/rules', undefined],
  ['GET', '/rules/full-disk', undefined],
  ['PATCH', '/rules/full-disk', '{"enabled": false}'],
  ['PUT', '/rules', 'version: 1\nrules: []\n'],
  ['POST', '/reload', undefined],
];

describe('the admin token', () => {
  it('leaves /healthz, /readyz and /metrics open', async () => {
    const proxy = await setup();
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await request(proxy.admin + path)).status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'tok-wrong'],
    ['a prefix of the token', TOKEN.slice(0, -1)],
  ])('answers 401 problem+json to every other route with %s, and changes nothing', async (_what, token) => {
    const proxy = await setup();
    const before = proxy.app.rules.current;
    for (const [method, path, body] of CALLS) {
      const reply = await api(proxy.admin, method, path, {
        ...(token === undefined ? {} : { token }),
        ...(body === undefined ? {} : { body }),
      });
      expect(reply.status, `${method} ${path}`).toBe(401);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(reply.headers['www-authenticate']).toBe('Bearer realm="faultline-admin"');
      expect(reply.json).toMatchObject({ status: 401, code: 'FAULTLINE_ADMIN_UNAUTHORIZED' });
    }
    expect(proxy.app.rules.current).toBe(before);
    expect(before.byName.get('full-disk')!.state.enabled).toBe(true);
    expect((await request(`${proxy.url}/upload/a`, { method: 'PUT', body: 'x' })).status).toBe(507);
  });

  it('lets the right token through, and never logs it', async () => {
    const proxy = await setup();
    expect((await api(proxy.admin, 'GET', '/rules', { token: TOKEN })).status).toBe(200);
    expect((await api(proxy.admin, 'PATCH', '/rules/full-disk', { token: TOKEN, body: '{"enabled": false}' })).status).toBe(200);
    expect((await request(`${proxy.url}/upload/a`, { method: 'PUT', body: 'x' })).status).toBe(201);
    await api(proxy.admin, 'GET', '/rules', { token: 'tok-wrong' });
    expect(proxy.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(proxy.logs)).not.toContain(TOKEN);
  });
});
