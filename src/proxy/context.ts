import type { Why } from '../faults/plan.js';
import type { Rule, RuleSet } from '../scenario/types.js';
import type { ProxyEvents } from './events.js';
import type { Exchange } from './exchange.js';
import type { ProxyRequest } from './messages.js';
import type { Upstream } from './upstream.js';

/** The live rule set: reload swaps `current` in one assignment; an exchange keeps the set it started with. */
export interface RuleSetRef {
  current: RuleSet;
}

/**
 * Everything the proxy needs, built once per proxy: the one context object of the hot path.
 * The decision seam is spelled out by its functions: `ruleSetFor` (which rules apply to this
 * request), `gate` (may this injection happen?), `quota` (a quota rule's decision).
 */
export interface ProxyContext {
  /** The rule set a request is decided by: the global set, or the session's it names. */
  readonly ruleSetFor: (req: ProxyRequest) => RuleSet;
  /** Last word before a rule's fault is applied: false turns it into pass-through (guards, dry runs, heartbeat, share limits). */
  readonly gate: (ex: Exchange, rule: Rule, set: RuleSet) => boolean;
  readonly upstream: Upstream;
  readonly events: ProxyEvents;
  /** Add the x-faultline-fault marker to injected answers (the setting; a file may turn it off too). */
  readonly marker: boolean;
  readonly now: () => number;
  /** Request bodies up to this size are drained after an early answer; larger ones close the connection. */
  readonly drainLimit: number;
  /** Decides quota rules (null: no quota support wired; quota rules then never fire). */
  readonly quota: QuotaStage | null;
}

/** The quota engine as the proxy sees it: a stage that decides, never forwards nor answers. */
export interface QuotaStage {
  /** `mayInject`: the gate, asked if the quota runs out mid-upload (no: the body goes on unreserved). */
  decide(ex: Exchange, rule: Rule, set: RuleSet, mayInject: () => boolean): Promise<QuotaDecision>;
}

export type QuotaDecision =
  /** Under the limit (or reserved): forward, accounting through the meter. */
  | { readonly verdict: 'forward'; readonly meter: QuotaMeter }
  /** Over the limit before forwarding: apply the rule's fault, with this explanation. */
  | { readonly verdict: 'refuse'; readonly why: Why }
  /** The store failed and the engine fails open: forward without accounting. */
  | { readonly verdict: 'unaccounted' }
  /** The store failed and the engine fails closed: answer 503. */
  | { readonly verdict: 'unavailable' }
  /** The request names its quota key twice, differently: answer 400 with this detail. */
  | { readonly verdict: 'ambiguous'; readonly detail: string };

/** A quota refusal once forwarding began. */
export type Overrun = { readonly kind: 'exceeded'; readonly why: Why } | { readonly kind: 'unavailable' };

/** Byte accounting for one forwarded request; private state of the quota stage. */
export interface QuotaMeter {
  /**
   * Non-null for a body of unknown length: reserve `bytes` more before they go upstream. Resolves
   * null when admitted; otherwise the request is over (the core abandons the upstream request).
   */
  readonly admit: ((bytes: number) => Promise<Overrun | null>) | null;
  /** The upstream's response head arrived with this status. */
  head(status: number): void;
  /** The exchange ended; `overrun`: the upstream request was abandoned at the limit. */
  end(overrun: boolean): void;
}
