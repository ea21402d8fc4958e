import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/console/static.js';
import { decideTarget, type TargetPolicy } from '../../src/console/target.js';
import { api } from '../admin/api.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { closeServer, listenOn, request } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const TOKEN = 'tok-console-5d1e-not-a-real-secret';
const SCENARIO =
  'version: 1\nrules:\n  - name: full-disk\n    match: { method: PUT, path: /upload/full/** }\n    fault: { status: 507 }\n';

const cleanups = cleanupAfterEach();

async function setup(flags: Record<string, string | boolean> = {}): Promise<Running & { upstream: string }> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const proxy = await startProxy(demo.url, { scenario: SCENARIO, flags });
  cleanups.push(() => proxy.close());
  return { ...proxy, upstream: demo.url };
}

/** Another server on loopback: what the inspector must not reach by default. */
async function bystander(): Promise<string> {
  const server = http.createServer((_req, res) => res.end('bystander'));
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return `http://127.0.0.1:${port}`;
}

const inspectBody = (url: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ url, ...extra });

describe('the console page and its files', () => {
  it('serves / with a strict CSP, nosniff, an ETag, and 304 on If-None-Match', async () => {
    const proxy = await setup();
    const page = await request(`${proxy.admin}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.text).toContain('<script src="/console/assets/app.js" defer></script>');
    // No request leaves the machine: every reference is to the console's own files.
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const etag = page.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await request(`${proxy.admin}/`, { headers: { 'if-none-match': `W/${etag}, "other"` } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('redirects /console and /console/ to / (no token needed, like the page)', async () => {
    const proxy = await setup({ adminToken: 'redirect-token' });
    for (const path of ['/console', '/console/']) {
      const r = await request(`${proxy.admin}${path}`);
      expect({ path, status: r.status, location: r.headers.location, body: r.body.length }).toEqual({
        path,
        status: 302,
        location: '/',
        body: 0,
      });
    }
    expect((await request(`${proxy.admin}/`)).status).toBe(200);
  });

  it('serves the bundle with its type, gzip when asked, and nothing else from dist/', async () => {
    const proxy = await setup();
    const js = await request(`${proxy.admin}/console/assets/app.js`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers.vary).toBe('accept-encoding');
    const plain = await request(`${proxy.admin}/console/assets/app.js`, { headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gunzipSync(js.body).equals(plain.body)).toBe(true);
    expect((await request(`${proxy.admin}/console/assets/app.css`)).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await request(`${proxy.admin}/console/assets/app.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const path of [
      '/console/assets/routes.js',
      '/console/assets/..%2Froutes.js',
      '/console/assets/index.html',
      '/console/assets/',
    ]) {
      expect((await request(proxy.admin + path)).status, path).toBe(404);
    }
  });

  it('the page and its files are open with --admin-token; its data and the inspector are not', async () => {
    const proxy = await setup({ adminToken: TOKEN });
    for (const path of ['/', '/console/assets/app.js', '/console/assets/app.css'])
      expect((await request(proxy.admin + path)).status, path).toBe(200);
    expect((await api(proxy.admin, 'GET', '/console/info')).status).toBe(401);
    const refused = await api(proxy.admin, 'POST', '/console/inspect', { body: inspectBody(`${proxy.url}/upload/full/x`) });
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ code: 'FAULTLINE_ADMIN_UNAUTHORIZED' });
    const info = await api(proxy.admin, 'GET', '/console/info', { token: TOKEN });
    expect(info.json).toMatchObject({ upstream: `${proxy.upstream}/`, proxy: { port: proxy.port }, inspectAnyHost: false });
  });
});

