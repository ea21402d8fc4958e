import { LATENCY_BUCKETS, latencyBucket } from './latency.js';

/** One second of the experiment. */
export interface Second {
  readonly at: number;
  /** Exchanges finished (refused ones excluded): what faultline_requests_total counts. */
  requests: number;
  /** Of those, the ones that reached the upstream (proxied or failed by it), and the real failures. */
  upstream: number;
  upstreamErrors: number;
  /** Proxied exchanges' durations (ms) in latency.ts buckets; null until the first one. */
  latency: Uint32Array | null;
  timed: number;
  /** By rule name: faults injected, would-have-injected (dry run), guard trips by guard name. */
  readonly injected: Map<string, number>;
  readonly dryRun: Map<string, number>;
  readonly trips: Map<string, number>;
  /** Each rule's cumulative `matched` counter when this second began (for per-window deltas). */
  readonly matchedAtStart: MatchedSnapshot;
}

/** Rule names (one array per rule set, shared by every second) and their matched counters then. */
export interface MatchedSnapshot {
  readonly names: readonly string[];
  readonly counts: Float64Array;
}

/** An hour of seconds: the longest --since a report can look back. */
const RETENTION_S = 3600;

/**
 * The report's memory: per second, what happened. Fed from the proxy's events (finished
 * exchanges, faults applied) and the gate (dry runs, trips); a second costs nothing until
 * something happens in it.
 */
export class Timeline {
  private readonly ring: (Second | null)[] = new Array<Second | null>(RETENTION_S).fill(null);
  private readonly matched: () => MatchedSnapshot;

  /** `matched` snapshots the rules' cumulative matched counters (read once per second). */
  constructor(matched: () => MatchedSnapshot) {
    this.matched = matched;
  }

  /** The slot for `now`, started (with a matched snapshot) on first use. */
  second(now: number): Second {
    const s = Math.floor(now / 1000);
    const i = s % RETENTION_S;
    const slot = this.ring[i];
    if (slot !== null && slot !== undefined && slot.at === s) return slot;
    const fresh: Second = {
      at: s,
      requests: 0,
      upstream: 0,
      upstreamErrors: 0,
      latency: null,
      timed: 0,
      injected: new Map(),
      dryRun: new Map(),
      trips: new Map(),
      matchedAtStart: this.matched(),
    };
    this.ring[i] = fresh;
    return fresh;
  }

  finished(now: number, reachedUpstream: boolean, error: boolean, proxiedMs: number): void {
    const s = this.second(now);
    s.requests++;
    if (reachedUpstream) s.upstream++;
    if (error) s.upstreamErrors++;
    if (proxiedMs >= 0) {
      if (s.latency === null) s.latency = new Uint32Array(LATENCY_BUCKETS);
      s.latency[latencyBucket(proxiedMs)]!++;
      s.timed++;
    }
  }

  count(now: number, which: 'injected' | 'dryRun' | 'trips', name: string): void {
    const map = this.second(now)[which];
    map.set(name, (map.get(name) ?? 0) + 1);
  }

  /** The seconds from `since` to `now`, oldest first. */
  between(since: number, now: number): Second[] {
    const from = Math.max(Math.floor(since / 1000), Math.floor(now / 1000) - RETENTION_S + 1);
    return this.ring.filter((s): s is Second => s !== null && s.at >= from && s.at * 1000 <= now).sort((a, b) => a.at - b.at);
  }
}
