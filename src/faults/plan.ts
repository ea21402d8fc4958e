import type { CutPoint, GrpcAnswer, StatusAnswer } from '../scenario/types.js';
import type { QuotaFigures } from '../http/dialects/index.js';
import { H2_INTERNAL_ERROR } from '../http/h2-error-codes.js';

/*
 * A fault is a plan: what should happen at each point of one exchange. Fault kinds (one file each,
 * see registry.ts) build plans; the proxy core carries them out. A plan is plain data: it never
 * forwards, answers or touches a socket, so the core forwards at most once per request by
 * construction, and every timer and socket a plan needs is the core's to release.
 */

/** Why faultline answers itself: the problem's detail, and members added to the default body. */
export interface Why {
  readonly detail: string;
  /** The figures of the quota that ran out (the answer's dialect shows them); null: not a quota's answer. */
  readonly quota: QuotaFigures | null;
}

/** An answer faultline writes in place of the upstream's: an HTTP status, or a gRPC status. */
export interface Answer {
  readonly spec: StatusAnswer | GrpcAnswer;
  readonly why: Why;
}

/**
 * How an exchange is broken off. HTTP/1.1 has the connection only: `reset` is a TCP reset (RST),
 * `cut` a close (FIN) once what was written has left. HTTP/2 ends the exchange's stream with
 * RST_STREAM carrying `code` (RFC 9113 §7) either way; with `connection`, it sends GOAWAY with
 * `code` and closes the connection, ending every stream on it.
 */
export interface Ending {
  readonly kind: 'cut' | 'reset';
  readonly code: number;
  readonly connection: boolean;
}

/** A reset of the stream alone, with INTERNAL_ERROR: how the core ends an exchange it cannot answer any more. */
export const RESET: Ending = { kind: 'reset', code: H2_INTERNAL_ERROR, connection: false };

/** Before forwarding: forward, answer now, hang (optionally closing after a while), or reset. */
export type Before =
  | { readonly step: 'forward' }
  | { readonly step: 'answer'; readonly answer: Answer }
  | { readonly step: 'hang'; readonly closeAfterMs: number | null }
  | { readonly step: 'reset'; readonly ending: Ending };

/** What a plan may do instead of forwarding (an overrun's answer: the request was already forwarded once). */
export type Instead = Exclude<Before, { readonly step: 'forward' }>;

/**
 * On body bytes, in one direction: relay at a rate, or relay up to a cut point (N bytes, N gRPC
 * messages, N events; cut-counter.ts finds it in the bytes) and then end so.
 */
export type BodyShape =
  | { readonly shape: 'pace'; readonly bytesPerSecond: number }
  | { readonly shape: 'limit'; readonly after: CutPoint; readonly then: Ending };

export interface Plan {
  /** Before forwarding: wait this long first (a request-phase delay). */
  readonly waitMs: number;
  /** Before forwarding, after the wait. */
  readonly before: Before;
  /** At the upstream's response head: hold it this long (a response-phase delay). */
  readonly holdHeadMs: number;
  /** At the upstream's response head: answer with this instead; the upstream's body is read and dropped. */
  readonly replaceHead: Answer | null;
  /** On response body bytes, towards the client. */
  readonly response: BodyShape | null;
  /** On request body bytes, towards the upstream. */
  readonly request: BodyShape | null;
}

const FORWARD: Before = { step: 'forward' };

/** Plain pass-through: forward, relay everything as it comes. */
export const PASS: Plan = { waitMs: 0, before: FORWARD, holdHeadMs: 0, replaceHead: null, response: null, request: null };

/** A plan that only acts before forwarding. */
export function planBefore(before: Before): Plan {
  return { ...PASS, before };
}
