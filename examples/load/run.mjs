#!/usr/bin/env node
// Load test through faultline, and the split of what came back: injected failures versus real
// upstream errors, counted twice — from the x-faultline-fault marker header on each response, and
// from faultline's /metrics (faultline_requests_total by outcome, faultline_faults_injected_total
// by rule).
//
//   npm run build && node examples/load/run.mjs                 # demo upstream + faultline, 10 s
//   node examples/load/run.mjs --duration 30 --connections 50
//   node examples/load/run.mjs --proxy http://localhost:8080 --admin http://localhost:8081
//                                                               # an already running faultline
//                                                               # (e.g. the compose sidecar)
// --amount N sends N requests instead of running for --duration seconds; --json prints the
// numbers as one JSON object. Exit 1 when the two counts disagree by more than
// the requests in flight at the end (only when this script started faultline itself: elsewhere
// other clients may add to the metrics), when nothing was answered, or when no response was an
// injected failure (then there is nothing to compare: the rules did not match this traffic).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

const USAGE = `Usage: node examples/load/run.mjs [options]

Load test through faultline (autocannon), then the split of what came back: injected failures
versus real upstream errors, counted from the x-faultline-fault marker header and from /metrics.
Without --proxy it starts the demo upstream and faultline (npm run build first).

Options:
  --duration S        seconds to run (default 10)
  --amount N          send N requests instead of running for --duration
  --connections N     concurrent connections (default 20)
  --proxy URL         an already running faultline, e.g. http://localhost:8080
  --admin URL         its admin listener (default http://127.0.0.1:8081)
  --scenario FILE     scenario for the faultline this script starts (default examples/load/scenario.yaml)
  --json              print the numbers as one JSON object
  -h, --help          this help

Exit code: 0 the counts agree; 1 they disagree, nothing was answered, or no injected failure was seen;
2 a wrong command line.`;

function usageError(message) {
  console.error(`run.mjs: ${message} (see --help)`);
  process.exit(2);
}

function positive(name, text) {
  const n = Number(text);
  if (!/^\d+$/.test(String(text)) || n <= 0) usageError(`--${name} "${text}" is not a positive integer`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '20' },
      amount: { type: 'string' },
      proxy: { type: 'string' },
      admin: { type: 'string' },
      scenario: { type: 'string', default: here('./scenario.yaml') },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
} catch (err) {
  const flag = /'(-[^' ]+)/.exec(String(err.message))?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') usageError(`unknown option ${flag}`);
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') usageError(`${flag} needs a value`);
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') usageError(`unexpected argument ${flag}`);
  usageError(String(err.message).split('\n')[0]);
}
const opt = parsed.values;
if (opt.help) {
  console.log(USAGE);
  process.exit(0);
}
if (parsed.positionals.length > 0) usageError(`unexpected argument "${parsed.positionals[0]}"`);
positive('duration', opt.duration);
positive('connections', opt.connections);
if (opt.amount !== undefined) positive('amount', opt.amount);
const CLI = here('../../dist/cli/main.js');
const children = [];

/** Start `faultline ARGS` and resolve with the first stdout line `match` returns a value for. */
function start(args, match) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buf = '';
    child.on('exit', (code) => reject(new Error(`faultline ${args[0]} exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      for (let nl; (nl = buf.indexOf('\n')) !== -1; buf = buf.slice(nl + 1)) {
        const found = match(buf.slice(0, nl));
        if (found !== undefined) resolve(found);
      }
    });
  });
}

async function startOwn() {
  const upstream = await start(
    ['demo-upstream', '--listen', '127.0.0.1:0'],
    (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1],
  );
  return start(
    ['serve', '--upstream', upstream, '--scenarios', opt.scenario, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'],
    (line) => {
      try {
        const l = JSON.parse(line);
        if (l.proxy && l.admin) return { proxy: `http://${l.proxy}`, admin: `http://${l.admin}` };
      } catch {
        // not a JSON line: keep reading
      }
      return undefined;
    },
  );
}

