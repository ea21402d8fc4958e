// The load generators. autocannon runs in this process (pinned with it); wrk is a child process.
// autocannon: req/s and status counts (its latencies are whole milliseconds). wrk: microsecond
// latency percentiles, and the direct baseline, which autocannon cannot saturate.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { TASKSET } from './procs.mjs';

/** One autocannon run; durations are seconds (fractions allowed). */
export async function runAutocannon(url, { connections, duration, method = 'GET' }) {
  const r = await autocannon({ url, connections, duration, method, pipelining: 1, timeout: 10 });
  const statuses = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = count;
  const seconds = r.duration > 0 ? r.duration : duration;
  return {
    tool: 'autocannon',
    rps: r.requests.total / seconds,
    requests: r.requests.total,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    statuses,
  };
}

/** One wrk run (`duration` in whole seconds, at least 1), pinned to `cpu` when possible. */
export function runWrk(wrk, url, { connections, duration, cpu = null }) {
  const args = ['-t1', `-c${connections}`, `-d${Math.max(1, Math.round(duration))}s`, '--latency', '--timeout', '10s', url];
  const [file, argv] = TASKSET !== null && cpu !== null ? [TASKSET, ['-c', String(cpu), wrk, ...args]] : [wrk, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const parsed = parseWrk(out);
      if (code !== 0 || parsed === null) reject(new Error(`wrk failed (exit ${code}):\n${out}`));
      else resolve(parsed);
    });
  });
}

const UNIT_US = { us: 1, ms: 1000, s: 1e6, m: 6e7 };

function micros(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  return m === null ? null : Number(m[1]) * UNIT_US[m[2]];
}

/** Parse `wrk --latency` output; null when it is not wrk's report. */
export function parseWrk(out) {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const total = /^\s*(\d+) requests in/m.exec(out);
  if (rps === null || total === null) return null;
  const pct = {};
  for (const m of out.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+(?:us|ms|s|m))$/gm)) pct[m[1]] = micros(m[2]);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    tool: 'wrk',
    rps: Number(rps[1]),
    requests: Number(total[1]),
    p50us: pct['50'] ?? null,
    p90us: pct['90'] ?? null,
    p99us: pct['99'] ?? null,
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    errors: errors === null ? 0 : errors.slice(1).reduce((a, b) => a + Number(b), 0),
  };
}
