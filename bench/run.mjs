#!/usr/bin/env node
// The benchmark harness (issue 8): direct vs floor vs faultline vs references, side by side, in
// interleaved rounds. `npm run bench` (full, ~20 min) or `npm run bench -- --quick` (~20 s).
//
//   setup ─▶ check correctness ─▶ warm up ─▶ rounds: for each target, each profile ─▶ peak RSS
//         ─▶ streaming (fresh processes) ─▶ HTTP/2 (fresh processes, h2load)
//         ─▶ summary, markdown on stdout, JSON in bench/results/
//
// Every process started is stopped at the end, on failure, on SIGINT/SIGTERM and at the deadline.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, parseArgs } from './lib/args.mjs';
import { checkTarget } from './lib/check.mjs';
import { h2Phase } from './lib/h2-phase.mjs';
import { runAutocannon } from './lib/load.mjs';
import { rounds } from './lib/rounds.mjs';
import { streamPhase } from './lib/stream-phase.mjs';
import { TASKSET, killAllNow, pinSelf, stop, stopAll, which } from './lib/procs.mjs';
import { markdown } from './lib/report.mjs';
import { summarize, verdicts } from './lib/summary.mjs';
import { describeMachine, gitInfo, machineBusy, peakRss } from './lib/sysinfo.mjs';
import { findUndici, snapshotFaultline, startUpstream, targetList } from './lib/targets.mjs';

const BENCH = fileURLToPath(new URL('./', import.meta.url));
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

