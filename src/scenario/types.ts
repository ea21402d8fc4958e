import type { IncomingMessage } from 'node:http';
import type { BuilderName } from '../http/dialects/presets.js';
import type { GuardPlan } from './guard-plan.js';
import type { Problem } from '../errors.js';

/*
 * The compiled form of scenario files: the contract between src/scenario/ (which builds it once per
 * load) and the proxy hot path (which only reads it). Everything is plain data and precompiled
 * functions; a rule set is immutable except for each rule's `state`, which holds its live counters
 * and the runtime overrides made through the admin API.
 */

/** Durations are milliseconds, sizes bytes, rates bytes per second, probabilities 0..1. */
export interface DelaySpec {
  readonly minMs: number;
  readonly maxMs: number;
  /** `request`: wait before forwarding; `response`: wait after the upstream's response head. */
  readonly phase: 'request' | 'response';
}

/** A body with `{requestId}`, `{method}`, `{path}` placeholders, rendered per request. */
export interface BodyTemplate {
  readonly contentType: string;
  readonly text: string;
  readonly hasPlaceholders: boolean;
}

/** How an answer without a `body` is written: `format:`, or a vendor preset (`as: minio`). */
export interface AnswerDialect {
  readonly format: BuilderName;
  /** The vendor error code, or null for the format's default. */
  readonly code: string | null;
  /** The vendor message, or null for the format's default. */
  readonly message: string | null;
  /** The preset named with `as:`, or null. */
  readonly preset: string | null;
}

export interface StatusAnswer {
  readonly status: number;
  /** null: a body built by `dialect` (RFC 9457 problem+json by default). */
  readonly body: BodyTemplate | null;
  readonly dialect: AnswerDialect;
  readonly headers: readonly (readonly [string, string])[];
  /** Already formatted for the `Retry-After` header (delta-seconds or an HTTP date). */
  readonly retryAfter: string | null;
}

/** A gRPC status, answered Trailers-Only: HTTP 200, `grpc-status`, `grpc-message` (src/http/dialects/grpc.ts). */
export interface GrpcAnswer {
  /** The status code: 0-16 from a scenario (Envoy's abort header may ask for any number, as Envoy sends it). */
  readonly grpcStatus: number;
  /** `grpc-message` (before percent-encoding), or null for none. */
  readonly message: string | null;
  /** `grpc-status-details-bin` (base64, as written), or null. */
  readonly details: string | null;
}

/**
 * Where a cut response body ends: after N bytes, after N complete gRPC messages (5-byte
 * length-prefixed), or after N complete Server-Sent Events (src/faults/cut-counter.ts).
 */
export interface CutPoint {
  readonly unit: 'bytes' | 'messages' | 'events';
  readonly count: number;
}

export type FaultAction =
  | ({ readonly kind: 'status' } & StatusAnswer)
  | ({ readonly kind: 'replaceStatus' } & (StatusAnswer | GrpcAnswer))
  | ({ readonly kind: 'grpc' } & GrpcAnswer)
  /**
   * `after`: where the response body is cut, or null to reset before forwarding. `code`: the HTTP/2
   * error code (RFC 9113 §7) of the RST_STREAM, or of the GOAWAY with `connection`; HTTP/1.1 has
   * only a TCP reset for either.
   */
  | { readonly kind: 'reset'; readonly after: CutPoint | null; readonly code: number; readonly connection: boolean }
  | { readonly kind: 'hang'; readonly durationMs: number | null }
  | { readonly kind: 'throttle'; readonly requestBps: number | null; readonly responseBps: number | null }
  /** `code`: the HTTP/2 error code of the RST_STREAM that ends the stream (HTTP/1.1 closes the connection). */
  | { readonly kind: 'truncate'; readonly after: CutPoint; readonly code: number };

export type FaultKindName = FaultAction['kind'] | 'delay';

export interface FaultSpec {
  readonly delay: DelaySpec | null;
  /** null: a pure delay (wait, then forward). */
  readonly action: FaultAction | null;
  /** The metrics/log label: the action's kind, or `delay` for a pure delay. */
  readonly kind: FaultKindName;
}

