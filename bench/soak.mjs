// A bounded soak: faultline (dist/, its own process) in front of the demo upstream, every fault
// kind firing, clients aborting mid-fault, plus hostile connections (slow heads, malformed and
// pipelined requests, oversized heads), in rounds. After each the proxy's open descriptors and
// in-flight gauge must be back at their idle values, and its resident memory, heap and external
// memory must not grow from the second round's end to the last one's (RSS itself stays near its
// high-water mark: V8 and the allocator keep pages they may need again).
//
//   npm run build && node bench/soak.mjs --seconds 240 [--rounds 4] [--clients 48] [--seed 1]
//
// Exit 0 when all of that holds, 1 otherwise. Traffic goes to 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = parseArgs(process.argv.slice(2));
const SECONDS = Math.min(Number(args.seconds ?? 60), 600);
const CLIENTS = Math.min(Number(args.clients ?? 48), 500);
const ROUNDS = Math.max(2, Math.min(Number(args.rounds ?? 3), 10));
const random = mulberry32(Number(args.seed ?? 1));

// Every fault kind (and a delay, a quota and plain pass-through), selected by x-soak.
const SCENARIO = `version: 1
seed: 7
rules:
  - { name: status, match: { headers: { x-soak: status } }, fault: { status: 507, retryAfter: 30 } }
  - { name: replace, match: { headers: { x-soak: replace } }, fault: { replaceStatus: 503 } }
  - { name: reset-early, match: { headers: { x-soak: reset-early } }, fault: { reset: true } }
  - { name: reset-late, match: { headers: { x-soak: reset-late } }, fault: { reset: { afterBytes: 24KiB } } }
  - { name: hang, match: { headers: { x-soak: hang } }, fault: { hang: 1500ms } }
  - { name: hang-forever, match: { headers: { x-soak: hang-forever } }, fault: { hang: true } }
  - { name: throttle, match: { headers: { x-soak: throttle } }, fault: { throttle: { request: 256KiB/s, response: 256KiB/s } } }
  - { name: truncate, match: { headers: { x-soak: truncate } }, fault: { truncate: 10KiB } }
  - { name: delay, match: { headers: { x-soak: delay } }, fault: { delay: { min: 5ms, max: 300ms }, phase: response } }
  - name: quota
    match: { method: PUT, path: /upload/**, headers: { x-soak: quota } }
    when: { quota: { key: "header:x-tenant-id", measure: bytes, limit: 2MiB } }
    fault: { status: 507 }
`;
const KINDS = [
  'pass',
  'status',
  'replace',
  'reset-early',
  'reset-late',
  'hang',
  'hang-forever',
  'throttle',
  'truncate',
  'delay',
  'quota',
];
const HOSTILE = ['slow-head', 'malformed', 'pipelined', 'big-head', 'silent'];

const { createDemoUpstream } = await import(join(ROOT, 'dist/demo/upstream.js'));
const upstream = createDemoUpstream();
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const dir = mkdtempSync(join(tmpdir(), 'faultline-soak-'));
writeFileSync(join(dir, 'soak.yaml'), SCENARIO);
const proxyPort = await freePort();
const adminPort = await freePort();
const child = spawn(
  process.execPath,
  [
    join(ROOT, 'dist/cli/main.js'),
    'serve',
    '--upstream',
    `http://127.0.0.1:${upstream.address().port}`,
    '--listen',
    `127.0.0.1:${proxyPort}`,
    '--admin',
    `127.0.0.1:${adminPort}`,
    '--scenarios',
    join(dir, 'soak.yaml'),
    '--headers-timeout',
    '2s',
    '--keep-alive-timeout',
    '2s',
    '--log-level',
    'warn',
  ],
  // A heap snapshot on SIGUSR2 (written to the temp dir) is how a full GC is had from outside.
  { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, env: { ...process.env, NODE_OPTIONS: '--heapsnapshot-signal=SIGUSR2' } },
);
let stderr = '';
child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-10_000)));
const stopAll = () => {
  child.kill('SIGKILL');
  upstream.closeAllConnections();
  upstream.close();
};
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

