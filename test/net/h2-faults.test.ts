import http from 'node:http';
import http2 from 'node:http2';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { curlH2, h2Connect, h2Send } from '../helpers/h2.js';
import { closeServer, listenOn, request } from '../helpers/http.js';
import { CURL, requires } from '../helpers/requires.js';
import { scrape } from '../metrics/scrape.js';

/*
 * Every fault kind on the HTTP/2 listener, over h2 (TLS, ALPN) and h2c (prior knowledge), with
 * real sockets: Node's http2 client reads the frames (status, RST_STREAM codes, END_STREAM,
 * GOAWAY), curl shows what a common client reports (exit 92: a stream not closed cleanly).
 * Timings are lower bounds only.
 */

const cleanups = cleanupAfterEach();

const BODY = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 31 + 7) & 0xff));

const RULES = `
version: 1
headerFaults: true
rules:
  - name: full
    match: { path: /full/** }
    fault: { status: 507, retryAfter: 30, headers: { connection: close, x-extra: yes } }
  - name: replaced
    match: { path: /replaced/** }
    fault: { replaceStatus: 503 }
  - name: slow
    match: { path: /delay/** }
    fault: { delay: 300ms }
  - name: slow-head
    match: { path: /delay-response/** }
    fault: { delay: 300ms, phase: response }
  - name: stuck
    match: { path: /hang/** }
    fault: { hang: true }
  - name: stuck-for
    match: { path: /hang-for/** }
    fault: { hang: 300ms }
  - name: paced
    match: { path: /throttle/** }
    fault: { throttle: 128KiB/s }
  - name: cut
    match: { path: /truncate/** }
    fault: { truncate: 1000 }
  - name: cut-cancel
    match: { path: /truncate-cancel/** }
    fault: { truncate: { bytes: 1000, code: CANCEL } }
  - name: rst
    match: { path: /reset/** }
    fault: { reset: true }
  - name: rst-calm
    match: { path: /reset-calm/** }
    fault: { reset: { code: ENHANCE_YOUR_CALM } }
  - name: rst-after
    match: { path: /reset-after/** }
    fault: { reset: { afterBytes: 1000, code: 8 } }
  - name: goaway
    match: { path: /goaway/** }
    fault: { reset: { connection: true } }
  - name: goaway-calm
    match: { path: /goaway-calm/** }
    fault: { reset: { connection: true, code: ENHANCE_YOUR_CALM } }
  - name: goaway-after
    match: { path: /goaway-after/** }
    fault: { reset: { connection: true, afterBytes: 1000, code: REFUSED_STREAM } }
  - name: requests-quota
    match: { path: /quota-requests/** }
    when: { quota: { key: global, measure: requests, limit: 2 } }
    fault: { status: 507 }
  - name: bytes-quota
    match: { method: PUT, path: /quota-bytes/** }
    when: { quota: { key: global, measure: bytes, limit: 1KiB } }
    fault: { status: 507 }
`;

const {
  NGHTTP2_INTERNAL_ERROR: INTERNAL_ERROR,
  NGHTTP2_CANCEL: CANCEL,
  NGHTTP2_ENHANCE_YOUR_CALM: ENHANCE_YOUR_CALM,
  NGHTTP2_REFUSED_STREAM: REFUSED_STREAM,
} = http2.constants;

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP/1.1 upstream answering every request with BODY (Content-Length), recording what it got. */
async function upstream(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY.length });
      res.end(BODY);
    });
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return { url: `http://127.0.0.1:${port}`, seen };
}

