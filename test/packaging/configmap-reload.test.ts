import http from 'node:http';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveCli, type Served } from '../helpers/cli.js';
import { closeServer, listenOn, request, type Reply } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

/*
 * A ConfigMap mounted as a volume is updated by the kubelet's AtomicWriter, never in place:
 *
 *   dir/..2026_01_01_00_00_00.000000001/demo.yaml   the data, one directory per version
 *   dir/..data -> ..2026_01_01_00_00_00.000000001   swapped with symlink(..data_tmp) + rename
 *   dir/demo.yaml -> ..data/demo.yaml               what the container sees
 *
 * The user-visible file never changes; only `..data` is renamed over. These tests build that
 * layout, start the real CLI on it and check that a swap changes what the proxy answers.
 */

const cleanups = cleanupAfterEach();

/** A ConfigMap volume that can be updated the way the kubelet does it. */
class ConfigMapVolume {
  private version = 0;
  private current: string | null = null;
  private visible = new Set<string>();

  constructor(readonly dir: string) {}

  /** Write a new version of all keys, then swap it in atomically and tidy up like the kubelet. */
  async write(files: Record<string, string>): Promise<void> {
    this.version += 1;
    const stamp = `..2026_01_01_00_00_${String(this.version).padStart(2, '0')}.${String(this.version).padStart(9, '0')}`;
    await mkdir(join(this.dir, stamp));
    for (const [name, text] of Object.entries(files)) await writeFile(join(this.dir, stamp, name), text);
    await symlink(stamp, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    for (const name of Object.keys(files)) {
      if (!this.visible.has(name)) await symlink(join('..data', name), join(this.dir, name));
    }
    for (const name of [...this.visible]) {
      if (!(name in files)) await rm(join(this.dir, name));
    }
    this.visible = new Set(Object.keys(files));
    if (this.current !== null) await rm(join(this.dir, this.current), { recursive: true });
    this.current = stamp;
  }
}

function scenario(rule: string, status: number, path = '/swap'): string {
  return `version: 1\nrules:\n  - name: ${rule}\n    match:\n      path: ${path}\n    fault:\n      status: ${status}\n`;
}

async function start(scenarios: string): Promise<{ proxy: Served; get: (path: string) => Promise<Reply> }> {
  const upstream = http.createServer((req, res) => {
    req.resume();
    res.end('from upstream');
  });
  const port = await listenOn(upstream);
  cleanups.push(() => closeServer(upstream));
  const proxy = await serveCli([
    'serve',
    '--upstream',
    `http://127.0.0.1:${port}`,
    '--listen',
    '127.0.0.1:0',
    '--admin',
    '127.0.0.1:0',
    '--scenarios',
    scenarios,
  ]);
  cleanups.push(() => proxy.stop());
  return { proxy, get: (path) => request(`http://127.0.0.1:${proxy.proxyPort}${path}`) };
}

/** Poll until `check` holds for a fresh answer, or fail after `withinMs`. */
async function eventually(get: () => Promise<Reply>, check: (r: Reply) => boolean, withinMs = 5000): Promise<Reply> {
  const deadline = Date.now() + withinMs;
  let last: Reply | null = null;
  while (Date.now() < deadline) {
    last = await get();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not within ${withinMs} ms; last answer ${last?.status} ${JSON.stringify(last?.headers['x-faultline-fault'])}`);
}

async function volume(): Promise<ConfigMapVolume> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-configmap-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return new ConfigMapVolume(dir);
}

describe('scenarios from a Kubernetes ConfigMap volume', () => {
  it('a ..data symlink swap in a watched directory is picked up within seconds', async () => {
    const cm = await volume();
    await cm.write({ 'demo.yaml': scenario('before-507', 507) });
    const { proxy, get } = await start(cm.dir);

    const first = await get('/swap');
    expect(first.status).toBe(507);
    expect(first.headers['x-faultline-fault']).toBe('before-507');
    expect((await get('/other')).text).toBe('from upstream');

    await cm.write({ 'demo.yaml': scenario('after-503', 503) });
    const swapped = await eventually(
      () => get('/swap'),
      (r) => r.status === 503,
    );
    expect(swapped.headers['x-faultline-fault']).toBe('after-503');
    const reloaded = await proxy.waitForLine((l) => l.msg === 'scenarios reloaded');
    expect(reloaded.reason).toBe('file change');
    // the layout really was the kubelet's: only the new version directory is left
    expect((await readdir(cm.dir)).filter((n) => n.startsWith('..2026')).length).toBe(1);
  });

  it('a swap is noticed when the scenario file itself (a symlink into ..data) was given', async () => {
    const cm = await volume();
    await cm.write({ 'demo.yaml': scenario('before-507', 507) });
    const { get } = await start(join(cm.dir, 'demo.yaml'));
    expect((await get('/swap')).status).toBe(507);

    await cm.write({ 'demo.yaml': scenario('after-503', 503) });
    await eventually(
      () => get('/swap'),
      (r) => r.status === 503,
    );
    // and again: the watcher follows the file through more than one swap
    await cm.write({ 'demo.yaml': scenario('third-418', 418) });
    await eventually(
      () => get('/swap'),
      (r) => r.status === 418,
    );
  });

  it('keys added to and removed from the ConfigMap load and unload', async () => {
    const cm = await volume();
    await cm.write({ 'a.yaml': scenario('a-507', 507, '/a') });
    const { get } = await start(cm.dir);
    expect((await get('/b')).status).toBe(200);

    await cm.write({ 'a.yaml': scenario('a-507', 507, '/a'), 'b.yaml': scenario('b-503', 503, '/b') });
    await eventually(
      () => get('/b'),
      (r) => r.status === 503,
    );
    expect((await get('/a')).status).toBe(507);

    await cm.write({ 'b.yaml': scenario('b-503', 503, '/b') });
    await eventually(
      () => get('/a'),
      (r) => r.status === 200,
    );
    expect((await get('/b')).status).toBe(503);
  });

  it('an invalid update keeps the previous rules serving; the next valid one applies', async () => {
    const cm = await volume();
    await cm.write({ 'demo.yaml': scenario('before-507', 507) });
    const { proxy, get } = await start(cm.dir);
    expect((await get('/swap')).status).toBe(507);

    await cm.write({ 'demo.yaml': 'version: 1\nrules:\n  - name: broken\n    fault: { status: 99 }\n' });
    const rejected = await proxy.waitForLine((l) => l.msg === 'scenario reload rejected; previous rules keep serving');
    expect(String(rejected.problem)).toContain('demo.yaml');
    expect((await get('/swap')).status).toBe(507);

    await cm.write({ 'demo.yaml': scenario('after-503', 503) });
    await eventually(
      () => get('/swap'),
      (r) => r.status === 503,
    );
  });
});
