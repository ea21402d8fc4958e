import { LATENCY_BUCKETS, quantileMs } from './latency.js';
import type { Second } from './timeline.js';

/** Upstream health in one phase of the experiment (injected answers never count here). */
export interface PhaseFigures {
  readonly seconds: number;
  /** Exchanges that reached the upstream, and its real failures (5xx, or faultline's 502/504 for it). */
  readonly upstreamRequests: number;
  readonly upstreamErrors: number;
  readonly errorRate: number | null;
  /** Of proxied exchanges, in ms (upper bounds of 15%-wide buckets); null without any. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

export interface RuleReport {
  readonly name: string;
  readonly matched: number;
  readonly injected: number;
  readonly wouldHaveInjected: number;
  /** The tripped guard stopping it now, or null. */
  readonly stoppedBy: string | null;
  readonly dryRun: boolean;
  /** From this rule's first to its last injection in the window; null when it injected nothing. */
  readonly during: PhaseFigures | null;
}

export interface Report {
  readonly since: string;
  readonly until: string;
  readonly requests: number;
  readonly injected: number;
  readonly upstreamErrors: number;
  /** Before the first injection of the window, from the first to the last, and after the last. */
  readonly before: PhaseFigures;
  readonly during: PhaseFigures | null;
  readonly after: PhaseFigures | null;
  readonly rules: readonly RuleReport[];
  readonly guards: readonly {
    readonly name: string;
    readonly trips: number;
    readonly state: string;
    readonly rules: readonly string[];
  }[];
}

interface ReportInput {
  readonly since: number;
  readonly now: number;
  readonly seconds: readonly Second[];
  readonly rules: readonly {
    readonly name: string;
    readonly matched: number;
    readonly stoppedBy: string | null;
    readonly dryRun: boolean;
  }[];
  readonly guards: readonly { readonly name: string; readonly state: string; readonly rules: readonly string[] }[];
}

/** The report over `seconds` (oldest first). Every count is a sum of what the proxy's events reported. */
export function buildReport(input: ReportInput): Report {
  const { seconds } = input;
  const sum = (f: (s: Second) => number): number => seconds.reduce((n, s) => n + f(s), 0);
  const injecting = (s: Second, rule: string | null): boolean =>
    rule === null ? s.injected.size > 0 : (s.injected.get(rule) ?? 0) > 0;
  const span = (rule: string | null): [number, number] | null => {
    const first = seconds.findIndex((s) => injecting(s, rule));
    if (first < 0) return null;
    let last = seconds.length - 1;
    while (!injecting(seconds[last] as Second, rule)) last--;
    return [first, last];
  };
  const all = span(null);
  const first = seconds[0];
  const matchedBase = (rule: string): number => {
    const at = first === undefined ? -1 : first.matchedAtStart.names.indexOf(rule);
    return at < 0 ? 0 : (first?.matchedAtStart.counts[at] ?? 0);
  };
  return {
    since: new Date(input.since).toISOString(),
    until: new Date(input.now).toISOString(),
    requests: sum((s) => s.requests),
    injected: sum((s) => total(s.injected)),
    upstreamErrors: sum((s) => s.upstreamErrors),
    before: phase(all === null ? seconds : seconds.slice(0, all[0])),
    during: all === null ? null : phase(seconds.slice(all[0], all[1] + 1)),
    after: all === null ? null : phase(seconds.slice(all[1] + 1)),
    rules: input.rules.map((r) => {
      const own = span(r.name);
      const base = matchedBase(r.name);
      return {
        name: r.name,
        // A counter lower than at the window's start was reset: everything it holds is in the window.
        matched: r.matched >= base ? r.matched - base : r.matched,
        injected: sum((s) => s.injected.get(r.name) ?? 0),
        wouldHaveInjected: sum((s) => s.dryRun.get(r.name) ?? 0),
        stoppedBy: r.stoppedBy,
        dryRun: r.dryRun,
        during: own === null ? null : phase(seconds.slice(own[0], own[1] + 1)),
      };
    }),
    guards: input.guards.map((g) => ({
      name: g.name,
      trips: sum((s) => s.trips.get(g.name) ?? 0),
      state: g.state,
      rules: g.rules,
    })),
  };
}

function total(m: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

function phase(seconds: readonly Second[]): PhaseFigures {
  const hist = new Float64Array(LATENCY_BUCKETS);
  let upstream = 0;
  let errors = 0;
  let timed = 0;
  for (const s of seconds) {
    upstream += s.upstream;
    errors += s.upstreamErrors;
    timed += s.timed;
    if (s.latency !== null) for (let b = 0; b < LATENCY_BUCKETS; b++) hist[b]! += s.latency[b]!;
  }
  const seconds_ = seconds.length === 0 ? 0 : (seconds[seconds.length - 1] as Second).at - (seconds[0] as Second).at + 1;
  return {
    seconds: seconds_,
    upstreamRequests: upstream,
    upstreamErrors: errors,
    errorRate: upstream === 0 ? null : Number((errors / upstream).toFixed(4)),
    p50: quantileMs(hist, timed, 0.5),
    p90: quantileMs(hist, timed, 0.9),
    p99: quantileMs(hist, timed, 0.99),
  };
}

/** The report as Markdown, for incident and game-day notes. */
export function reportMarkdown(r: Report): string {
  const ms = (v: number | null): string => (v === null ? '-' : `${v} ms`);
  const rate = (p: PhaseFigures | null): string =>
    p === null || p.errorRate === null
      ? '-'
      : `${Number((p.errorRate * 100).toFixed(2))}% (${p.upstreamErrors}/${p.upstreamRequests})`;
  const row = (name: string, p: PhaseFigures | null): string =>
    p === null
      ? `| ${name} | - | - | - | - | - |`
      : `| ${name} | ${p.seconds} s | ${rate(p)} | ${ms(p.p50)} | ${ms(p.p90)} | ${ms(p.p99)} |`;
  const lines = [
    `## faultline experiment report`,
    '',
    `${r.since} to ${r.until}: ${r.requests} requests, ${r.injected} faults injected, ${r.upstreamErrors} upstream errors.`,
    '',
    '| Rule | Matched | Injected | Would have (dry run) | State |',
    '|---|---:|---:|---:|---|',
    ...r.rules.map(
      (x) =>
        `| ${x.name} | ${x.matched} | ${x.injected} | ${x.wouldHaveInjected} | ${x.stoppedBy !== null ? `stopped by guard ${x.stoppedBy}` : x.dryRun ? 'dry run' : 'live'} |`,
    ),
    '',
    '| Upstream | Duration | Error rate | p50 | p90 | p99 |',
    '|---|---:|---:|---:|---:|---:|',
    row('before injection', r.before),
    row('during injection', r.during),
    row('after injection', r.after),
    ...r.rules.filter((x) => x.during !== null).map((x) => row(`while ${x.name} injected`, x.during)),
  ];
  if (r.guards.length > 0) {
    lines.push('', '| Guard | Trips | State | Rules |', '|---|---:|---|---|');
    for (const g of r.guards) lines.push(`| ${g.name} | ${g.trips} | ${g.state} | ${g.rules.join(', ')} |`);
  }
  return lines.join('\n') + '\n';
}
