// Summarise a V8 .cpuprofile (from `node --cpu-prof`): self and inclusive time per function over a
// time window (so start-up and warm-up can be left out), and self time per origin (faultline's
// own code, Node core, each dependency, GC, idle).
import { readFileSync } from 'node:fs';

function origin(url, fn) {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const dep = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dep !== null) return dep[1];
  const dist = /\/dist\/(.+)$/.exec(url);
  if (dist !== null) return 'faultline';
  if (url.includes('/bench/')) return 'bench script';
  return url;
}

function label(cf) {
  const file = cf.url.replace(/^.*\/(node_modules|dist)\//, '').replace(/^file:\/\//, '');
  return `${cf.functionName || '(anonymous)'} ${file}${cf.url === '' ? '' : `:${cf.lineNumber + 1}`}`;
}

/**
 * `fromMs`/`toMs` are offsets from the profile's start. Returns { windowMs, samples, origins,
 * self, inclusive }, each list sorted by time and given in ms and % of the window's non-idle time.
 */
export function summarizeProfile(path, { fromMs = 0, toMs = Infinity, top = 25 } = {}) {
  const p = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const ms = t / 1000;
    if (ms < fromMs || ms > toMs) continue;
    const dt = p.timeDeltas[i + 1] ?? p.timeDeltas[i];
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  const self = new Map();
  const incl = new Map();
  const origins = new Map();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const key = label(cf);
    self.set(key, (self.get(key) ?? 0) + us);
    const o = origin(cf.url, cf.functionName);
    origins.set(o, (origins.get(o) ?? 0) + us);
    // Inclusive: credit every distinct function on the stack once.
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const k = label(byId.get(n).callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  const list = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, pct: Math.round((1000 * us) / busy) / 10 }));
  return {
    windowMs: Math.round((busy + idle) / 1000),
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    origins: list(origins, 50),
    self: list(self, top),
    inclusive: list(new Map([...incl].filter(([k]) => !k.startsWith('(root)'))), top),
  };
}
