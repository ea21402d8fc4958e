/**
 * The few series of `GET /metrics` the traffic chart needs, read from the Prometheus text format
 * (0.0.4): requests by outcome, and the histogram of the latency faultline adds to proxied requests. The proxy keeps
 * these counters anyway; the console only reads them, so watching costs the request path nothing.
 */

export interface Sample {
  /** When it was read (ms since the epoch, the browser's clock). */
  readonly at: number;
  /** faultline_requests_total summed over method and code, by outcome. */
  readonly requests: Readonly<Record<string, number>>;
  /** Cumulative `le` buckets of faultline_added_latency_seconds, ascending. */
  readonly buckets: readonly Bucket[];
}

export interface Bucket {
  /** Upper bound in seconds; Infinity for `+Inf`. */
  readonly le: number;
  readonly count: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labels(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(LABEL))
    out.set(
      m[1] ?? '',
      (m[2] ?? '').replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c)),
    );
  return out;
}

export function parseMetrics(text: string, at: number): Sample {
  const requests: Record<string, number> = {};
  const buckets: Bucket[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('faultline_request') && !line.startsWith('faultline_added')) continue;
    const m = LINE.exec(line);
    if (m === null) continue;
    const [, name, labelText = '', raw = ''] = m;
    const value = Number(raw);
    const l = labels(labelText);
    if (name === 'faultline_requests_total') {
      const outcome = l.get('outcome') ?? 'unknown';
      requests[outcome] = (requests[outcome] ?? 0) + value;
    } else if (name === 'faultline_added_latency_seconds_bucket') {
      const le = l.get('le') ?? '+Inf';
      buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: value });
    }
  }
  buckets.sort((a, b) => a.le - b.le);
  return { at, requests, buckets };
}

/** Requests per second of one outcome between two samples (0 when a counter went back: a restart). */
export function rate(prev: Sample, next: Sample, outcome: string): number {
  const dt = (next.at - prev.at) / 1000;
  const d = (next.requests[outcome] ?? 0) - (prev.requests[outcome] ?? 0);
  return dt > 0 && d > 0 ? d / dt : 0;
}

/**
 * The q-quantile (0..1) in milliseconds of the requests observed between two samples, the way
 * Prometheus' histogram_quantile estimates it: linear within the bucket the rank falls in. Null
 * when no request finished in between.
 */
export function quantileMs(prev: Sample, next: Sample, q: number): number | null {
  const before = new Map(prev.buckets.map((b) => [b.le, b.count]));
  const deltas = next.buckets.map((b) => ({ le: b.le, count: b.count - (before.get(b.le) ?? 0) }));
  const total = deltas[deltas.length - 1]?.count ?? 0;
  if (!(total > 0) || deltas.some((d) => d.count < 0)) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const d of deltas) {
    if (d.count >= rank) {
      if (d.le === Infinity) return lower * 1000;
      const inBucket = d.count - below;
      const share = inBucket > 0 ? (rank - below) / inBucket : 1;
      return (lower + (d.le - lower) * share) * 1000;
    }
    lower = d.le;
    below = d.count;
  }
  return lower * 1000;
}
