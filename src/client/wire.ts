/*
 * The JSON the admin API speaks, as TypeScript types: the API's routes build their answers with
 * these, and the client (`faultline/client`) reads them. Types only: nothing here exists at run
 * time, so the client carries no dependency on the server.
 */

/** One rule as `GET /rules` (and a session's stats) show it. */
export interface RuleView {
  readonly name: string;
  /** The scenario file it came from, `<request>` for a set sent with PUT /rules, `<session>` for a session's. */
  readonly source: string;
  readonly line: number;
  readonly state: 'enabled' | 'disabled';
  readonly kind: string;
  /** The status the fault answers with, or null. */
  readonly code: number | null;
  /** When it fires, in words: `probability 25%`, `every 3`, `quota header:x-tenant`, `always`, ... */
  readonly trigger: string;
  /** The probability in force (0..1), null when none applies. */
  readonly probability: number | null;
  /** True when the admin API set `probability` (it lasts until the rule changes in a file). */
  readonly probabilityOverridden: boolean;
  readonly matched: number;
  readonly injected: number;
  readonly active: number;
  /** The tripped guard stopping it (docs/guards.md), or null. */
  readonly stoppedBy: string | null;
  /** It only pretends: would-have-injected faults are counted, none injected. */
  readonly dryRun: boolean;
  /** A change made with `for` reverts to the file's value in this many milliseconds; absent otherwise. */
  readonly revertsInMs?: number;
}

/** `PATCH /rules/:name`. */
export interface RulePatch {
  readonly enabled?: boolean;
  /** `25%` or 0.25; null drops the override (the file's value applies again). */
  readonly probability?: string | number | null;
  /** Revert this change after a duration (`5m`, or milliseconds): the rule goes back to what its file says. */
  readonly for?: string | number;
}

export interface RulesListing {
  readonly rules: readonly RuleView[];
  readonly files: readonly string[];
  readonly seed: number | null;
  readonly loadedAt: string;
}

export interface QuotaRow {
  readonly rule: string;
  readonly key: string;
  readonly used: number;
  readonly pending?: number;
  readonly limit: number;
  readonly unit: 'bytes' | 'requests';
  readonly objects?: number;
}

export interface QuotaListing {
  readonly rules: readonly { rule: string; key: string; measure: string; limit: number; periodMs: number | null }[];
  readonly quotas: readonly QuotaRow[];
}

/**
 * A rule as written in a scenario file (see docs/scenarios.md); the server validates it and
 * answers every problem with its line and column in the body sent.
 */
export interface RuleDefinitionInput {
  readonly name: string;
  readonly enabled?: boolean;
  readonly match?: Readonly<Record<string, unknown>>;
  readonly when?: Readonly<Record<string, unknown>>;
  readonly fault: Readonly<Record<string, unknown>> | string;
  readonly maxActive?: number;
}

/** `POST /sessions`. */
export interface SessionRequestBody {
  readonly rules: readonly RuleDefinitionInput[];
  /** Seeds the session's random decisions (a run replays exactly); drawn and reported when absent. */
  readonly seed?: number;
  /** How long the session lives (`30s`, `10m`, or milliseconds): default 10m, at most 24h. */
  readonly ttl?: string | number;
  /** true (default): the session's requests see only its rules; false: its rules, then the global ones. */
  readonly isolate?: boolean;
}

/** The answer to `POST /sessions`: what a test adds to its requests. */
export interface SessionCreated {
  readonly id: string;
  /** The header to send with every request of the test: `{ "x-faultline-session": id }`. */
  readonly header: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly isolate: boolean;
  readonly ttlMs: number;
  readonly expiresAt: string;
}

/** A session's rule: its counters and, for a quota rule, the session's own usage per key. */
export interface SessionRuleView extends RuleView {
  readonly usage?: readonly QuotaRow[];
}

/** `GET /sessions/:id`: the session and each of its rules' counters. */
export interface SessionView extends SessionCreated {
  readonly createdAt: string;
  readonly remainingMs: number;
  readonly rules: readonly SessionRuleView[];
}

/** `GET /sessions`. */
export interface SessionListing {
  readonly sessions: readonly SessionView[];
  readonly max: number;
  /** Requests that named a session this replica does not have (they passed through untouched). */
  readonly unknownRequests: number;
}

/** What a rule should have done. */
export interface VerifyExpectation {
  readonly rule: string;
  /** Fired at least this often (default 1, or 0 when only a ratio is given). */
  readonly min?: number;
  /** Fired on this share of the requests it matched, within the tolerance (both 0..1). */
  readonly ratio?: { readonly ratio: number; readonly tolerance: number };
}

export interface VerifyResult {
  readonly rule: string;
  readonly ok: boolean;
  readonly fired: number;
  readonly matched: number;
  /** The expectation in words: `at least 1 time`, `10%±2% of matched requests`. */
  readonly expected: string;
  /** Why it failed, in one line (`uploads-507 fired 0 times; it matched 0 requests: no request reached it`); null when ok. */
  readonly message: string | null;
}

/** `GET /verify` and `GET /sessions/:id/verify`. */
export interface VerifyAnswer {
  readonly ok: boolean;
  readonly results: readonly VerifyResult[];
}

/** An error answer (RFC 9457 problem+json) with faultline's stable code. */
export interface ProblemAnswer {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code?: string;
  readonly problems?: readonly { file: string; line: number; column: number; path: string; message: string }[];
}