try {
  await waitFor(async () => (await get(`http://127.0.0.1:${adminPort}/readyz`)).status === 200, 10_000, 'faultline ready');
  // Warm up: every kind once (to completion), then let keep-alive connections expire.
  for (const kind of KINDS.filter((k) => k !== 'hang-forever')) await oneRequest(kind, false).catch(() => {});
  await settle();
  const idle = await sample(true);
  console.log(`idle:   ${fmt(idle)}`);

  // Rounds, each followed by a pause: a leak keeps growing from one round's end to the next,
  // while the allocator's high-water mark (RSS rarely shrinks) levels off after the first.
  let peak = idle;
  const counts = { requests: 0, aborted: 0, errors: 0, hostile: 0 };
  const monitor = setInterval(async () => {
    const s = await sample().catch(() => null);
    if (s !== null)
      peak = {
        ...s,
        rss: Math.max(peak.rss, s.rss),
        fds: Math.max(peak.fds, s.fds),
        inFlight: Math.max(peak.inFlight, s.inFlight),
      };
  }, 1000);
  const ends = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const deadline = Date.now() + (SECONDS * 1000) / ROUNDS;
    await Promise.all(Array.from({ length: CLIENTS }, () => worker(deadline, counts)));
    await settle();
    ends.push(await sample(true));
    console.log(`round ${round}: ${fmt(ends[round - 1])}`);
  }
  clearInterval(monitor);
  console.log(
    `load:   ${SECONDS}s, ${CLIENTS} clients: ${counts.requests} requests (${counts.aborted} aborted by the client, ` +
      `${counts.errors} failed as injected), ${counts.hostile} hostile connections`,
  );
  console.log(`peak:   RSS ${mib(peak.rss)}, ${peak.fds} open descriptors, ${peak.inFlight} in flight`);
  // Compared: the second round's end (past the warm-up of allocator and JIT) and the last one's.
  const first = ends[1];
  const end = ends[ends.length - 1];
  const verdicts = [
    ['in-flight back to idle', end.inFlight === idle.inFlight],
    ['descriptors back to idle', end.fds <= idle.fds],
    [
      'resident memory flat from round 2 to the last (within 10% or 8 MiB)',
      end.rss <= Math.max(first.rss * 1.1, first.rss + 8 * 1048576),
    ],
    [
      'heap in use after a full GC flat from round 2 to the last (within 10% or 2 MiB)',
      end.heap <= Math.max(first.heap * 1.1, first.heap + 2 * 1048576),
    ],
    [
      'external memory after a full GC flat from round 2 to the last (within 10% or 2 MiB)',
      end.external <= Math.max(first.external * 1.1, first.external + 2 * 1048576),
    ],
    ['faultline still running', child.exitCode === null],
  ];
  for (const [what, ok] of verdicts) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  process.exitCode = verdicts.every(([, ok]) => ok) ? 0 : 1;
} catch (err) {
  console.error(`soak failed: ${err.message}\n${stderr}`);
  process.exitCode = 1;
} finally {
  stopAll();
}

/** One client: requests of random kinds (and now and then a hostile connection) until `deadline`. */
async function worker(deadline, counts) {
  while (Date.now() < deadline) {
    if (random() < 0.08) {
      counts.hostile++;
      await hostile(HOSTILE[Math.floor(random() * HOSTILE.length)]).catch(() => {});
      continue;
    }
    const kind = KINDS[Math.floor(random() * KINDS.length)];
    // Hangs forever are only ever left by the client: always abort those.
    const abort = kind === 'hang-forever' || random() < 0.3;
    counts.requests++;
    try {
      if ((await oneRequest(kind, abort)) === 'aborted') counts.aborted++;
    } catch {
      counts.errors++; // resets and truncations are errors to a client, by design
    }
  }
}

