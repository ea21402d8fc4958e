import { describe, expect, it } from 'vitest';
import { rawExchange } from '../helpers/http.js';
import { startProxy } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

/**
 * Heads whose framing two servers could read differently. Each is followed by a request that
 * would be "smuggled" if faultline and its upstream disagreed on where the first one ends: it must
 * never reach the upstream, and the client gets one 400 problem+json.
 */
const AMBIGUOUS: readonly [string, string][] = [
  [
    'Content-Length and Transfer-Encoding',
    'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ],
  ['two different Content-Lengths', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n'],
  ['a Content-Length list', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 40\r\n\r\n'],
  [
    'Transfer-Encoding not ending in chunked',
    'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  ],
  ['an unknown transfer coding', 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n'],
  ['a space before the colon', 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n'],
  ['a folded header line', 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n chunked\r\n\r\n0\r\n\r\n'],
];

describe('no request smuggling', () => {
  it('a broken chunk size in a forwarded body cuts the exchange; nothing smuggled', async () => {
    const upstream = await countingUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startProxy(upstream.url);
    cleanups.push(() => proxy.close());
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nfffffffffffffffff1\r\n\r\n';
    const r = await rawExchange(proxy.port, head + SMUGGLED, 3000);
    expect(r.data).not.toMatch(/HTTP\/1\.1 2/);
    expect(upstream.seen.map((s) => s.url)).not.toContain('/smuggled');
    // Whatever reached the upstream of that body never completed.
    expect(upstream.seen.filter((s) => s.completedAt !== null)).toHaveLength(0);
  });

  it.each(AMBIGUOUS)('%s: 400, nothing smuggled', async (_name, head) => {
    const upstream = await countingUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startProxy(upstream.url);
    cleanups.push(() => proxy.close());
    const r = await rawExchange(proxy.port, head + SMUGGLED, 3000);
    expect(r.data).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.data.match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);
    expect(r.data).toMatch(/content-type: application\/problem\+json/i);
    expect(upstream.seen.map((s) => s.url)).not.toContain('/smuggled');
  });
});
