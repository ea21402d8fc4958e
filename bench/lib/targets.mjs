// The things under test, each started as its own process pinned to the proxy CPU:
//
//   load generator (CPU 1) ──▶ target (CPU 0) ──▶ upstream (CPU 1)
//
// `direct` is a second upstream process on the proxy CPU, so it is measured like a proxy.
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, portOf, ready, start } from './procs.mjs';

const BENCH = fileURLToPath(new URL('../', import.meta.url));
const ROOT = join(BENCH, '..');
export const FAULTLINE_MAIN = join(ROOT, 'dist/cli/main.js');

/**
 * Copy a faultline build (`<root>/dist`, package.json, a link to its node_modules) into `dir`, so
 * a rebuild of the work tree during a run cannot change, or half-write, what is measured.
 * Returns the copy's main.js.
 */
export function snapshotFaultline(root, dir) {
  mkdirSync(dir, { recursive: true });
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return join(dir, 'dist/cli/main.js');
}

/** Start the upstream (port 0, announced on stdout). */
export async function startUpstream(cpu, name = 'upstream', nodeFlags = []) {
  const proc = start(name, process.execPath, [...nodeFlags, join(BENCH, 'upstream.mjs')], { cpu });
  const port = await portOf(proc);
  return { proc, url: `http://127.0.0.1:${port}` };
}

/** undici's package directory when it can be loaded (the project, or BENCH_UNDICI_DIR), else null. */
export function findUndici() {
  for (const base of [ROOT, process.env.BENCH_UNDICI_DIR].filter(Boolean)) {
    try {
      createRequire(join(base, 'package.json')).resolve('undici');
      return base;
    } catch {
      // not there
    }
  }
  return null;
}

/**
 * Every target, in round order. `start(env)` (env: { upstream, cpu, tmp, nodeFlags? }) resolves to { proc, url }; `skip` says why a target
 * cannot run here (a missing binary or package), null when it can.
 */
export function targetList(tools, { main = FAULTLINE_MAIN, compareMain = null } = {}) {
  const nodeScript =
    (name, script, extra = []) =>
    async ({ upstream, cpu, nodeFlags = [] }) => {
      const proc = start(name, process.execPath, [...nodeFlags, join(BENCH, script), '--upstream', upstream, ...extra], { cpu });
      return { proc, url: `http://127.0.0.1:${await portOf(proc)}` };
    };
  const faultline =
    (name, scenario, entry = main) =>
    async ({ upstream, cpu, nodeFlags = [] }) => {
      const [port, admin] = [await freePort(), await freePort()];
      const args = [
        // How faultline's bin runs it (the shebang of src/cli/main.ts).
        '--no-memory-reducer',
        ...nodeFlags,
        entry,
        'serve',
        '--upstream',
        upstream,
        '--listen',
        `127.0.0.1:${port}`,
        '--admin',
        `127.0.0.1:${admin}`,
        '--log-level',
        'warn',
        '--shutdown-grace',
        '2s',
      ];
      if (scenario !== null) args.push('--scenarios', join(BENCH, 'scenarios', scenario));
      const proc = start(name, process.execPath, args, { cpu });
      await ready(proc, `http://127.0.0.1:${admin}/healthz`);
      return { proc, url: `http://127.0.0.1:${port}` };
    };
  return [
    {
      key: 'direct',
      label: 'direct (no proxy)',
      start: async ({ cpu, nodeFlags }) => startUpstream(cpu, 'direct', nodeFlags),
      skip: null,
    },
    { key: 'floor', label: 'floor: http-proxy + keep-alive', start: nodeScript('floor', 'floor.mjs'), skip: null },
    {
      key: 'faultline',
      label: 'faultline, no rules',
      start: faultline('faultline', null),
      skip: existsSync(main) ? null : `${main} not built (npm run build)`,
    },
    {
      key: 'faultline-100',
      label: 'faultline, 100 non-matching rules',
      start: faultline('faultline-100', '100-nonmatching.yaml'),
      skip: existsSync(main) ? null : 'not built',
    },
    {
      key: 'faultline-507',
      label: 'faultline, 507 at 10%',
      start: faultline('faultline-507', '507-10pct.yaml'),
      skip: existsSync(main) ? null : 'not built',
    },
    {
      key: 'faultline-b',
      label: 'faultline B (--compare), no rules',
      start: faultline('faultline-b', null, compareMain),
      skip: compareMain === null ? 'no --compare build given' : existsSync(compareMain) ? null : `${compareMain} not found`,
    },
    {
      key: 'nginx',
      label: 'nginx (reference)',
      start: (env) => startNginx(tools.nginx, env),
      skip: tools.nginx === null ? 'no nginx binary' : null,
    },
    {
      key: 'node-http',
      label: 'node:http + pipe() (reference)',
      start: nodeScript('node-http', 'alt/node-http.mjs', ['--mode', 'pipe']),
      skip: null,
    },
    {
      key: 'node-http-pipeline',
      label: 'node:http + pipeline() (reference)',
      start: nodeScript('node-http-pipeline', 'alt/node-http.mjs', ['--mode', 'pipeline']),
      skip: null,
    },
    {
      key: 'undici',
      label: 'undici Pool (reference)',
      start: (env) => nodeScript('undici', 'alt/undici.mjs', ['--undici', tools.undici])(env),
      skip: tools.undici === null ? 'undici not installed (npm i undici@7, or BENCH_UNDICI_DIR)' : null,
    },
  ];
}

async function startNginx(nginx, { upstream, cpu, tmp }) {
  const dir = join(tmp, 'nginx');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = readFileSync(join(BENCH, 'nginx.conf.template'), 'utf8')
    .replaceAll('{{DIR}}', dir)
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{UPSTREAM_PORT}}', new URL(upstream).port);
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = start('nginx', nginx, ['-e', join(dir, 'error.log'), '-p', dir + '/', '-c', join(dir, 'nginx.conf')], { cpu });
  const url = `http://127.0.0.1:${port}`;
  await ready(proc, url);
  return { proc, url };
}