/** One request of a kind; aborted (the client goes away) at a random point when `abort`. */
function oneRequest(kind, abort) {
  return new Promise((resolve, reject) => {
    const upload = kind === 'quota' || (kind === 'throttle' && random() < 0.5);
    const headers = kind === 'pass' ? {} : { 'x-soak': kind };
    if (kind === 'quota') headers['x-tenant-id'] = `t${Math.floor(random() * 8)}`;
    const req = http.request(
      {
        host: '127.0.0.1',
        port: proxyPort,
        method: upload ? 'PUT' : 'GET',
        path: upload ? `/upload/${kind}/f` : `/bytes/${64 * 1024}`,
        headers,
        agent: false,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve('done'));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('aborted by the server')));
      },
    );
    req.on('error', (err) => (req.destroyed && abort ? resolve('aborted') : reject(err)));
    if (abort) setTimeout(() => (req.destroy(), resolve('aborted')), Math.floor(random() * 400));
    if (upload) {
      const body = Buffer.alloc(32 * 1024 + Math.floor(random() * 96 * 1024), 'u');
      req.end(body);
    } else req.end();
  });
}

/** A misbehaving connection: answered with a refusal or cut by a limit. */
function hostile(kind) {
  return new Promise((resolve) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    const timers = [];
    const done = () => {
      timers.forEach(clearTimeout);
      socket.destroy();
      resolve();
    };
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', () => {});
    timers.push(setTimeout(done, 5000));
    socket.on('connect', () => {
      if (kind === 'slow-head') {
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
        for (let i = 1; i <= 6; i++) timers.push(setTimeout(() => socket.write('X-Slow: 1\r\n'), i * 600));
      } else if (kind === 'malformed') socket.write('GET / HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n');
      else if (kind === 'pipelined')
        socket.write(
          'GET /bytes/65536 HTTP/1.1\r\nHost: x\r\nX-Soak: throttle\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n',
        );
      else if (kind === 'big-head') socket.write(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      // silent: connect and say nothing; the headers timeout closes it
    });
  });
}

/** Wait until the proxy is idle: in-flight 0, keep-alive connections expired on both sides. */
async function settle() {
  await waitFor(async () => (await sample()).inFlight === 0, 30_000, 'in-flight back to 0').catch(() => {});
  await new Promise((r) => setTimeout(r, 7000)); // > keep-alive timeouts (2 s here, 5 s upstream)
}

/** Have the proxy write a heap snapshot (a full GC comes first), wait for it, remove it. */
async function fullGc() {
  const before = new Set(readdirSync(dir));
  child.kill('SIGUSR2');
  let file = null;
  await waitFor(
    async () => (file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f)) ?? null) !== null,
    30_000,
    'a heap snapshot',
  );
  // The snapshot is written on the main thread: once /metrics answers again, it is complete.
  await get(`http://127.0.0.1:${adminPort}/metrics`);
  rmSync(join(dir, file));
}

/** Resident memory, descriptors, in-flight gauge, heap and external memory (the last two after a full GC when `gc`). */
async function sample(gc = false) {
  // Memory and descriptors first: writing the snapshot itself takes memory.
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
  const fds = readdirSync(`/proc/${child.pid}/fd`).length;
  if (gc) await fullGc();
  const metrics = (await get(`http://127.0.0.1:${adminPort}/metrics`)).text;
  const inFlight = Number(/^faultline_in_flight_requests (\d+)/m.exec(metrics)?.[1] ?? NaN);
  const heap = Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(metrics)?.[1] ?? NaN);
  const external = Number(/^nodejs_external_memory_bytes (\d+)/m.exec(metrics)?.[1] ?? NaN);
  return { rss, fds, inFlight, heap, external };
}

function fmt(s) {
  return `RSS ${mib(s.rss)} (heap in use ${mib(s.heap)}, external ${mib(s.external)}), ${s.fds} open descriptors, ${s.inFlight} in flight`;
}

function mib(n) {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      })
      .on('error', reject);
  });
}

async function waitFor(check, ms, what) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) if (argv[i].startsWith('--')) out[argv[i].slice(2)] = argv[++i];
  return out;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
