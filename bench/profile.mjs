#!/usr/bin/env node
// Profile one target under load: `node bench/profile.mjs [--target faultline] [--duration 15]
// [--connections 50] [--interval-us 250] [--keep DIR] [--main PATH/dist/cli/main.js]
// [--workload requests|upload|download] [--path /64k]`. Upload and download move 256 MiB bodies one at a time
// until the duration is up (at most 40 of them). The target runs with `node --cpu-prof`,
// pinned like in run.mjs; only the samples taken during the measured load are summarised.
import { mkdtempSync, readdirSync, rmSync, cpSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { summarizeProfile } from './lib/cpuprofile.mjs';
import { runAutocannon } from './lib/load.mjs';
import { download, upload } from './lib/stream.mjs';
import { TASKSET, pinSelf, stop, stopAll, which } from './lib/procs.mjs';
import { findUndici, startUpstream, targetList } from './lib/targets.mjs';

const flags = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const target = flags.target ?? 'faultline';
const duration = Number(flags.duration ?? 15);
const connections = Number(flags.connections ?? 50);
const intervalUs = Number(flags['interval-us'] ?? 250);
const workload = flags.workload ?? 'requests';
const path = flags.path ?? '/';
const BODY = 256 * 2 ** 20;

/** Drive the target for `seconds`; returns { requests, rps, what }. */
async function drive(url, seconds) {
  if (workload === 'requests') {
    const m = await runAutocannon(url + path, { connections, duration: seconds });
    return { requests: m.requests, what: `${Math.round(m.rps)} req/s at ${connections} connections` };
  }
  const fn = workload === 'upload' ? upload : download;
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const mbps = [];
  while (Date.now() < end && n < 40) {
    mbps.push((await fn(url, BODY, 60_000)).mbps);
    n++;
  }
  return { requests: n, what: `${n} ${workload}s of 256 MiB, ${Math.round(mbps.reduce((a, b) => a + b, 0) / n)} MB/s` };
}

async function main() {
  const pinned = TASKSET !== null && os.cpus().length >= 2;
  if (pinned) pinSelf(1);
  const tools = { wrk: which('wrk'), nginx: which('nginx'), undici: findUndici() };
  const def = targetList(tools, flags.main ? { main: flags.main } : {}).find((t) => t.key === target);
  if (def === undefined || def.skip !== null || target === 'nginx')
    throw new Error(`cannot profile ${target}${def?.skip ? `: ${def.skip}` : ''}`);
  const tmp = mkdtempSync(join(os.tmpdir(), 'faultline-prof-'));
  try {
    const upstream = await startUpstream(pinned ? 1 : null);
    const nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${tmp}`, `--cpu-prof-interval=${intervalUs}`];
    const started = Date.now();
    const t = await def.start({ upstream: upstream.url, cpu: pinned ? 0 : null, tmp, nodeFlags });
    await drive(t.url, 3);
    const from = Date.now() - started;
    const m = await drive(t.url, duration);
    const to = Date.now() - started;
    await stop(t.proc, 10_000);
    const file = readdirSync(tmp).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('no .cpuprofile written');
    if (flags.keep) cpSync(join(tmp, file), join(flags.keep, `${target}.cpuprofile`));
    const s = summarizeProfile(join(tmp, file), { fromMs: from, toMs: to });
    const perReq = (ms) => (workload === 'requests' ? (ms * 1000) / m.requests : ms / m.requests).toFixed(2);
    const unit = workload === 'requests' ? 'µs/req' : 'ms/transfer';
    const lines = [`## ${target}: ${m.what}; ${s.busyMs} ms busy of ${s.windowMs} ms`, ''];
    lines.push(
      `| origin | self ms | % busy | ${unit} |`,
      '|---|---|---|---|',
      ...s.origins.map((o) => `| ${o.name} | ${o.ms} | ${o.pct} | ${perReq(o.ms)} |`),
      '',
    );
    lines.push(
      `| top self time | ms | % busy | ${unit} |`,
      '|---|---|---|---|',
      ...s.self.map((o) => `| ${o.name} | ${o.ms} | ${o.pct} | ${perReq(o.ms)} |`),
      '',
    );
    lines.push(
      `| top inclusive time | ms | % busy | ${unit} |`,
      '|---|---|---|---|',
      ...s.inclusive.map((o) => `| ${o.name} | ${o.ms} | ${o.pct} | ${perReq(o.ms)} |`),
    );
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`profile failed: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
