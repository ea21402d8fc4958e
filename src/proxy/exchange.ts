import type { Rule } from '../scenario/types.js';
import type { ProxyEvents } from './events.js';
import type { ProxyRequest, ProxyResponse } from './messages.js';
import type { ClientWire } from './wire.js';

/** How a request ended, for metrics and logs. */
export type Outcome = 'proxied' | 'injected' | 'upstream_error' | 'rejected';

/**
 * One request through the proxy, as the core sees it. Owners, so no two parts write one field:
 * - identity (readonly): set when the request arrives;
 * - the decision (`rule`, `marker`, `outcome`): written by the decision step (decide.ts), and
 *   `outcome` once more by the core when the upstream fails;
 * - timing and stats: written by the core only (flight.ts, upstream-call.ts, request-body.ts).
 * Stages keep their own state (the quota meter, the upstream call, timers) and hand the core a
 * release function (`whenDone`) instead of hooks on this object.
 */
export class Exchange {
  readonly req: ProxyRequest;
  readonly res: ProxyResponse;
  readonly id: string;
  readonly method: string;
  /** URL path without the query, and the raw query without `?`. */
  readonly path: string;
  readonly query: string;
  readonly startedAt: number;
  /** performance.now() at the start: sub-millisecond durations for the histogram. */
  readonly startedHr: number = performance.now();
  /** Where the end of the exchange is reported. */
  readonly events: ProxyEvents;
  /** How to reset or cut this exchange on the protocol the request came in on. */
  readonly wire: ClientWire;

  /** The rule being applied, or null (pass-through, or a fault asked for by request header). */
  rule: Rule | null = null;
  /** The marker header's value for injected answers (a rule name or `header`), or null. */
  marker: string | null = null;
  outcome: Outcome = 'proxied';

  /** The client sent `Expect: 100-continue` and has not been told to go on yet. */
  expectContinue: boolean;
  /** Request body bytes read from the client, response body bytes written to it. */
  bytesIn = 0;
  bytesOut = 0;
  /** performance.now() when the upstream request started and when its response head arrived. */
  upstreamStartHr = 0;
  upstreamHeadHr = 0;
  /**
   * Seconds faultline itself added before the client got the response head: the time until the
   * upstream request started plus the time from the upstream's head to ours. -1: not relayed.
   */
  addedSeconds = -1;
  /** The exchange is over: the response finished, or the client went away. */
  done = false;
  private releases: (() => void)[] | null = null;

  constructor(
    req: ProxyRequest,
    res: ProxyResponse,
    id: string,
    expectContinue: boolean,
    now: number,
    events: ProxyEvents,
    wire: ClientWire,
  ) {
    this.req = req;
    this.events = events;
    this.wire = wire;
    this.res = res;
    this.id = id;
    this.method = req.method ?? 'GET';
    this.startedAt = now;
    this.expectContinue = expectContinue;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    this.query = q === -1 ? '' : url.slice(q + 1);
  }

  /** The response went out in full. */
  get answered(): boolean {
    return this.wire.complete(this.res);
  }

  /** Run `release` once when the exchange ends (at once if it already has). */
  whenDone(release: () => void): void {
    if (this.done) release();
    else (this.releases ??= []).push(release);
  }

  /** Called by the core, once. */
  finish(): void {
    this.done = true;
    const list = this.releases;
    this.releases = null;
    if (list !== null) for (const release of list) release();
  }
}
