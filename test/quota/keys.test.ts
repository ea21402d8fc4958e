import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { AMBIGUOUS_KEY, NO_KEY, quotaKeyOf } from '../../src/quota/key.js';
import { credentialHash } from '../../src/quota/credentials.js';
import type { QuotaKeySpec } from '../../src/scenario/types.js';
import { rawExchange, request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

/** A request head from raw header pairs, as Node would parse it. */
function head(raw: string[]): { headers: IncomingHttpHeaders; rawHeaders: string[]; socket: { remoteAddress: string } } {
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < raw.length; i += 2) headers[(raw[i] as string).toLowerCase()] ??= raw[i + 1];
  return { headers, rawHeaders: raw, socket: { remoteAddress: '127.0.0.1' } };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const jwt = (claims: object): string =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('quotaKeyOf: a pure function of the request head', () => {
  const tenant: QuotaKeySpec = { kind: 'header', name: 'x-tenant-id' };
  it('a key header repeated with different values is ambiguous; identical repeats count as one', () => {
    expect(quotaKeyOf(tenant, head(['X-Tenant-Id', 'alice', 'x-tenant-id', 'bob']), '/', '')).toBe(AMBIGUOUS_KEY);
    expect(quotaKeyOf(tenant, head(['X-Tenant-Id', 'alice', 'x-tenant-id', 'alice']), '/', '')).toBe('alice');
    expect(quotaKeyOf(tenant, head(['Host', 'x']), '/', '')).toBe(NO_KEY);
  });
  it('a query parameter repeated with different values is ambiguous', () => {
    const q: QuotaKeySpec = { kind: 'query', name: 't' };
    expect(quotaKeyOf(q, head([]), '/', 't=a&t=b')).toBe(AMBIGUOUS_KEY);
    expect(quotaKeyOf(q, head([]), '/', 't=a&t=a')).toBe('a');
  });
  it('a malformed percent-escape in a path key uses the raw segment', () => {
    const p: QuotaKeySpec = { kind: 'path', index: 2 };
    expect(quotaKeyOf(p, head([]), '/files/%E0%A4%A/x', '')).toBe('%E0%A4%A');
    expect(quotaKeyOf(p, head([]), '/files/al%20ice/x', '')).toBe('al ice');
  });
  it('key: user reads Basic, Bearer JWT sub and AWS access key ids, without verifying', () => {
    const user: QuotaKeySpec = { kind: 'user' };
    expect(quotaKeyOf(user, head(['Authorization', `Basic ${b64('alice:s3cret')}`]), '/', '')).toBe('alice');
    expect(quotaKeyOf(user, head(['Authorization', `Bearer ${jwt({ sub: 'bob', tenant: 't1' })}`]), '/', '')).toBe('bob');
    const sigv4 = 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab';
    expect(quotaKeyOf(user, head(['Authorization', sigv4]), '/', '')).toBe('AKIAEXAMPLE');
    expect(quotaKeyOf(user, head(['Authorization', 'Bearer not-a-jwt']), '/', '')).toBe(NO_KEY);
    expect(quotaKeyOf(user, head(['Authorization', `Basic ${b64('nocolon')}`]), '/', '')).toBe(NO_KEY);
    expect(quotaKeyOf(user, head([]), '/', '')).toBe(NO_KEY);
    expect(quotaKeyOf(user, head(['Authorization', 'Basic YQ==', 'authorization', 'Basic Yg==']), '/', '')).toBe(AMBIGUOUS_KEY);
  });
  it('key: jwt:CLAIM reads one claim of a Bearer JWT', () => {
    const claim: QuotaKeySpec = { kind: 'jwt', claim: 'https://example.com/org' };
    expect(quotaKeyOf(claim, head(['Authorization', `Bearer ${jwt({ 'https://example.com/org': 'acme' })}`]), '/', '')).toBe(
      'acme',
    );
    expect(quotaKeyOf(claim, head(['Authorization', `Bearer ${jwt({ sub: 'x' })}`]), '/', '')).toBe(NO_KEY);
  });
  it('a key from a credential header is a short stable hash, never the credential', () => {
    const auth: QuotaKeySpec = { kind: 'header', name: 'authorization' };
    const key = quotaKeyOf(auth, head(['Authorization', `Basic ${b64('alice:s3cret')}`]), '/', '');
    expect(key).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(key).toBe(credentialHash(`Basic ${b64('alice:s3cret')}`));
    expect(quotaKeyOf({ kind: 'header', name: 'cookie' }, head(['Cookie', 'session=abc']), '/', '')).toMatch(/^sha256:/);
  });
});

async function setup(
  quota: string,
  metricsPerKey = true,
): Promise<{ proxy: Running; up: Awaited<ReturnType<typeof countingUpstream>> }> {
  const up = await countingUpstream();
  cleanups.push(() => up.close());
  const scenario = `
version: 1
rules:
  - name: q
    match: { method: [PUT, POST], path: /upload/** }
    when: { quota: { ${quota}, measure: bytes, limit: 100, metricsPerKey: ${metricsPerKey} } }
    fault: { status: 507 }
`;
  const proxy = await startProxy(up.url, { scenario, flags: { accessLog: true } });
  cleanups.push(() => proxy.close());
  return { proxy, up };
}

describe('keys over the wire', () => {
  it('a key header sent twice with different values is refused with 400 FAULTLINE_AMBIGUOUS_QUOTA_KEY', async () => {
    const { proxy, up } = await setup('key: "header:x-tenant-id"');
    const { data } = await rawExchange(
      proxy.port,
      'PUT /upload/a HTTP/1.1\r\nHost: x\r\nX-Tenant-Id: alice\r\nX-Tenant-Id: bob\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    );
    expect(data.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(data).toContain('"code":"FAULTLINE_AMBIGUOUS_QUOTA_KEY"');
    expect(up.seen).toHaveLength(0);
    // The same value twice is one tenant.
    const same = await rawExchange(
      proxy.port,
      'PUT /upload/a HTTP/1.1\r\nHost: x\r\nX-Tenant-Id: alice\r\nX-Tenant-Id: alice\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    );
    expect(same.data.startsWith('HTTP/1.1 201 ')).toBe(true);
  });

  it('a malformed escape in a path key is counted under the raw segment, not let through as a store failure', async () => {
    const { proxy, up } = await setup('key: "path:2"');
    const body = 'x'.repeat(80);
    expect((await request(`${proxy.url}/upload/%E0%A4%A/one`, { method: 'PUT', body })).status).toBe(201);
    const second = await request(`${proxy.url}/upload/%E0%A4%A/two`, { method: 'PUT', body });
    expect(second.status).toBe(507);
    expect(JSON.parse(second.text).quota.key).toBe('%E0%A4%A');
    expect(up.seen).toHaveLength(1);
    expect(proxy.logs.some((l) => String(l['msg']).includes('store unavailable'))).toBe(false);
  });

  for (const key of ['key: "header:authorization"', 'key: user']) {
    it(`a credential-keyed quota (${key}) leaks nothing: bodies, logs, /quotas, /metrics`, async () => {
      const { proxy } = await setup(key);
      const secret = 's3cret-Pa55';
      const basic = `Basic ${b64(`alice:${secret}`)}`;
      const headers = { authorization: basic };
      const outputs: string[] = [];
      const first = await request(`${proxy.url}/upload/a`, { method: 'PUT', headers, body: 'x'.repeat(80) });
      expect(first.status).toBe(201);
      const refused = await request(`${proxy.url}/upload/b`, { method: 'PUT', headers, body: 'x'.repeat(80) });
      expect(refused.status).toBe(507);
      outputs.push(refused.rawHeaders.join('\n'), refused.text, first.text);
      outputs.push((await request(`${proxy.admin}/quotas`)).text);
      outputs.push((await request(`${proxy.admin}/metrics`)).text);
      outputs.push(JSON.stringify(proxy.logs));
      const everything = outputs.join('\n');
      for (const leak of [secret, b64(`alice:${secret}`), basic, 'Basic ']) expect(everything).not.toContain(leak);
      const shown = key === 'key: user' ? 'alice' : credentialHash(basic);
      expect(JSON.parse(refused.text).quota.key).toBe(shown);
      expect(everything).toContain(`key="${shown}"`); // the per-key metric series, named safely
    });
  }
});
