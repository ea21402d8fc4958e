import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADMIN_COMMANDS, createAdminCommands } from '../../src/cli/admin-commands.js';
import type { CommandIO } from '../../src/cli/io.js';
import { closeServer, listenOn, request } from '../helpers/http.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { ADMIN_SCENARIO } from './api.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const TOKEN = 'cli-token-5d1e';
const cleanups = cleanupAfterEach();

async function setup(flags: Record<string, string> = {}): Promise<Running> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const proxy = await startProxy(demo.url, { scenario: ADMIN_SCENARIO, flags });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** Run `faultline <name> ...argv` in-process with a captured io. */
async function run(
  name: string,
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = {
    out: (s) => (out += s.endsWith('\n') ? s : s + '\n'),
    err: (s) => (err += s.endsWith('\n') ? s : s + '\n'),
  };
  const code = await createAdminCommands(env)[name]!(argv, io);
  return { code, out, err };
}

const adminOf = (proxy: Running): string => proxy.admin.replace('http://', '');

describe('faultline rules / enable / disable / set / reload', () => {
  it('exports the admin commands for main.ts', () => {
    expect(Object.keys(ADMIN_COMMANDS).sort()).toEqual([
      'disable',
      'enable',
      'guards',
      'heartbeat',
      'quota',
      'quotas',
      'reload',
      'report',
      'resume',
      'rules',
      'set',
    ]);
  });

  it('lists the rules as a table, or as JSON', async () => {
    const proxy = await setup();
    await request(`${proxy.url}/upload/x`, { method: 'PUT', body: 'a' });
    const table = await run('rules', ['--admin', adminOf(proxy)]);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+KIND\s+TRIGGER\s+MATCHED\s+INJECTED\s+SOURCE$/);
    expect(lines[1]!.split(/\s{2,}/)).toEqual([
      'full-disk',
      'enabled',
      'status 507',
      'always',
      '1',
      '1',
      `${proxy.scenarioFile}:3`,
    ]);
    expect(lines[2]!.split(/\s{2,}/)).toEqual([
      'teapot',
      'disabled',
      'status 418',
      'probability 50%',
      '0',
      '0',
      `${proxy.scenarioFile}:6`,
    ]);
    const json = await run('rules', ['--json'], { FAULTLINE_ADMIN: adminOf(proxy) });
    expect((JSON.parse(json.out) as { rules: unknown[] }).rules).toHaveLength(2);
  });

  it('disables, enables and sets a probability, with effect over the wire', async () => {
    const proxy = await setup({ adminToken: TOKEN });
    const env = { FAULTLINE_ADMIN: adminOf(proxy), FAULTLINE_ADMIN_TOKEN: TOKEN };
    expect(await run('disable', ['full-disk'], env)).toEqual({ code: 0, out: 'full-disk: disabled\n', err: '' });
    expect((await request(`${proxy.url}/upload/x`, { method: 'PUT', body: 'a' })).status).toBe(201);
    expect(await run('enable', ['full-disk'], env)).toEqual({ code: 0, out: 'full-disk: enabled\n', err: '' });
    expect((await request(`${proxy.url}/upload/x`, { method: 'PUT', body: 'a' })).status).toBe(507);
    expect(await run('set', ['full-disk', '--probability', '0%'], env)).toEqual({
      code: 0,
      out: 'full-disk: enabled, probability 0% (set at run time)\n',
      err: '',
    });
    expect((await request(`${proxy.url}/upload/x`, { method: 'PUT', body: 'a' })).status).toBe(201);
    expect((await run('set', ['teapot', '--probability=default'], env)).out).toBe('teapot: disabled, probability 50%\n');
  });

  it('reloads, and lists each problem of an invalid file (exit 1)', async () => {
    const proxy = await setup();
    writeFileSync(proxy.scenarioFile!, ADMIN_SCENARIO.replace('status: 418', 'status: 503'));
    expect(await run('reload', ['--admin', adminOf(proxy)])).toEqual({
      code: 0,
      out: 'reloaded: 2 rules (added 0, removed 0, changed 1, unchanged 1)\n',
      err: '',
    });
    writeFileSync(proxy.scenarioFile!, 'version: 1\nrules:\n  - name: a\n    fault: { status: 99 }\n');
    const bad = await run('reload', ['--admin', adminOf(proxy)]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      new RegExp(`^${proxy.scenarioFile!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:\\d+: rules\\[0\\]\\.fault\\.status: `),
    );
    expect(bad.err.trimEnd().split('\n').pop()).toBe(
      'faultline reload: 1 problem(s) in the scenario files; the previous rules keep serving',
    );
  });

  it('exits 1 with the problem detail when the API refuses', async () => {
    const proxy = await setup({ adminToken: TOKEN });
    expect(await run('disable', ['nope', '--admin', adminOf(proxy), '--admin-token', TOKEN])).toEqual({
      code: 1,
      out: '',
      err: 'faultline disable: no rule named "nope"\n',
    });
    const unauthorized = await run('rules', ['--admin', adminOf(proxy)]);
    expect(unauthorized).toEqual({
      code: 1,
      out: '',
      err: 'faultline rules: the admin API requires a token: set FAULTLINE_ADMIN_TOKEN (or give --admin-token TOKEN) to the one faultline runs with\n',
    });
    // A wrong token is another mistake than a missing one, and the message says where it came from.
    expect(await run('rules', ['--admin', adminOf(proxy), '--admin-token', 'wrong'])).toEqual({
      code: 1,
      out: '',
      err: 'faultline rules: the admin API refused the token from --admin-token: it is not the one faultline runs with\n',
    });
    expect((await run('rules', ['--admin', adminOf(proxy)], { FAULTLINE_ADMIN_TOKEN: 'wrong' })).err).toBe(
      'faultline rules: the admin API refused the token from FAULTLINE_ADMIN_TOKEN: it is not the one faultline runs with\n',
    );
    const bad = await run('set', ['full-disk', '--probability', '2', '--admin', adminOf(proxy), '--admin-token', TOKEN]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('probability: expected a probability');
  });

  it('exits 2 on usage errors and when nothing answers', async () => {
    expect((await run('disable', [])).code).toBe(2);
    expect((await run('set', ['x'])).err).toBe('faultline set: give --probability P, e.g. --probability 25% (see --help)\n');
    expect((await run('rules', ['--bogus'])).err).toBe('faultline rules: unknown option --bogus (see --help)\n');
    expect((await run('rules', ['--admni', '127.0.0.1:1'])).err).toBe(
      'faultline rules: unknown option --admni (did you mean --admin?) (see --help)\n',
    );
    expect(await run('rules', ['--admin', 'nonsense'])).toEqual({
      code: 2,
      out: '',
      err: 'faultline rules: --admin: expected HOST:PORT (e.g. 127.0.0.1:8081), got "nonsense"\n',
    });
    expect((await run('rules', [], { FAULTLINE_ADMIN: 'nonsense' })).err).toBe(
      'faultline rules: FAULTLINE_ADMIN: expected HOST:PORT (e.g. 127.0.0.1:8081), got "nonsense"\n',
    );
    expect((await run('rules', ['--admin', 'http://h:1/path'])).code).toBe(2);
    const server = net.createServer();
    const port = await listenOn(server);
    await closeServer(server);
    const down = await run('rules', ['--admin', `127.0.0.1:${port}`]);
    expect(down.code).toBe(2);
    expect(down.err).toBe(
      `faultline rules: cannot reach the admin API at http://127.0.0.1:${port}: connection refused (nothing listens there) (is faultline running? see --admin / FAULTLINE_ADMIN)\n`,
    );
  });

  it('prints --help for each command', async () => {
    for (const name of ['rules', 'enable', 'disable', 'set', 'reload']) {
      const help = await run(name, ['--help']);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(new RegExp(`^Usage: faultline ${name}`));
      expect(help.out).toContain('--admin HOST:PORT');
    }
  });
});
