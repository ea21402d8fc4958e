// Starting and stopping the processes under test. Every process started here is registered, and
// stopAll() (called from the harness's finally and its signal handlers) ends each of them:
// SIGTERM, then SIGKILL after a grace period. Nothing is left running.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

const running = new Set();

/** taskset pins processes to a CPU when present; elsewhere pinning is skipped. */
export const TASKSET = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0 ? 'taskset' : null;

/** Is this command on PATH (or an existing path)? */
export function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}

/** Pin this process (all its threads) to `cpu`; false when it cannot be done. */
export function pinSelf(cpu) {
  if (TASKSET === null || cpu === null) return false;
  return spawnSync(TASKSET, ['-a', '-pc', String(cpu), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** Spawn `cmd args` (pinned to `cpu` when possible) and register it for cleanup. */
export function start(name, cmd, args, { cpu = null, env } = {}) {
  const [file, argv] = TASKSET !== null && cpu !== null ? [TASKSET, ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  const proc = { name, child, pid: child.pid, stdout: '', stderr: '', exited: null };
  child.stdout.setEncoding('utf8').on('data', (d) => (proc.stdout = (proc.stdout + d).slice(-20_000)));
  child.stderr.setEncoding('utf8').on('data', (d) => (proc.stderr = (proc.stderr + d).slice(-20_000)));
  proc.exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve((proc.exited = { code, signal }))));
  child.on('error', (err) => (proc.stderr += `\nspawn error: ${err.message}`));
  running.add(proc);
  return proc;
}

/** Wait for the child's `{"port":N}` line on stdout. */
export async function portOf(proc, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = proc.stdout.split('\n').find((l) => l.startsWith('{"port":'));
    if (line !== undefined) return JSON.parse(line).port;
    if (proc.exited !== null) break;
    await sleep(20);
  }
  throw failure(proc, 'did not announce its port');
}

/** Wait until `url` answers any HTTP response. */
export async function ready(proc, url, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited !== null) break;
    if (await answers(url)) return;
    await sleep(50);
  }
  throw failure(proc, `was not ready at ${url}`);
}

function answers(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function failure(proc, what) {
  const exit = proc.exited === null ? '' : ` (exited: ${JSON.stringify(proc.exited)})`;
  return new Error(
    `${proc.name} ${what}${exit}\n--- its stderr ---\n${proc.stderr.slice(-2000)}\n--- its stdout ---\n${proc.stdout.slice(-1000)}`,
  );
}

/** A free TCP port on 127.0.0.1 (for programs that cannot announce one they picked). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stop(proc, graceMs = 3000) {
  running.delete(proc);
  if (proc.exited !== null) return proc.exited;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.exited === null && proc.child.kill('SIGKILL'), graceMs);
  const result = await proc.exitPromise;
  clearTimeout(timer);
  return result;
}

/** Stop every process started here, in parallel. */
export function stopAll() {
  return Promise.all([...running].map((p) => stop(p)));
}

/** Last-resort synchronous cleanup (process 'exit' handler): SIGKILL whatever is still registered. */
export function killAllNow() {
  for (const p of running) if (p.exited === null) p.child.kill('SIGKILL');
  running.clear();
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
