import type { Registry } from 'prom-client';
import { CellHistogram, HistogramCell } from './cell-histogram.js';
import type { Exchange, Outcome } from '../proxy/exchange.js';
import type { ProxyEvents, UpstreamFailure } from '../proxy/events.js';
import type { Protocol } from '../proxy/wire.js';
import type { Rule, RuleSet } from '../scenario/types.js';
import { CellCounter, type Cell } from './cells.js';

const OUTCOMES: readonly Outcome[] = ['proxied', 'injected', 'upstream_error', 'rejected'];
const OUTCOME_INDEX: Readonly<Record<Outcome, number>> = { proxied: 0, injected: 1, upstream_error: 2, rejected: 3 };
const FAILURES: readonly UpstreamFailure[] = ['unreachable', 'timeout', 'reset', 'tls', 'protocol'];
/** Methods with their own label value; any other (WebDAV, ...) is `OTHER`, so the label stays bounded. */
const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'OTHER'];
const METHOD_INDEX = new Map(METHODS.map((m, i) => [m, i]));
const OTHER = METHODS.length - 1;
/** The client's protocol: two values, so requests_total has at most twice the series. */
const PROTOCOLS: readonly Protocol[] = ['http/1.1', 'h2'];

/** 0.5 ms to 30 s: a pass-through on loopback lands in the first buckets, a hang in the last. */
export const DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** 25 µs to 100 ms: what a proxy adds on loopback is tens to hundreds of microseconds. */
export const ADDED_BUCKETS: readonly number[] = [
  0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1,
];

/** Label value of a fault's status: the HTTP status it answers with, or `none` (delay, reset, a gRPC status, ...). */
export function faultCodeLabel(rule: Rule): string {
  const action = rule.fault.action;
  return action !== null && 'status' in action ? String(action.status) : 'none';
}

/**
 * The proxy's metrics, fed by ProxyEvents. Everything the request path touches is bound ahead:
 * the per-rule fault counters when a rule set is bound (bindRuleSet, at every swap), the
 * requests_total series the first time a method × status × outcome × protocol is seen. Per request it adds
 * to a few numbers and makes one histogram observation.
 */
export class ProxyMetrics implements ProxyEvents {
  private inFlightCount = 0;
  private readonly requests: CellCounter<'method' | 'code' | 'outcome' | 'protocol'>;
  /** Key: ((protocol index × methods + method index) × 4 + outcome index) × 1000 + status; bounded. */
  private readonly requestCells = new Map<number, Cell>();
  private readonly faults: CellCounter<'rule' | 'kind' | 'code'>;
  private ruleCells = new WeakMap<Rule, Cell>();
  /** Faults asked for with the x-faultline-fault header: no rule, so one series. */
  private readonly headerFaults: Cell;
  private readonly upstreamErrors: Readonly<Record<UpstreamFailure, Cell>>;
  private readonly bytesIn: Cell;
  private readonly bytesOut: Cell;
  private readonly durations: readonly HistogramCell[];
  private readonly added: HistogramCell;

