// The after-idle check: 64 KiB responses through faultline and the floor, side by side, measured,
// then left idle longer than the upstream's keep-alive timeout (120 s in bench/upstream.mjs), then
// measured again, for several rounds. A forwarder whose pooled connections went stale during the
// idle spell gets slower in the later rounds; the check is "later rounds within 10% of the first"
// (CPU time per request, read from /proc, and req/s), with the floor beside it to show how noisy
// the machine was.
//
//   npm run build && node bench/idle.mjs [--rounds 3] [--idle 180] [--duration 5] [--out PATH]
//
// Traffic goes to 127.0.0.1 only; every loop is bounded by --rounds (at most 10).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runAutocannon } from './lib/load.mjs';
import { killAllNow, pinSelf, sleep, stopAll } from './lib/procs.mjs';
import { median } from './lib/stats.mjs';
import { cpuMicros, machineCpuMicros, selfCpuMicros } from './lib/sysinfo.mjs';
import { startUpstream, targetList } from './lib/targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    idle: { type: 'string', default: '180' },
    duration: { type: 'string', default: '5' },
    out: { type: 'string', default: join(ROOT, 'bench/results/idle.json') },
  },
});
const ROUNDS = Math.max(2, Math.min(Number(values.rounds), 10));
const IDLE_S = Math.max(1, Math.min(Number(values.idle), 900));
const DURATION_S = Math.max(1, Math.min(Number(values.duration), 60));
const KEYS = ['floor', 'faultline'];
const PROXY_CPU = 0;
const LOAD_CPU = 1;

process.on('SIGINT', () => {
  killAllNow();
  process.exit(130);
});

pinSelf(LOAD_CPU);
const upstream = await startUpstream(LOAD_CPU);
const targets = targetList({ nginx: null, undici: null }).filter((t) => KEYS.includes(t.key));
const live = [];
try {
  for (const t of targets) {
    if (t.skip !== null) throw new Error(`${t.key}: ${t.skip}`);
    live.push({ key: t.key, ...(await t.start({ upstream: upstream.url, cpu: PROXY_CPU })) });
  }
  // Warm-up: JIT and pools, not recorded.
  for (const t of live) await runAutocannon(`${t.url}/64k`, { connections: 50, duration: 2 });
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r > 0) {
      console.log(`idle ${IDLE_S} s ...`);
      await sleep(IDLE_S * 1000);
    }
    const round = {};
    for (const t of live) {
      const pids = [t.proc.pid, upstream.proc.pid];
      const ours = () => pids.reduce((a, pid) => a + cpuMicros(pid), selfCpuMicros());
      const [before, oursBefore, machineBefore] = [cpuMicros(t.proc.pid), ours(), machineCpuMicros()];
      const m = await runAutocannon(`${t.url}/64k`, { connections: 50, duration: DURATION_S });
      const used = cpuMicros(t.proc.pid) - before;
      // Cores used by anything outside the benchmark meanwhile: how far to trust the round.
      const foreignCores = (machineCpuMicros() - machineBefore - (ours() - oursBefore)) / (DURATION_S * 1e6);
      round[t.key] = {
        rps: Math.round(m.rps),
        cpuUsPerReq: Math.round((used / Math.max(1, m.requests)) * 10) / 10,
        foreignCores: Math.round(Math.max(0, foreignCores) * 100) / 100,
        statuses: m.statuses,
      };
      const x = round[t.key];
      console.log(`round ${r + 1} ${t.key}: ${x.rps} req/s, ${x.cpuUsPerReq} µs CPU/req (other work: ${x.foreignCores} cores)`);
    }
    rounds.push(round);
  }
  const verdict = {};
  for (const key of KEYS) {
    const first = rounds[0][key];
    const later = rounds.slice(1).map((x) => x[key]);
    verdict[key] = {
      cpuLaterVsFirst: Math.round((median(later.map((x) => x.cpuUsPerReq)) / first.cpuUsPerReq) * 100) / 100,
      rpsLaterVsFirst: Math.round((median(later.map((x) => x.rps)) / first.rps) * 100) / 100,
      worstCpuVsFirst: Math.round((Math.max(...later.map((x) => x.cpuUsPerReq)) / first.cpuUsPerReq) * 100) / 100,
    };
  }
  const result = { when: new Date().toISOString(), idleSeconds: IDLE_S, durationSeconds: DURATION_S, rounds, verdict };
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(verdict, null, 2));
  // CPU per request is the verdict: req/s also moves with whatever else the machine is doing.
  const ok = verdict.faultline.cpuLaterVsFirst <= 1.1;
  console.log(ok ? 'faultline: later rounds within 10% of the first (CPU per request)' : 'faultline: SLOWER after idle');
  process.exitCode = ok ? 0 : 1;
} finally {
  await stopAll();
}
