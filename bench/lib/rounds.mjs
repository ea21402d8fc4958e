// The timed part of a run: interleaved rounds of every profile on every target, each measurement
// with the CPU readings that say whether the target was the bottleneck and whether something
// outside the benchmark disturbed it.
import { runAutocannon, runWrk } from './load.mjs';
import { cpuMicros, machineCpuMicros, selfCpuMicros } from './sysinfo.mjs';

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/** Interleaved rounds: A B C … A B C …, every profile of a target back to back. */
export async function rounds(live, profiles, opts, cpu, tools, upstreamPid) {
  const raw = Object.fromEntries(live.map((t) => [t.key, Object.fromEntries(profiles.map((p) => [p.key, []]))]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const t of live) {
      for (const p of profiles) {
        const m = await measure(t, p, opts, cpu, tools, upstreamPid);
        raw[t.key][p.key].push(m);
      }
      const m = raw[t.key];
      log(
        `round ${r + 1}/${opts.rounds} ${t.key}: ${profiles.map((p) => `${p.key} ${Math.round(m[p.key][r].rps)} req/s`).join(', ')}`,
      );
    }
  }
  return raw;
}

/** Most attempts at one measurement when something outside the benchmark disturbs it. */
const ATTEMPTS = 3;
/** Cores of outside CPU use above which a measurement is taken again. */
const DISTURBED = 0.25;

/**
 * One measurement of one target. When something outside the benchmark used more than DISTURBED
 * cores meanwhile (another job on a shared machine), it is taken again, at most ATTEMPTS times in
 * all (once with --quick); the last attempt counts, and `attempts` records how many there were.
 */
async function measure(t, p, opts, cpu, tools, upstreamPid) {
  const url = t.url + p.path;
  let m;
  const attempts = opts.quick ? 1 : ATTEMPTS;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const before = { target: cpuMicros(t.proc.pid), ours: ourCpu(upstreamPid), all: machineCpuMicros(), wall: performance.now() };
    m =
      p.tool === 'wrk'
        ? await runWrk(tools.wrk, url, { connections: p.connections, duration: opts.duration, cpu: cpu.load })
        : await runAutocannon(url, { connections: p.connections, duration: opts.duration });
    const after = { target: cpuMicros(t.proc.pid), ours: ourCpu(upstreamPid), all: machineCpuMicros(), wall: performance.now() };
    Object.assign(m, cpuShares(before, after, m.requests), { attempts: attempt });
    if (m.foreignCores === null || m.foreignCores <= DISTURBED || attempt === attempts) break;
    log(`${t.key} ${p.key}: ${m.foreignCores.toFixed(2)} cores used outside the benchmark; measuring again`);
  }
  return m;
}

/** CPU used by the load side: this process (autocannon), its reaped children (wrk), the upstream. */
function ourCpu(upstreamPid) {
  const self = selfCpuMicros();
  const up = cpuMicros(upstreamPid);
  return self === null || up === null ? null : self + up;
}

/**
 * targetBusy: the target's share of its core (near 1: it was the bottleneck). foreignCores: CPU
 * used by anything but the target and the load side, in cores; above ~0.1 something else on the
 * machine disturbed the measurement.
 */
function cpuShares(before, after, requests) {
  const wallUs = (after.wall - before.wall) * 1000;
  const target = before.target === null || after.target === null ? null : after.target - before.target;
  const ours = before.ours === null || after.ours === null ? null : after.ours - before.ours;
  const all = before.all === null || after.all === null ? null : after.all - before.all;
  return {
    cpuUsPerReq: target === null || requests === 0 ? null : target / requests,
    targetBusy: target === null ? null : target / wallUs,
    foreignCores: target === null || ours === null || all === null ? null : Math.max(0, (all - target - ours) / wallUs),
  };
}
