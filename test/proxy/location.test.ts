import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { closeServer, listenOn, request } from '../helpers/http.js';
import { clientOrigin, locationBase, rewriteLocation } from '../../src/proxy/location.js';

const plain = locationBase(new URL('http://127.0.0.1:3000'));
const based = locationBase(new URL('http://Backend.internal/api/'));
const secure = locationBase(new URL('https://store.example:443'));
const to = 'http://proxy.example:8080';

describe('rewriteLocation (proxy_redirect default)', () => {
  it.each([
    // the upstream's own origin, any case, explicit or default port
    [plain, 'http://127.0.0.1:3000/echo', `${to}/echo`],
    [plain, 'HTTP://127.0.0.1:3000/a?b=1#c', `${to}/a?b=1#c`],
    [plain, 'http://127.0.0.1:3000', `${to}/`],
    [plain, 'http://127.0.0.1:3000?x', `${to}/?x`],
    [secure, 'https://STORE.example/o/k', `${to}/o/k`],
    [secure, 'https://store.example:443/o', `${to}/o`],
    // the base path maps back to /
    [based, 'http://backend.internal/api/items/1', `${to}/items/1`],
    [based, 'http://backend.internal:80/api', `${to}/`],
    [based, 'http://backend.internal/api?page=2', `${to}/?page=2`],
    // scheme-relative references to the upstream
    [plain, '//127.0.0.1:3000/x', '//proxy.example:8080/x'],
    // path-absolute references in the upstream's path space
    [based, '/api/items', '/items'],
    // bytes after the origin are kept as sent (no re-encoding)
    [plain, 'http://127.0.0.1:3000/caf%C3%A9 x?q=%zz', `${to}/caf%C3%A9 x?q=%zz`],
  ])('%#: %s -> rewritten', (base, value, expected) => {
    expect(rewriteLocation(value, base, to)).toBe(expected);
  });

  it.each([
    [plain, 'http://127.0.0.1:3001/x'], // another port
    [plain, 'https://127.0.0.1:3000/x'], // another scheme
    [plain, 'http://example.com/x'], // another host
    [plain, 'http://127.0.0.1:3000.evil.example/x'],
    [plain, 'http://user@127.0.0.1:3000/x'], // credentials: not the plain origin
    [plain, '/echo'],
    [plain, 'echo?x=1'],
    [plain, '//example.com/x'],
    [based, 'http://backend.internal/apix/1'], // outside the base path
    [based, 'http://backend.internal/other'],
    [based, '/apix'],
    [plain, 'mailto:a@b'],
    [plain, ''],
  ])('%#: %s stays', (base, value) => {
    expect(rewriteLocation(value, base, to)).toBe(value);
  });

  it('without a usable client origin, rewrites to a path-absolute reference', () => {
    expect(rewriteLocation('http://127.0.0.1:3000/a', plain, '')).toBe('/a');
    expect(rewriteLocation('//127.0.0.1:3000/a', plain, '')).toBe('/a');
  });
});

describe('clientOrigin', () => {
  it.each([
    ['proxy.example:8080', 'http://proxy.example:8080'],
    ['127.0.0.1', 'http://127.0.0.1'],
    ['[::1]:8080', 'http://[::1]:8080'],
    [undefined, ''],
    ['', ''],
    ['evil.example/path', ''],
    ['a b', ''],
    ['x@y', ''],
  ])('%s -> %s', (host, expected) => {
    expect(clientOrigin(host)).toBe(expected);
  });
});

describe('Location rewriting over the wire', () => {
  const cleanups = cleanupAfterEach();

  it("points the upstream's own Location and Content-Location at faultline, leaves other hosts alone", async () => {
    const server = http.createServer((req, res) => {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(201, {
        Location: `http://127.0.0.1:${port}/objects/a?v=1`,
        'Content-Location': `http://127.0.0.1:${port}/objects/a`,
        Link: `<http://elsewhere.example/x>; rel=next`,
      });
      res.end(req.url);
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => proxy.close());
    const reply = await request(`${proxy.url}/objects/a`, { method: 'PUT', body: 'x' });
    expect(reply.status).toBe(201);
    expect(reply.headers.location).toBe(`http://127.0.0.1:${proxy.port}/objects/a?v=1`);
    expect(reply.headers['content-location']).toBe(`http://127.0.0.1:${proxy.port}/objects/a`);
    expect(reply.headers.link).toBe('<http://elsewhere.example/x>; rel=next');
    expect(JSON.stringify(reply.headers)).not.toContain(`:${port}`);
  });
});