/** faultline's metrics as [{ name, labels, value }], or null when /metrics is not there. */
async function scrape(admin) {
  try {
    const res = await fetch(`${admin}/metrics`);
    if (!res.ok) return null;
    const samples = [];
    for (const line of (await res.text()).split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
      samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
    return samples;
  } catch {
    return null;
  }
}

/** Sum of `name` over the samples `where` accepts, after minus before. */
function delta(before, after, name, where = () => true) {
  const sum = (s) => s.filter((x) => x.name === name && where(x.labels)).reduce((a, x) => a + x.value, 0);
  return sum(after) - sum(before ?? []);
}

const own = opt.proxy === undefined;
const target = own
  ? await startOwn()
  : { proxy: opt.proxy.replace(/\/$/, ''), admin: (opt.admin ?? 'http://127.0.0.1:8081').replace(/\/$/, '') };
const connections = Number(opt.connections);

// Per response: which rule the marker names, or the status for unmarked ones.
const byMarker = { responses: 0, injected: 0, upstreamErrors: 0, clientErrors: 0, ok: 0, rules: {}, realStatuses: {} };
function setupClient(client) {
  client.on('headers', ({ statusCode, headers }) => {
    byMarker.responses++;
    let rule = null;
    for (let i = 0; i < headers.length; i += 2) if (headers[i].toLowerCase() === 'x-faultline-fault') rule = headers[i + 1];
    if (rule !== null) {
      byMarker.injected++;
      const key = `${rule} (${statusCode})`;
      byMarker.rules[key] = (byMarker.rules[key] ?? 0) + 1;
    } else if (statusCode >= 500) {
      byMarker.upstreamErrors++;
      byMarker.realStatuses[statusCode] = (byMarker.realStatuses[statusCode] ?? 0) + 1;
    } else if (statusCode >= 400) byMarker.clientErrors++;
    else byMarker.ok++;
  });
}

const body = 'x'.repeat(512);
const requests = [
  ...Array(7).fill({ method: 'GET', path: '/status/200' }),
  { method: 'PUT', path: '/upload/load-a.bin', body, headers: { 'content-type': 'application/octet-stream' } },
  { method: 'PUT', path: '/upload/load-b.bin', body, headers: { 'content-type': 'application/octet-stream' } },
  { method: 'GET', path: '/status/503' }, // a real upstream error: the demo upstream answers 503 itself
];

const before = await scrape(target.admin);
const limit = opt.amount === undefined ? { duration: Number(opt.duration) } : { amount: Number(opt.amount) };
const result = await autocannon({ url: target.proxy, connections, ...limit, requests, setupClient });
await new Promise((r) => setTimeout(r, 300)); // let faultline count the last exchanges
const after = await scrape(target.admin);

let byMetrics = null;
if (before !== null && after !== null && after.some((s) => s.name === 'faultline_requests_total')) {
  const R = 'faultline_requests_total';
  const rules = {};
  for (const s of after.filter((x) => x.name === 'faultline_faults_injected_total')) {
    const n = delta(
      before,
      after,
      s.name,
      (l) => l.rule === s.labels.rule && l.code === s.labels.code && l.kind === s.labels.kind,
    );
    if (n > 0) rules[`${s.labels.rule} (${s.labels.code})`] = n;
  }
  byMetrics = {
    responses: delta(before, after, R),
    injected: delta(before, after, R, (l) => l.outcome === 'injected'),
    upstreamErrors: delta(
      before,
      after,
      R,
      (l) => l.outcome === 'upstream_error' || (l.outcome === 'proxied' && Number(l.code) >= 500),
    ),
    clientErrors: delta(
      before,
      after,
      R,
      (l) => l.outcome === 'rejected' || (l.outcome === 'proxied' && Number(l.code) >= 400 && Number(l.code) < 500),
    ),
    ok: delta(before, after, R, (l) => l.outcome === 'proxied' && Number(l.code) > 0 && Number(l.code) < 400),
    rules,
  };
}

const autocannonView = {
  requests: result.requests.total,
  '2xx': result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  reqPerSec: result.requests.average,
  latencyP50ms: result.latency.p50,
  latencyP99ms: result.latency.p99,
};
// Agreement means something only when faults were injected: two zeros agree about nothing.
const injectedSeen = byMarker.injected > 0 || (byMetrics?.injected ?? 0) > 0;
const agree =
  byMetrics === null || !injectedSeen
    ? null
    : ['injected', 'upstreamErrors'].every((k) => Math.abs(byMarker[k] - byMetrics[k]) <= connections);
const nothingInjected =
  byMarker.responses > 0 && !injectedSeen
    ? `No injected failure among ${byMarker.responses} responses (${byMarker.ok} ok, ${byMarker.clientErrors} 4xx, ${byMarker.upstreamErrors} 5xx from the upstream): the rules did not match this traffic (is the upstream the demo one, and are the rules enabled?), so there is nothing to compare.`
    : null;

for (const c of children) c.kill('SIGTERM');

if (opt.json) {
  console.log(JSON.stringify({ target, autocannon: autocannonView, byMarker, byMetrics, agree }));
} else {
  const pct = (n, of) => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '-');
  const row = (label, a, b) => console.log(`${label.padEnd(34)}${String(a).padStart(12)}${String(b ?? 'n/a').padStart(12)}`);
  console.log(
    `\nfaultline load test: ${target.proxy}, ${connections} connections, ${opt.amount === undefined ? `${opt.duration} s` : `${opt.amount} requests`}`,
  );
  console.log(
    `autocannon: ${autocannonView.requests} requests, ${autocannonView.reqPerSec} req/s, p50 ${autocannonView.latencyP50ms} ms, p99 ${autocannonView.latencyP99ms} ms, 2xx ${autocannonView['2xx']}, non-2xx ${autocannonView.non2xx}, connection errors ${autocannonView.errors}\n`,
  );
  row('', 'marker hdr', '/metrics');
  row('responses', byMarker.responses, byMetrics?.responses);
  row('injected failures', byMarker.injected, byMetrics?.injected);
  const rules = new Set([...Object.keys(byMarker.rules), ...Object.keys(byMetrics?.rules ?? {})]);
  for (const r of [...rules].sort()) row(`  ${r}`, byMarker.rules[r] ?? 0, byMetrics === null ? null : (byMetrics.rules[r] ?? 0));
  row('real upstream errors (5xx)', byMarker.upstreamErrors, byMetrics?.upstreamErrors);
  for (const [s, n] of Object.entries(byMarker.realStatuses)) row(`  ${s} from the upstream`, n, '');
  row('other 4xx', byMarker.clientErrors, byMetrics?.clientErrors);
  row('ok (< 400)', byMarker.ok, byMetrics?.ok);
  console.log(
    `\n${pct(byMarker.injected, byMarker.responses)} of responses were injected failures, ${pct(byMarker.upstreamErrors, byMarker.responses)} real upstream errors.`,
  );
  if (nothingInjected !== null) console.log(nothingInjected);
  else if (byMetrics === null) console.log('(/metrics not available on the admin listener: only the marker header was counted)');
  else
    console.log(
      agree ? 'Marker header and /metrics agree.' : 'Marker header and /metrics DISAGREE (other traffic, or --no-marker?).',
    );
}
if (opt.json && nothingInjected !== null) console.error(nothingInjected);
if (byMarker.responses === 0) console.error('No response at all: is faultline running at ' + target.proxy + '?');
process.exitCode = byMarker.responses === 0 || nothingInjected !== null || (own && agree === false) ? 1 : 0;