async function proxyFor(up: string, tls: boolean, flags: Record<string, string | boolean> = {}): Promise<Running> {
  const proxy = await startProxy(up, { scenario: RULES, flags: { ...(tls ? { tlsSelfSigned: true } : {}), ...flags } });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function setup(tls: boolean, flags: Record<string, string | boolean> = {}) {
  const up = await upstream();
  const proxy = await proxyFor(up.url, tls, flags);
  const connect = (settings?: http2.Settings): http2.ClientHttp2Session => {
    const session = h2Connect(proxy.port, tls, settings);
    cleanups.push(async () => session.destroy());
    return session;
  };
  return { up, proxy, connect };
}

for (const tls of [false, true]) {
  describe(tls ? 'faults on h2 (TLS, ALPN)' : 'faults on h2c (prior knowledge)', () => {
    it('status answers on the stream without connection-specific fields; replaceStatus after the upstream did the work', async () => {
      const { up, connect } = await setup(tls);
      const session = connect();
      const full = await h2Send(session, '/full/x', { method: 'PUT', body: Buffer.from('some upload') });
      expect(full.status).toBe(507);
      expect(full.ended).toBe(true);
      expect(full.rstCode).toBe(0);
      expect(full.headers['retry-after']).toBe('30');
      expect(full.headers['x-extra']).toBe('yes');
      expect(full.headers['connection']).toBeUndefined();
      expect(full.headers['x-faultline-fault']).toBe('full');
      expect(JSON.parse(full.body.toString('utf8'))).toMatchObject({ status: 507, code: 'FAULTLINE_FAULT_INJECTED' });
      const replaced = await h2Send(session, '/replaced/x');
      expect(replaced.status).toBe(503);
      expect(replaced.ended).toBe(true);
      expect(up.seen.map((s) => s.url)).toEqual(['/replaced/x']);
      // The connection is fine for the next request.
      expect((await h2Send(session, '/files/a')).body.equals(BODY)).toBe(true);
    });

    it('delay waits before forwarding, or (phase: response) before the head, then passes the body whole', async () => {
      const { up, connect } = await setup(tls);
      const session = connect();
      for (const path of ['/delay/x', '/delay-response/x']) {
        const got = await h2Send(session, path);
        expect(got.ms).toBeGreaterThanOrEqual(280);
        expect(got.status).toBe(200);
        expect(got.ended).toBe(true);
        expect(got.body.equals(BODY)).toBe(true);
      }
      expect(up.seen).toHaveLength(2);
    });

    it('hang holds its stream (others go on); hang: 300ms then ends it with RST_STREAM INTERNAL_ERROR', async () => {
      const { up, connect } = await setup(tls);
      const session = connect();
      let settled = false;
      const hanging = h2Send(session, '/hang/x').then((r) => {
        settled = true;
        return r;
      });
      const limited = await h2Send(session, '/hang-for/x');
      expect(limited.ms).toBeGreaterThanOrEqual(280);
      expect(limited.status).toBeNull();
      expect(limited.rstCode).toBe(INTERNAL_ERROR);
      expect((await h2Send(session, '/files/a')).body.equals(BODY)).toBe(true);
      expect(settled).toBe(false);
      expect(up.seen.map((s) => s.url)).toEqual(['/files/a']);
      session.destroy();
      expect((await hanging).status).toBeNull();
    });

    it('throttle paces the body within HTTP/2 flow control: a client with a tiny window that stops reading gets every byte', async () => {
      const { connect } = await setup(tls);
      // A 1 KiB stream window: the proxy may only send as the client hands out WINDOW_UPDATEs.
      const session = connect({ initialWindowSize: 1024 });
      const got = await h2Send(session, '/throttle/x', {
        onStream(stream) {
          stream.once('data', () => {
            stream.pause();
            setTimeout(() => stream.resume(), 200);
          });
        },
      });
      expect(got.status).toBe(200);
      expect(got.ended).toBe(true);
      expect(got.rstCode).toBe(0);
      expect(got.body.equals(BODY)).toBe(true);
      // 64 KiB at 128 KiB/s: half a second at least (less the first slice).
      expect(got.ms).toBeGreaterThanOrEqual(400);
    });

    it('truncate and reset after N bytes: the head and N bytes, then RST_STREAM with the configured code', async () => {
      const { connect } = await setup(tls);
      const session = connect();
      for (const [path, code] of [
        ['/truncate/x', INTERNAL_ERROR],
        ['/truncate-cancel/x', CANCEL],
        ['/reset-after/x', CANCEL],
      ] as const) {
        const got = await h2Send(session, path);
        expect(got.status).toBe(200);
        expect(got.headers['content-length']).toBe(String(BODY.length));
        // RST_STREAM, never END_STREAM: a stream that ended cleanly has rstCode NO_ERROR (0). (Node's
        // client still emits 'end' after a CANCEL, which it does not treat as an error.)
        expect(got.rstCode).toBe(code);
        if (code !== CANCEL) expect(got.ended).toBe(false);
        expect(got.body.equals(BODY.subarray(0, 1000))).toBe(true);
      }
      // Only the stream: the connection serves the next request.
      expect((await h2Send(session, '/files/a')).body.equals(BODY)).toBe(true);
    });

    it('reset is RST_STREAM with INTERNAL_ERROR or the configured code; the upstream never sees it', async () => {
      const { up, connect } = await setup(tls);
      const session = connect();
      const plain = await h2Send(session, '/reset/x');
      expect([plain.status, plain.rstCode]).toEqual([null, INTERNAL_ERROR]);
      const calm = await h2Send(session, '/reset-calm/x');
      expect([calm.status, calm.rstCode]).toEqual([null, ENHANCE_YOUR_CALM]);
      expect(up.seen).toHaveLength(0);
      expect((await h2Send(session, '/files/a')).status).toBe(200);
    });

    it('reset: { connection: true } sends GOAWAY with the code and closes the connection; streams in flight end with it', async () => {
      const { connect } = await setup(tls);
      for (const [path, code] of [
        ['/goaway/x', INTERNAL_ERROR],
        ['/goaway-calm/x', ENHANCE_YOUR_CALM],
      ] as const) {
        const session = connect();
        const goaway = new Promise<number>((resolve) => session.once('goaway', (c: number) => resolve(c)));
        const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
        const hanging = h2Send(session, '/hang/x');
        // The hanging stream reached the proxy before the one that brings the connection down.
        expect((await h2Send(session, '/files/a')).status).toBe(200);
        const got = await h2Send(session, path);
        expect(got.status).toBeNull();
        expect(got.rstCode).toBe(code);
        expect(await goaway).toBe(code);
        expect((await hanging).rstCode).toBe(code);
        await closed;
      }
      // The listener itself is fine: a new connection is served.
      expect((await h2Send(connect(), '/files/a')).body.equals(BODY)).toBe(true);
    });

    it('reset: { connection: true, afterBytes } relays N bytes, then GOAWAY', async () => {
      const { connect } = await setup(tls);
      const session = connect();
      const goaway = new Promise<number>((resolve) => session.once('goaway', (c: number) => resolve(c)));
      const got = await h2Send(session, '/goaway-after/x');
      expect(got.status).toBe(200);
      expect(got.ended).toBe(false);
      expect(got.body.equals(BODY.subarray(0, 1000))).toBe(true);
      expect(await goaway).toBe(REFUSED_STREAM);
      expect(got.rstCode).toBe(REFUSED_STREAM);
    });

    it('header faults (x-faultline-fault, Envoy headers) act on the stream', async () => {
      const { up, connect } = await setup(tls);
      const session = connect();
      const status = await h2Send(session, '/files/a', { headers: { 'x-faultline-fault': 'delay=100ms, status=503' } });
      expect(status.status).toBe(503);
      expect(status.ms).toBeGreaterThanOrEqual(90);
      const reset = await h2Send(session, '/files/a', { headers: { 'x-faultline-fault': 'reset' } });
      expect(reset.rstCode).toBe(INTERNAL_ERROR);
      const cut = await h2Send(session, '/files/a', { headers: { 'x-faultline-fault': 'truncate=10' } });
      expect([cut.status, cut.body.length, cut.rstCode]).toEqual([200, 10, INTERNAL_ERROR]);
      const envoy = await h2Send(session, '/files/a', { headers: { 'x-envoy-fault-abort-request': '429' } });
      expect(envoy.status).toBe(429);
      expect(envoy.body.toString('utf8')).toBe('fault filter abort');
      const bad = await h2Send(session, '/files/a', { headers: { 'x-faultline-fault': 'explode' } });
      expect(bad.status).toBe(400);
      // Only the truncated request reached the upstream, without the fault header.
      expect(up.seen.map((s) => s.headers['x-faultline-fault'])).toEqual([undefined]);
    });

    it('a quota answers 507 on the stream once crossed: by requests, and by bytes in the middle of an upload', async () => {
      const { up, connect } = await setup(tls);
      const session = connect();
      const statuses: (number | null)[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await h2Send(session, `/quota-requests/${i}`)).status);
      expect(statuses).toEqual([200, 200, 507]);
      // An HTTP/2 body without Content-Length: counted as it arrives, refused when it crosses 1 KiB.
      const big = Buffer.alloc(8 * 1024, 0x61);
      const upload = await h2Send(session, '/quota-bytes/a', {
        method: 'PUT',
        write(stream) {
          stream.write(big.subarray(0, 512));
          setTimeout(() => stream.end(big.subarray(512)), 50);
        },
      });
      expect(upload.status).toBe(507);
      expect(JSON.parse(upload.body.toString('utf8'))).toMatchObject({ status: 507 });
      expect(up.seen.filter((s) => s.url === '/quota-bytes/a').every((s) => s.body.length < big.length)).toBe(true);
      expect((await h2Send(session, '/files/a')).status).toBe(200);
    });

    it('a session header on an HTTP/2 request selects the session’s rules, and is not forwarded', async () => {
      const { up, proxy, connect } = await setup(tls);
      const created = await request(`${proxy.admin}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ name: 'mine', match: { path: '/files/**' }, fault: { reset: { code: 'CANCEL' } } }] }),
      });
      expect(created.status).toBe(201);
      const id = (JSON.parse(created.text) as { id: string }).id;
      const session = connect();
      const mine = await h2Send(session, '/files/a', { headers: { 'x-faultline-session': id } });
      expect(mine.rstCode).toBe(CANCEL);
      // Sessions isolate: the global rules do not apply to a session's request.
      const full = await h2Send(session, '/full/x', { headers: { 'x-faultline-session': id } });
      expect(full.status).toBe(200);
      expect(up.seen.at(-1)?.headers['x-faultline-session']).toBeUndefined();
      expect((await h2Send(session, '/files/a')).status).toBe(200);
    });

    it('metrics label the protocol and count a cut stream as incomplete (code 0)', async () => {
      const { proxy, connect } = await setup(tls);
      const session = connect();
      await h2Send(session, '/truncate/x');
      await h2Send(session, '/full/x');
      await h2Send(session, '/files/a');
      if (!tls) expect((await request(`${proxy.url}/files/a`)).status).toBe(200);
      const m = await scrape(proxy.admin);
      const count = (code: string, outcome: string, protocol: string) =>
        m.value('faultline_requests_total', { method: 'GET', code, outcome, protocol });
      expect(count('0', 'injected', 'h2')).toBe(1);
      expect(count('507', 'injected', 'h2')).toBe(1);
      expect(count('200', 'proxied', 'h2')).toBe(1);
      if (!tls) expect(count('200', 'proxied', 'http/1.1')).toBe(1);
      expect(m.value('faultline_bytes_total', { direction: 'response' })).toBeGreaterThanOrEqual(1000 + BODY.length);
    });

    it('--max-uri-length answers 414 on the stream; the connection goes on', async () => {
      const { up, proxy, connect } = await setup(tls, { maxUriLength: '1KiB' });
      const session = connect();
      const long = await h2Send(session, `/files/${'a'.repeat(1100)}`);
      expect(long.status).toBe(414);
      expect(long.ended).toBe(true);
      expect(JSON.parse(long.body.toString('utf8'))).toMatchObject({ status: 414, code: 'FAULTLINE_URI_TOO_LONG' });
      expect(up.seen).toHaveLength(0);
      expect((await h2Send(session, '/files/a')).status).toBe(200);
      const m = await scrape(proxy.admin);
      expect(m.value('faultline_connections_refused_total', { reason: 'uri_too_long' })).toBe(1);
      expect(m.value('faultline_requests_total', { method: 'GET', code: '414', outcome: 'rejected', protocol: 'h2' })).toBe(1);
    });

    it('a head over --max-header-size answers 431 on the stream; far over it Node resets the stream (ENHANCE_YOUR_CALM)', async () => {
      const { up, proxy, connect } = await setup(tls, { maxHeaderSize: '8KiB' });
      const session = connect();
      const big = await h2Send(session, '/files/a', { headers: { 'x-big': 'b'.repeat(9 * 1024) } });
      expect(big.status).toBe(431);
      expect(JSON.parse(big.body.toString('utf8'))).toMatchObject({ status: 431, code: 'FAULTLINE_HEADERS_TOO_LARGE' });
      // Just under the limit passes (the header list size counts 32 octets per field, pseudo-headers too).
      const fits = await h2Send(session, '/files/a', { headers: { 'x-big': 'b'.repeat(7 * 1024) } });
      expect(fits.status).toBe(200);
      expect(up.seen).toHaveLength(1);
      const huge = await h2Send(session, '/files/a', { headers: { 'x-big': 'b'.repeat(40 * 1024) } });
      expect([huge.status, huge.rstCode]).toEqual([null, ENHANCE_YOUR_CALM]);
      expect((await h2Send(session, '/files/a')).status).toBe(200);
      const m = await scrape(proxy.admin);
      expect(m.value('faultline_connections_refused_total', { reason: 'header_too_large' })).toBe(1);
    });

    it('curl: exit 0 for answers, 92 for RST_STREAM (with the code named), 18 for a GOAWAY that closes the connection', async () => {
      if (!requires(CURL, import.meta.url)) return;
      const { proxy } = await setup(tls);
      const w = ['-w', '%{http_version} %{http_code} %{size_download}'];
      const curl = (path: string, args: string[] = []) => curlH2(proxy.port, tls, path, args);
      expect(await curl('/files/a', w)).toMatchObject({ code: 0, out: `2 200 ${BODY.length}` });
      expect(await curl('/full/x', w)).toMatchObject({ code: 0, out: expect.stringMatching(/^2 507 /) });
      expect(await curl('/replaced/x', w)).toMatchObject({ code: 0, out: expect.stringMatching(/^2 503 /) });
      expect(await curl('/delay/x', w)).toMatchObject({ code: 0, out: `2 200 ${BODY.length}` });
      expect(await curl('/throttle/x', w)).toMatchObject({ code: 0, out: `2 200 ${BODY.length}` });
      const rst = await curl('/reset/x');
      expect(rst.code).toBe(92);
      expect(rst.err).toMatch(/INTERNAL_ERROR \(err 2\)/);
      const calm = await curl('/reset-calm/x');
      expect(calm.code).toBe(92);
      expect(calm.err).toMatch(/ENHANCE_YOUR_CALM \(err 11\)/);
      const cut = await curl('/truncate-cancel/x');
      expect(cut.code).toBe(92);
      expect(cut.err).toMatch(/CANCEL \(err 8\)/);
      expect((await curl('/hang-for/x')).code).toBe(92);
      expect((await curl('/hang/x', ['--max-time', '0.3'])).code).toBe(28);
      // GOAWAY, then the connection closes under the stream: curl (7.88) reports the stream cut
      // by the end of the connection, exit 18, with or without bytes of the body before it.
      for (const path of ['/goaway/x', '/goaway-after/x']) {
        const goaway = await curl(path);
        expect(goaway.code).toBe(18);
        expect(goaway.err).toMatch(/HTTP\/2 stream 1 was not closed cleanly before end of the underlying stream/);
      }
      expect(await curl('/files/a', w)).toMatchObject({ code: 0, out: `2 200 ${BODY.length}` });
    });
  });
}
