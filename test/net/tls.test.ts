import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';
import { makeSelfSigned } from '../../src/net/self-signed.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { CURL, requires } from '../helpers/requires.js';
import { startProxy } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';

const cleanups = cleanupAfterEach();

interface TlsReply {
  status: number;
  body: string;
  fingerprint: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request over a fresh TLS connection that trusts nothing but checks the certificate's fingerprint. */
function get(port: number, path: string, ca?: string): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        ...(ca === undefined ? { rejectUnauthorized: false } : { ca, servername: 'localhost' }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const socket = res.socket;
        if (!(socket instanceof TLSSocket)) throw new Error('not a TLS socket');
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            fingerprint: socket.getPeerCertificate().fingerprint256,
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function curl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', ...args], (err, stdout) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: stdout });
    });
  });
}

const RULES = `
version: 1
rules:
  - name: full-disk
    match: { path: /full/** }
    fault: { status: 507 }
`;

describe('TLS on the proxy listener', () => {
  it('--tls-self-signed serves a certificate for the named hosts and writes its fingerprint', async () => {
    const upstream = await countingUpstream();
    cleanups.push(() => upstream.close());
    const fingerprintFile = join(mkdtempSync(join(tmpdir(), 'faultline-tls-')), 'fingerprint');
    const proxy = await startProxy(upstream.url, {
      scenario: RULES,
      flags: { tlsSelfSigned: true, tlsHosts: ['localhost', '127.0.0.1'], tlsFingerprintFile: fingerprintFile },
    });
    cleanups.push(() => proxy.close());
    const written = readFileSync(fingerprintFile, 'utf8').trim();
    expect(written).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(proxy.app.scheme).toBe('https');
    expect(proxy.app.tlsFingerprint()).toBe(written);
    expect(proxy.logs.some((l) => l['fingerprint'] === written)).toBe(true);

    const passed = await get(proxy.port, '/echo');
    expect(passed.fingerprint).toBe(written);
    expect(passed.status).toBe(200);
    // The upstream is told the client came over TLS.
    expect(upstream.seen.at(-1)?.headers['x-forwarded-proto']).toBe('https');

    const injected = await get(proxy.port, '/full/x');
    expect(injected.status).toBe(507);
    expect(injected.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(injected.body)).toMatchObject({ status: 507 });

    // curl, trusting the certificate by -k, sees the same faults over TLS.
    if (!requires(CURL, import.meta.url)) return;
    const viaCurl = await curl(['-k', '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${proxy.port}/full/y`]);
    expect(viaCurl).toEqual({ code: 0, out: '507' });
    // Without -k curl refuses the self-signed certificate (exit 60): nothing is trusted by accident.
    const strict = await curl(['-o', '/dev/null', `https://127.0.0.1:${proxy.port}/echo`]);
    expect(strict.code).toBe(60);
  });

  it('--tls-cert/--tls-key serve the files and follow them when they change', async () => {
    const upstream = await countingUpstream();
    cleanups.push(() => upstream.close());
    const dir = mkdtempSync(join(tmpdir(), 'faultline-tls-'));
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    const [first, second] = await Promise.all([makeSelfSigned(['localhost']), makeSelfSigned(['localhost'])]);
    writeFileSync(certFile, first.cert);
    writeFileSync(keyFile, first.key);
    const proxy = await startProxy(upstream.url, { watch: true, flags: { tlsCert: certFile, tlsKey: keyFile } });
    cleanups.push(() => proxy.close());

    // The client trusts exactly the first certificate (as a CA) and checks the host name.
    const before = await get(proxy.port, '/echo', first.cert);
    expect(before.status).toBe(200);
    expect(before.fingerprint).toBe(proxy.app.tlsFingerprint());

    writeFileSync(keyFile, second.key);
    writeFileSync(certFile, second.cert);
    let after = before;
    for (let i = 0; i < 50 && after.fingerprint === before.fingerprint; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await get(proxy.port, '/echo');
    }
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect((await get(proxy.port, '/echo', second.cert)).status).toBe(200);

    // A broken file is logged and the certificate that works keeps serving.
    writeFileSync(certFile, 'not a certificate');
    for (
      let i = 0;
      i < 50 && !proxy.logs.some((l) => l['msg'] === 'TLS certificate reload rejected; the previous one keeps serving');
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    expect(proxy.logs.some((l) => l['msg'] === 'TLS certificate reload rejected; the previous one keeps serving')).toBe(true);
    expect((await get(proxy.port, '/echo', second.cert)).status).toBe(200);
  });

  it('refuses half or contradictory TLS settings, and an unusable pair, in one line', async () => {
    const settings = (flags: Record<string, string | boolean>) => () =>
      loadSettings({ flags: new Map(Object.entries({ upstream: 'http://127.0.0.1:1', ...flags })), env: {}, configFile: null });
    expect(settings({ tlsCert: '/x.crt' })).toThrow('--tls-cert and --tls-key go together');
    expect(settings({ tlsCert: '/x.crt', tlsKey: '/x.key', tlsSelfSigned: true })).toThrow('exclude each other');

    const dir = mkdtempSync(join(tmpdir(), 'faultline-tls-'));
    const [a, b] = await Promise.all([makeSelfSigned(['localhost']), makeSelfSigned(['localhost'])]);
    writeFileSync(join(dir, 'a.crt'), a.cert);
    writeFileSync(join(dir, 'b.key'), b.key);
    await expect(
      startProxy('http://127.0.0.1:1', { flags: { tlsCert: join(dir, 'a.crt'), tlsKey: join(dir, 'b.key') } }),
    ).rejects.toThrow(/do not form a usable pair/);
    await expect(
      startProxy('http://127.0.0.1:1', { flags: { tlsCert: join(dir, 'missing.crt'), tlsKey: join(dir, 'b.key') } }),
    ).rejects.toThrow(/--tls-cert .*missing\.crt: ENOENT/);
  });
});