describe('the inspector route', () => {
  it('inspects an injected 507 through faultline and finds it clean', async () => {
    const proxy = await setup();
    const reply = await api(proxy.admin, 'POST', '/console/inspect', {
      body: inspectBody(`${proxy.url}/upload/full/x`, { method: 'PUT', body: 'data', headers: [['Content-Type', 'text/plain']] }),
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ ok: true, counts: { error: 0, warning: 0 }, target: { connectTo: null } });
    const ex = (reply.json!.exchanges as { response: { status: number } }[])[0]!;
    expect(ex.response.status).toBe(507);
  });

  it('reaches the upstream and faultline by another name for the same address, pinned to the checked address', async () => {
    const proxy = await setup();
    const viaName = await api(proxy.admin, 'POST', '/console/inspect', {
      body: inspectBody(`http://localhost:${proxy.port}/status/200`),
    });
    expect(viaName.status).toBe(200);
    expect(viaName.json!.target).toEqual({
      url: `http://localhost:${proxy.port}/status/200`,
      connectTo: `127.0.0.1:${proxy.port}`,
    });
    const sent = (viaName.json!.exchanges as { request: { headers: [string, string][] } }[])[0]!.request.headers;
    expect(sent).toContainEqual(['Host', `localhost:${proxy.port}`]);
    const upstream = await api(proxy.admin, 'POST', '/console/inspect', { body: inspectBody(`${proxy.upstream}/status/404`) });
    expect(upstream.status).toBe(200);
  });

  it.each([
    ['the admin listener itself', (p: Running) => `${p.admin}/rules`],
    ['another port on loopback', () => 'BYSTANDER'],
    ['a name that does not resolve', () => 'http://faultline-test.invalid/'],
    ['https to a host that is not the upstream', (p: Running) => `https://127.0.0.1:${p.port}/`],
  ])('refuses %s with 403 FAULTLINE_ADMIN_FORBIDDEN_TARGET, naming what is allowed', async (_what, target) => {
    const proxy = await setup();
    const other = await bystander();
    const url = target(proxy).replace('BYSTANDER', other);
    const reply = await api(proxy.admin, 'POST', '/console/inspect', { body: inspectBody(url) });
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.json).toMatchObject({ code: 'FAULTLINE_ADMIN_FORBIDDEN_TARGET', field: 'url' });
    expect(reply.json!.detail).toContain('--inspect-any-host');
    expect(reply.json!.detail).toContain(`http://127.0.0.1:${proxy.port} (faultline)`);
  });

  it('--inspect-any-host lifts the restriction', async () => {
    const proxy = await setup({ inspectAnyHost: true });
    const reply = await api(proxy.admin, 'POST', '/console/inspect', { body: inspectBody(`${await bystander()}/`) });
    expect(reply.status).toBe(200);
    expect((await api(proxy.admin, 'GET', '/console/info')).json).toMatchObject({ inspectAnyHost: true, inspectTargets: null });
  });

  it('shows a redirect without following it', async () => {
    const proxy = await setup();
    const reply = await api(proxy.admin, 'POST', '/console/inspect', { body: inspectBody(`${proxy.url}/status/302`) });
    expect(reply.status).toBe(200);
    const exchanges = reply.json!.exchanges as { response: { status: number } }[];
    expect(exchanges.map((e) => e.response.status)).toEqual([302]);
  });

  it.each([
    ['url', { url: 'not a url' }],
    ['url', { url: 'ftp://127.0.0.1/' }],
    ['method', { url: 'http://127.0.0.1/', method: 'GE T' }],
    ['headers', { url: 'http://127.0.0.1/', headers: [['Bad Name', 'x']] }],
    ['headers', { url: 'http://127.0.0.1/', headers: 'X: y' }],
    ['body', { url: 'http://127.0.0.1/', body: 42 }],
  ])('answers 400 naming the field (%s) for %j', async (field, body) => {
    const proxy = await setup();
    const reply = await api(proxy.admin, 'POST', '/console/inspect', { body: JSON.stringify(body) });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ code: 'FAULTLINE_ADMIN_BAD_REQUEST', field });
  });

  it('answers 502 with the upstream error code when the target does not answer', async () => {
    const demo = await startDemoUpstream();
    const proxy = await startProxy(demo.url, { flags: {} });
    cleanups.push(() => proxy.close());
    await demo.close();
    const reply = await api(proxy.admin, 'POST', '/console/inspect', { body: inspectBody(`${demo.url}/`) });
    expect(reply.status).toBe(502);
    expect(reply.json).toMatchObject({ code: 'FAULTLINE_UPSTREAM_UNREACHABLE' });
  });
});

describe('decideTarget', () => {
  const policy: TargetPolicy = {
    anyHost: false,
    upstream: new URL('http://api.internal:3000/v1'),
    proxy: () => ({ host: '127.0.0.1', port: 8080 }),
  };
  const dns =
    (table: Record<string, string[]>) =>
    async (host: string): Promise<string[]> => {
      const found = table[host] ?? (/^[\d.]+$|:/.test(host) ? [host] : undefined);
      if (found === undefined) throw new Error(`ENOTFOUND ${host}`);
      return found;
    };

  it('pins a name with several addresses to the one that is allowed (a rebinding name reaches nothing else)', async () => {
    const resolve = dns({ 'api.internal': ['10.1.2.3'], 'evil.example': ['192.0.2.7', '::ffff:10.1.2.3'] });
    const d = await decideTarget(new URL('http://evil.example:3000/x'), policy, resolve);
    expect(d).toEqual({ ok: true, url: new URL('http://10.1.2.3:3000/x'), connectTo: '10.1.2.3:3000' });
  });

  it('lets the upstream origin through as configured, unresolved', async () => {
    const d = await decideTarget(new URL('http://API.internal:3000/other'), policy, dns({}));
    expect(d).toMatchObject({ ok: true, connectTo: null });
  });

  it('refuses the right address on the wrong port, and the wrong address on the right port', async () => {
    const resolve = dns({ 'api.internal': ['10.1.2.3'] });
    expect(await decideTarget(new URL('http://10.1.2.3:3001/'), policy, resolve)).toMatchObject({ ok: false });
    expect(await decideTarget(new URL('http://10.9.9.9:3000/'), policy, resolve)).toMatchObject({ ok: false });
    expect(await decideTarget(new URL('http://[::1]:8080/'), policy, resolve)).toMatchObject({ ok: false });
    expect(await decideTarget(new URL('http://127.0.0.1:8080/'), policy, resolve)).toMatchObject({ ok: true });
  });
});