const PROFILES = [
  { key: 'ac-c50', tool: 'autocannon', connections: 50, path: '/' },
  { key: 'wrk-c50', tool: 'wrk', connections: 50, path: '/' },
  { key: 'ac-c1', tool: 'autocannon', connections: 1, path: '/' },
  { key: 'wrk-c1', tool: 'wrk', connections: 1, path: '/' },
  { key: 'ac-c50-64k', tool: 'autocannon', connections: 50, path: '/64k' },
  // autocannon reading 64 KiB bodies shares the load CPU with the upstream and caps every proxy
  // near the same rate (nginx reached it at half a core); wrk leaves the proxies the bottleneck.
  { key: 'wrk-c50-64k', tool: 'wrk', connections: 50, path: '/64k' },
];
/** Targets a --quick run leaves out: plain reference scripts started like the floor, nothing new to prove. */
const NOT_IN_QUICK = new Set(['node-http', 'node-http-pipeline', 'undici']);

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }

  const pinned = TASKSET !== null && os.cpus().length >= 2;
  const cpu = { target: pinned ? 0 : null, load: pinned ? 1 : null };
  if (pinned) pinSelf(cpu.load);
  const tools = {
    wrk: which('wrk'),
    nginx: which('nginx'),
    h2load: which('h2load'),
    undici: findUndici(),
    autocannonVersion: createRequire(import.meta.url)('autocannon/package.json').version,
    pinning: pinned,
  };
  const profiles = chooseProfiles(opts, tools);
  const deadlineMs = (opts.quick ? 120 : 600) * 1000 + opts.rounds * 10 * profiles.length * (opts.duration + 2) * 1000 * 2;
  const deadline = setTimeout(() => {
    log(`deadline of ${Math.round(deadlineMs / 1000)} s passed: stopping everything`);
    killAllNow();
    process.exit(1);
  }, deadlineMs).unref();
  const tmp = mkdtempSync(join(os.tmpdir(), 'faultline-bench-'));

  const t0 = Date.now();
  try {
    // What is measured: the commit and src/ state when the build is copied (not when the run ends).
    const provenance = gitInfo(opts.faultline ?? join(BENCH, '..'));
    const builds = snapshotBuilds(opts, tmp);
    const targets = targetList(tools, builds).map((t) => ({ ...t, skip: t.skip ?? selected(opts, t.key) }));
    const busyBefore = await machineBusy(opts.quick ? 300 : 1000);
    if (busyBefore !== null && busyBefore > 0.1)
      log(`warning: the machine was ${Math.round(busyBefore * 100)}% busy before the run; numbers will be noisy`);
    log(
      `tools: wrk ${tools.wrk ?? 'absent'}, h2load ${tools.h2load ?? 'absent'}, nginx ${tools.nginx ?? 'absent'}, undici ${tools.undici ?? 'absent'}, pinning ${pinned ? 'on' : 'off'}`,
    );
    const upstream = await startUpstream(cpu.load);
    const live = targets.filter((t) => t.skip === null);
    const env = { upstream: upstream.url, cpu: cpu.target, tmp };
    await Promise.all(live.map(async (t) => Object.assign(t, await t.start(env))));
    log(`started ${live.map((t) => t.key).join(', ')}`);

    const checks = {};
    for (const t of live)
      checks[t.key] = await checkTarget(t.url, { count: opts.quick ? 200 : 1000, allow507: t.key === 'faultline-507' });
    const broken = Object.entries(checks).filter(([, c]) => c.bad.length > 0 || c.requests === 0);
    if (broken.length > 0) throw new Error(`correctness check failed: ${JSON.stringify(broken)}`);

    for (const t of live) await runAutocannon(t.url, { connections: 50, duration: opts.quick ? 0.5 : 2 });
    log('warmed up');

    const raw = await rounds(live, profiles, opts, cpu, tools, upstream.proc.pid);
    const peaks = Object.fromEntries(live.map((t) => [t.key, peakRss(t.proc.pid)]));
    await Promise.all(live.map((t) => stop(t.proc)));

    const streaming = opts.stream ? await streamPhase(targets, env, opts) : null;
    const fl = targets.find((t) => t.key === 'faultline');
    const h2Runs = opts.h2 && tools.h2load !== null && fl.skip === null;
    if (opts.h2 && tools.h2load === null) log('no h2load on PATH (Debian: nghttp2-client): the HTTP/2 phase is skipped');
    const h2 = h2Runs ? await h2Phase(tools.h2load, fl, env, opts, cpu) : null;
    const summary = summarize(
      raw,
      live.map((t) => t.key),
      peaks,
    );
    const result = {
      schema: 1,
      date: new Date().toISOString(),
      mode: opts.quick ? 'quick' : opts.full ? 'full' : 'partial',
      machine: { ...describeMachine(tools), busyBefore, loadAvgAfter: os.loadavg() },
      faultline: provenance,
      options: {
        rounds: opts.rounds,
        duration: opts.duration,
        streamBytes: opts.streamBytes,
        streamRounds: opts.streamRounds,
        profiles: profiles.map((p) => p.key),
      },
      targets: targets.map(({ key, label, skip }) => ({ key, label, skip })),
      checks,
      summary,
      streaming,
      h2,
      verdicts: null,
      raw,
      seconds: Math.round((Date.now() - t0) / 1000),
    };
    result.verdicts = verdicts(summary, raw, streaming);
    const out = opts.out ?? join(BENCH, 'results', opts.full ? 'latest.json' : 'quick.json.tmp');
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(markdown(result) + '\n');
    log(`done in ${result.seconds} s; results in ${out}`);
    return 0;
  } finally {
    clearTimeout(deadline);
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The measurements to take: --profiles, or all (wrk ones only with wrk); --quick keeps one per connection count. */
function chooseProfiles(opts, tools) {
  const usable = PROFILES.filter((p) => p.tool !== 'wrk' || tools.wrk !== null);
  if (opts.profiles !== null) return usable.filter((p) => opts.profiles.includes(p.key));
  if (!opts.quick) return usable;
  return usable.filter((p) => p.key === 'ac-c50' || p.key === (tools.wrk !== null ? 'wrk-c1' : 'ac-c1'));
}

/** null when the target runs, else why not. */
function selected(opts, key) {
  if (opts.only !== null) return opts.only.includes(key) ? null : 'not selected';
  return opts.quick && NOT_IN_QUICK.has(key) ? 'not in --quick' : null;
}

/** Snapshot the work tree's build (and a --compare build) so concurrent rebuilds cannot touch the run. */
function snapshotBuilds(opts, tmp) {
  const snap = (root, name) =>
    existsSync(join(root, 'dist/cli/main.js')) ? snapshotFaultline(root, join(tmp, name)) : join(root, 'dist/cli/main.js');
  return {
    main: snap(opts.faultline ?? join(BENCH, '..'), 'faultline-a'),
    compareMain: opts.compare === null ? null : snap(opts.compare, 'faultline-b'),
  };
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping everything`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', killAllNow);

main().then(
  (code) => (process.exitCode = code ?? 0),
  (err) => {
    log(`failed: ${err.stack ?? err}`);
    process.exitCode = 1;
  },
);
