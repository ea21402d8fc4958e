// What the machine is, and what a process uses, read from /proc (Linux); null elsewhere.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux platform Node supports

/** Peak resident set size (VmHWM) in bytes, or null. */
export function peakRss(pid) {
  return statusField(pid, 'VmHWM');
}

/** Current resident set size (VmRSS) in bytes, or null. */
export function rss(pid) {
  return statusField(pid, 'VmRSS');
}

function statusField(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

/** Reset the peak RSS mark (Linux >= 4.0); false when not possible. */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system) used so far, in microseconds, or null. */
export function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return null;
  return `${r.stdout}${r.stderr}`.split('\n')[0].trim() || null;
}

/** The machine's description for results files. */
export function describeMachine(tools) {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    autocannon: tools.autocannonVersion,
    wrk: tools.wrk === null ? null : firstLine(tools.wrk, ['-v']),
    nginx: tools.nginx === null ? null : firstLine(tools.nginx, ['-v']),
    pinning: tools.pinning,
  };
}

/**
 * CPU time the whole machine spent running processes so far (user + nice + system over all CPUs),
 * in microseconds, or null. Interrupt and softirq time are left out: loopback traffic is handled
 * there, in proportion to the benchmark's own rate, and no process is charged for it.
 */
export function machineCpuMicros() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return ((f[0] + f[1] + f[2]) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU time of this process plus its reaped children (wrk runs), in microseconds, or null. */
export function selfCpuMicros() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function cpuTotals() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/**
 * Fraction of all CPUs busy over the next `ms` (0..1), or null: measured before the run, so a
 * results file shows whether something else was using the machine.
 */
export async function machineBusy(ms) {
  const a = cpuTotals();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTotals();
  if (a === null || b === null || b.total === a.total) return null;
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/** The commit measured and how many files under src/ differ from it (read-only git calls). */
export function gitInfo(root) {
  const git = (...args) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const dirty = git('status', '--porcelain', '--', 'src').stdout.split('\n').filter(Boolean).length;
  return { commit: head.stdout.trim(), srcFilesChanged: dirty };
}
