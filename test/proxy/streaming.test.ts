import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoUpstream } from '../helpers/faultline.js';
import { serveCli, type Served } from '../helpers/cli.js';
import { rssOf } from '../helpers/rss.js';
import { download, upload } from '../helpers/stream.js';

const MiB = 1024 * 1024;
let demo: Awaited<ReturnType<typeof startDemoUpstream>>;
let proxy: Served;

beforeAll(async () => {
  demo = await startDemoUpstream();
  proxy = await serveCli(['serve', '--upstream', demo.url, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
});
afterAll(async () => {
  await proxy.stop();
  await demo.close();
});

describe('streaming through the proxy process', () => {
  // 80 MiB, not 50: on undici the upload path allocates so little on the V8 heap that no scavenge
  // runs during it, and the socket read buffers (64 KiB each, already garbage) are freed only when
  // V8's external-memory limit (64 MiB) starts a full GC. Bounded (a 30 MiB warm-up upload leaves
  // the peak where it is), but higher than with node:http; see docs/performance.md.
  it('moves 100 MiB up and 100 MiB down with RSS growing by less than 80 MiB', async () => {
    const url = `http://127.0.0.1:${proxy.proxyPort}`;
    await download(`${url}/bytes/1024`); // warm up: code paths loaded, agent socket open
    const before = rssOf(proxy.child.pid!);
    const up = await upload(`${url}/upload/big.bin`, 100 * MiB);
    expect(up.status).toBe(201);
    expect(JSON.parse(up.text)).toMatchObject({ bytes: 100 * MiB });
    const down = await download(`${url}/bytes/${100 * MiB}`);
    expect(down).toEqual({ status: 200, bytes: 100 * MiB });
    const after = rssOf(proxy.child.pid!);
    expect(after.peak - before.rss).toBeLessThan(80 * MiB);
  });
});
