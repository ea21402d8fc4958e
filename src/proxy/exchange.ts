import type { ClientRequest, IncomingMessage } from 'node:http';
import type { ProxyRequest, ProxyResponse } from './messages.js';
import type { ProxyEvents } from './events.js';
import type { Transform } from 'node:stream';
import type { Rule } from '../scenario/types.js';

/** How a request ended, for metrics and logs. */
export type Outcome = 'proxied' | 'injected' | 'upstream_error' | 'rejected';

/**
 * Everything one request carries through the proxy. Every field is set up front (null for "not
 * used") so an exchange without faults pays a comparison per feature, nothing more.
 */
export class Exchange {
  readonly req: ProxyRequest;
  readonly res: ProxyResponse;
  readonly id: string;
  readonly startedAt: number;
  /** performance.now() at the start: sub-millisecond durations for the histogram. */
  readonly startedHr: number = performance.now();
  /** performance.now() when the upstream request started and when its response head arrived. */
  upstreamStartHr = 0;
  upstreamHeadHr = 0;
  /**
   * Seconds faultline itself added before the client got the response head: the time until the
   * upstream request started plus the time from the upstream's head to ours. -1: not relayed.
   */
  addedSeconds = -1;
  /** URL path without the query, and the raw query without `?`. */
  readonly path: string;
  readonly query: string;
  /** The client sent `Expect: 100-continue` and has not been told to go on yet. */
  expectContinue: boolean;
  /** The rule being applied, or null for plain pass-through. */
  rule: Rule | null = null;
  outcome: Outcome = 'proxied';
  /** Request body bytes read from the client, response body bytes written to it. */
  bytesIn = 0;
  bytesOut = 0;
  /** Set by faults before forwarding; each null means "not used". */
  requestTransform: Transform | null = null;
  responseTransform: Transform | null = null;
  /** Called with the upstream's response head; returns true when it took over the answer. */
  onUpstreamResponse: ((ex: Exchange, upReq: ClientRequest, upRes: IncomingMessage) => boolean) | null = null;
  /** The request to the upstream while one is open, so a client that leaves can abort it. */
  upReq: ClientRequest | null = null;
  /** A request header not to forward (lower-case), e.g. the per-request fault header. */
  skipHeader: string | null = null;
  /** `delay` with `phase: response`: hold the upstream's response head this long. */
  responseDelayMs = 0;
  /** Runs once when the exchange is over (client finished or went away). */
  onDone: ((ex: Exchange) => void) | null = null;
  /** Label for the marker header and logs (a rule name or `header`). */
  faultName: string | null = null;
  done = false;
  /** This exchange holds one of its rule's maxActive slots (released when it ends). */
  activeHeld = false;
  /** A fault aborted the upstream request on purpose and answers the client itself. */
  upstreamAbandoned = false;
  /** Where to report the end of the exchange. */
  events: ProxyEvents | null = null;

  constructor(req: ProxyRequest, res: ProxyResponse, id: string, expectContinue: boolean, now: number) {
    this.req = req;
    this.res = res;
    this.id = id;
    this.startedAt = now;
    this.expectContinue = expectContinue;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    this.query = q === -1 ? '' : url.slice(q + 1);
  }

  /** The client went away before we finished answering. */
  get clientGone(): boolean {
    return this.res.destroyed && !this.res.writableFinished;
  }
}