  constructor(registry: Registry) {
    this.requests = new CellCounter(
      registry,
      'faultline_requests_total',
      "Requests answered, by method, status sent (0: no complete response), outcome and the client's protocol (http/1.1, h2).",
      ['method', 'code', 'outcome', 'protocol'],
    );
    this.faults = new CellCounter(
      registry,
      'faultline_faults_injected_total',
      'Faults injected, by rule (from the scenarios; "header" for x-faultline-fault), fault kind and status (none: the fault sends no status).',
      ['rule', 'kind', 'code'],
    );
    this.headerFaults = this.faults.cell({ rule: 'header', kind: 'header', code: 'none' });
    const upstream = new CellCounter(
      registry,
      'faultline_upstream_errors_total',
      'Upstream requests that failed before a response, by reason.',
      ['reason'],
    );
    const errors = {} as Record<UpstreamFailure, Cell>;
    for (const reason of FAILURES) errors[reason] = upstream.cell({ reason });
    this.upstreamErrors = errors;
    const bytes = new CellCounter(
      registry,
      'faultline_bytes_total',
      'Body bytes streamed: request (read from clients) and response (written to clients).',
      ['direction'],
    );
    this.bytesIn = bytes.cell({ direction: 'request' });
    this.bytesOut = bytes.cell({ direction: 'response' });
    const duration = new CellHistogram<'outcome'>(
      registry,
      'faultline_request_duration_seconds',
      'Time from a request reaching faultline until its exchange ended, by outcome.',
      ['outcome'],
      DURATION_BUCKETS,
    );
    this.durations = OUTCOMES.map((outcome) => duration.cell({ outcome }));
    this.added = new CellHistogram<never>(
      registry,
      'faultline_added_latency_seconds',
      "Time faultline itself added before a proxied response's head reached the client (the upstream's own time excluded).",
      [],
      ADDED_BUCKETS,
    ).cell({});
  }

  /** Requests in flight now (read by the gauge at scrape time). */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Bind each rule's fault counter; series of rules no longer in the set stop being exported. */
  bindRuleSet(set: RuleSet): void {
    const keep = new Set<Cell>([this.headerFaults]);
    const cells = new WeakMap<Rule, Cell>();
    for (const rule of set.rules) {
      const cell = this.faults.cell({ rule: rule.name, kind: rule.fault.kind, code: faultCodeLabel(rule) });
      cells.set(rule, cell);
      keep.add(cell);
    }
    this.ruleCells = cells;
    this.faults.retain(keep);
  }

  requestStarted(): void {
    this.inFlightCount++;
  }

  requestFinished(ex: Exchange, status: number): void {
    this.inFlightCount--;
    this.countRequest(ex.req.method, status, ex.outcome, ex.wire.protocol);
    this.bytesIn.value += ex.bytesIn;
    this.bytesOut.value += ex.bytesOut;
    const seconds = (performance.now() - ex.startedHr) / 1000;
    (this.durations[OUTCOME_INDEX[ex.outcome]] as HistogramCell).observe(seconds > 0 ? seconds : 0);
    if (ex.outcome === 'proxied' && ex.addedSeconds >= 0) this.added.observe(ex.addedSeconds);
  }

  upstreamFailed(_ex: Exchange, reason: UpstreamFailure): void {
    this.upstreamErrors[reason].value++;
  }

  faultApplied(ex: Exchange): void {
    const rule = ex.rule;
    if (rule === null) {
      this.headerFaults.value++;
      return;
    }
    let cell = this.ruleCells.get(rule);
    if (cell === undefined) {
      // A set swapped in without bindRuleSet: bind now rather than lose the count.
      cell = this.faults.cell({ rule: rule.name, kind: rule.fault.kind, code: faultCodeLabel(rule) });
      this.ruleCells.set(rule, cell);
    }
    cell.value++;
  }

  /**
   * A request refused before an exchange existed (e.g. an absolute-form target): counted as
   * outcome `rejected`. For a `requestRejected` event the proxy may report.
   */
  requestRejected(method: string | undefined, status: number, protocol: Protocol): void {
    this.countRequest(method, status, 'rejected', protocol);
  }

  private countRequest(method: string | undefined, status: number, outcome: Outcome, protocol: Protocol): void {
    const m = (method === undefined ? undefined : METHOD_INDEX.get(method)) ?? OTHER;
    const code = status >= 0 && status <= 999 ? status : 0;
    const p = protocol === 'h2' ? 1 : 0;
    const key = ((p * METHODS.length + m) * 4 + OUTCOME_INDEX[outcome]) * 1000 + code;
    let cell = this.requestCells.get(key);
    if (cell === undefined) {
      cell = this.requests.cell({
        method: METHODS[m] as string,
        code: String(code),
        outcome,
        protocol: PROTOCOLS[p] as Protocol,
      });
      this.requestCells.set(key, cell);
    }
    cell.value++;
  }
}