export type QuotaKeySpec =
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'query'; readonly name: string }
  | { readonly kind: 'path'; readonly index: number }
  | { readonly kind: 'ip' }
  /** The user of the request's credentials: Basic user, Bearer JWT `sub`, AWS access key id (not verified). */
  | { readonly kind: 'user' }
  /** A claim of the request's Bearer JWT (not verified). */
  | { readonly kind: 'jwt'; readonly claim: string }
  | { readonly kind: 'global' };

export interface QuotaSpec {
  readonly key: QuotaKeySpec;
  /** The source text of the key, e.g. `header:x-tenant-id`, used in messages. */
  readonly keyText: string;
  readonly measure: 'bytes' | 'requests';
  readonly limit: number;
  readonly periodMs: number | null;
  readonly track: 'objects' | null;
  readonly countOn: 'success' | 'always';
  readonly metricsPerKey: boolean;
}

export interface TriggerSpec {
  /** null: always (subject to the other conditions). */
  readonly probability: number | null;
  readonly every: number | null;
  readonly after: number | null;
  readonly times: number | null;
  /** Relative to when the rule set was loaded or the rule enabled. */
  readonly windowStartMs: number | null;
  readonly windowEndMs: number | null;
}

/** Live, mutable part of a rule. Counters carry over a reload when the definition is unchanged. */
export interface RuleState {
  enabled: boolean;
  /** Admin override of `when.probability`; null: use the compiled value. */
  probability: number | null;
  /** When the window starts counting (ms since epoch): load time or last enable. */
  enabledAt: number;
  /** Requests whose `match` held (while enabled). */
  matched: number;
  /** Faults applied. */
  injected: number;
  /** Faults in progress now (for maxActive). */
  active: number;
}

export interface Rule {
  readonly name: string;
  /** The file it came from, or `<request>` for a rule set sent to the admin API. */
  readonly source: string;
  readonly line: number;
  /** Canonical text of the definition: equal fingerprints mean the same rule (counters carry over). */
  readonly fingerprint: string;
  /** Does the request satisfy `match`? Precompiled; a rule without header conditions reads no header. */
  readonly matches: (req: IncomingMessage, path: string, query: string) => boolean;
  readonly when: TriggerSpec;
  readonly quota: QuotaSpec | null;
  readonly fault: FaultSpec;
  readonly maxActive: number | null;
  /** `enabled` as the definition says: what a runtime change made with a time limit reverts to. */
  readonly enabledInFile: boolean;
  readonly state: RuleState;
}

export interface RuleSet {
  readonly rules: readonly Rule[];
  readonly byName: ReadonlyMap<string, Rule>;
  readonly seed: number | null;
  /** Honour `x-faultline-fault` request headers (any file enabling it enables it). */
  readonly headerFaults: boolean;
  /** Add the `x-faultline-fault: <rule>` marker to injected responses. */
  readonly marker: boolean;
  readonly files: readonly string[];
  /** What validation found worth a warning (unknown methods, unreachable rules); the set loads anyway. */
  readonly warnings: readonly Problem[];
  readonly loadedAt: number;
  /** The seeded source every random decision of this set draws from. */
  readonly random: () => number;
  /** Guards, dry-run flags and share limits (guard-plan.ts); NO_GUARDS when the files have none. */
  readonly guards: GuardPlan;
  /**
   * The first enabled rule whose `match` holds and whose `when` fires, or null (pass through).
   * A quota rule whose match holds is returned as soon as it matches: its `when.quota` is decided
   * by the quota engine, which may need the store. Updates the counters it consults.
   * `path` is the URL path without the query, `query` the raw query string without `?`.
   */
  select(req: IncomingMessage, path: string, query: string, now: number): Rule | null;
  /**
   * The name a quota rule's usage is kept under in the quota store. Absent: the rule's own name.
   * A session's set gives its rules their own usage (`name@session-id`), so tests never share it.
   */
  readonly quotaName?: (rule: Rule) => string;
}
