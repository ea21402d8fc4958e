// The HTTP/2 phase: faultline's pass-through over h2c (prior knowledge on its plain port) against
// the HTTP/2 floor (floor-h2.mjs), both calling the same HTTP/1.1 upstream, loaded by h2load
// (nghttp2-client) with several streams per connection. Fresh processes, interleaved rounds; a
// correctness check over HTTP/2 first. Skipped (null) without h2load.
import http2 from 'node:http2';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { SMALL } from './bodies.mjs';
import { TASKSET, portOf, start, stop } from './procs.mjs';
import { median, paired, spread } from './stats.mjs';
import { cpuMicros } from './sysinfo.mjs';

const BENCH = fileURLToPath(new URL('../', import.meta.url));
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/** 10 connections × 5 concurrent streams: 50 requests in flight, like the HTTP/1.1 rows at 50 connections. */
export const H2_LOAD = { connections: 10, streams: 5 };

/** Run the phase; `faultline` is the faultline target of targets.mjs (its start(env)). */
export async function h2Phase(h2load, faultline, env, opts, cpu) {
  const procs = {};
  try {
    const floor = start('floor-h2', process.execPath, [join(BENCH, 'floor-h2.mjs'), '--upstream', env.upstream], {
      cpu: cpu.target,
    });
    procs['floor-h2'] = { proc: floor, url: `http://127.0.0.1:${await portOf(floor)}` };
    procs.faultline = await faultline.start(env);
    const keys = ['floor-h2', 'faultline'];
    const checks = {};
    for (const k of keys) checks[k] = await checkH2(procs[k].url, opts.quick ? 100 : 500);
    const broken = keys.filter((k) => checks[k].bad > 0);
    if (broken.length > 0) throw new Error(`HTTP/2 correctness check failed: ${JSON.stringify(checks)}`);
    for (const k of keys) await runH2load(h2load, procs[k].url, 1, cpu.load);
    const raw = Object.fromEntries(keys.map((k) => [k, []]));
    for (let r = 0; r < opts.rounds; r++) {
      for (const k of keys) {
        const before = cpuMicros(procs[k].proc.pid);
        const m = await runH2load(h2load, procs[k].url, opts.duration, cpu.load);
        const after = cpuMicros(procs[k].proc.pid);
        m.cpuUsPerReq = before === null || after === null || m.requests === 0 ? null : (after - before) / m.requests;
        raw[k].push(m);
      }
      log(`h2 round ${r + 1}/${opts.rounds}: ${keys.map((k) => `${k} ${Math.round(raw[k][r].rps)} req/s`).join(', ')}`);
    }
    const rps = (k) => raw[k].map((m) => m.rps);
    const summary = Object.fromEntries(
      keys.map((k) => [
        k,
        {
          rps: median(rps(k)),
          cpuUsPerReq: median(raw[k].map((m) => m.cpuUsPerReq ?? NaN)),
          vsFloor: spread(paired(rps(k), rps('floor-h2'), (a, b) => a / b)),
          failed: raw[k].reduce((a, m) => a + m.failed + m.non2xx, 0),
        },
      ]),
    );
    return { load: H2_LOAD, checks, summary, raw };
  } finally {
    await Promise.all(Object.values(procs).map((p) => stop(p.proc)));
  }
}

/** `count` sequential GETs over one HTTP/2 connection: each a 200 with the upstream's body byte for byte. */
async function checkH2(url, count) {
  const session = http2.connect(url);
  session.on('error', () => undefined);
  const result = { requests: 0, ok: 0, bad: 0 };
  try {
    for (let i = 0; i < count; i++) {
      const { status, body } = await new Promise((resolve, reject) => {
        const stream = session.request({ ':path': '/' });
        const chunks = [];
        let status = 0;
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
        stream.on('error', reject);
        stream.setTimeout(5000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
        stream.end();
      });
      result.requests++;
      if (status === 200 && body.equals(SMALL)) result.ok++;
      else result.bad++;
    }
  } finally {
    session.destroy();
  }
  return result;
}

/** One h2load run (h2c by prior knowledge for an http:// URL), pinned to `cpu` when possible. */
function runH2load(h2load, url, duration, cpu) {
  const args = [
    '-c',
    String(H2_LOAD.connections),
    '-m',
    String(H2_LOAD.streams),
    '-t',
    '1',
    '-D',
    String(Math.max(1, Math.round(duration))),
    `${url}/`,
  ];
  const [file, argv] = TASKSET !== null && cpu !== null ? [TASKSET, ['-c', String(cpu), h2load, ...args]] : [h2load, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const parsed = parseH2load(out);
      if (code !== 0 || parsed === null) reject(new Error(`h2load failed (exit ${code}):\n${out}`));
      else resolve(parsed);
    });
  });
}

/** Parse h2load's report; null when it is not one. */
export function parseH2load(out) {
  const rps = /^finished in [\d.]+\w+, ([\d.]+) req\/s/m.exec(out);
  const reqs = /^requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/m.exec(out);
  const codes = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(out);
  if (rps === null || reqs === null || codes === null) return null;
  return {
    tool: 'h2load',
    rps: Number(rps[1]),
    requests: Number(reqs[2]),
    failed: Number(reqs[4]) + Number(reqs[5]),
    non2xx: Number(codes[2]) + Number(codes[3]) + Number(codes[4]),
  };
}
