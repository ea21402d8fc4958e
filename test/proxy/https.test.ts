import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listenOn, request } from '../helpers/http.js';
import { startProxy } from '../helpers/faultline.js';
import { OPENSSL, requires } from '../helpers/requires.js';

const HAVE_OPENSSL = requires(OPENSSL, import.meta.url);

/** A self-signed certificate made for this run (with openssl). */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

let server: https.Server;
let url: string;
beforeAll(async () => {
  if (!HAVE_OPENSSL) return;
  server = https.createServer(selfSigned(), (req, res) => {
    req.resume();
    res.end(`tls ok ${req.headers.host}`);
  });
  url = `https://localhost:${await listenOn(server)}`;
});
afterAll(() => (HAVE_OPENSSL ? closeServer(server) : undefined));

describe.skipIf(!HAVE_OPENSSL)('HTTPS upstreams', () => {
  it('a self-signed staging certificate is refused by default: 502 problem+json', async () => {
    const proxy = await startProxy(url);
    try {
      const reply = await request(`${proxy.url}/x`);
      expect(reply.status).toBe(502);
      expect(JSON.parse(reply.text)).toMatchObject({
        code: 'FAULTLINE_UPSTREAM_UNREACHABLE',
        detail: 'The TLS handshake with the upstream service failed.',
      });
      // The same for a body-less request sent by node:http (src/proxy/node-upstream.ts).
      const bodyless = await request(`${proxy.url}/x`, { method: 'DELETE', headers: { 'content-length': '0' } });
      expect(bodyless.status).toBe(502);
      expect(JSON.parse(bodyless.text)).toMatchObject({ detail: 'The TLS handshake with the upstream service failed.' });
    } finally {
      await proxy.close();
    }
  });

  it('--upstream-insecure accepts it and the request goes through over TLS', async () => {
    const proxy = await startProxy(url, { flags: { upstreamInsecure: true } });
    try {
      const reply = await request(`${proxy.url}/x`);
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(`tls ok ${new URL(url).host}`);
      const bodyless = await request(`${proxy.url}/x`, { method: 'DELETE', headers: { 'content-length': '0' } });
      expect(bodyless.status).toBe(200);
      expect(bodyless.text).toBe(`tls ok ${new URL(url).host}`);
    } finally {
      await proxy.close();
    }
  });
});
