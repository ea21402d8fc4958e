import type { Rule, RuleSet } from '../scenario/types.js';
import { markInjected } from './inject.js';
import { problemFor, sendProblem } from '../http/problem.js';
import { applyFault } from '../faults/apply.js';
import type { FaultContext } from '../faults/fault.js';
import { FAULT_HEADER, parseFaultHeader } from '../faults/header-fault.js';
import { envoyFault, hasEnvoyFault } from '../faults/envoy-headers.js';
import { Exchange } from './exchange.js';
import type { ProxyEvents } from './events.js';
import { forward, type ForwardContext } from './forward.js';
import type { ProxyRequest, ProxyResponse } from './messages.js';
import { requestIdOf } from './request-id.js';

/** The live rule set: reload swaps `current` in one assignment; an exchange keeps the set it started with. */
export interface RuleSetRef {
  current: RuleSet;
}

export interface HandlerContext {
  readonly rules: RuleSetRef;
  readonly forward: ForwardContext;
  readonly faults: FaultContext;
  readonly events: ProxyEvents;
  /** Add the x-faultline-fault marker to injected answers (the setting; a file may turn it off too). */
  readonly marker: boolean;
  readonly now: () => number;
  /** Decides quota rules (null: no quota support wired, quota rules then never fire). */
  readonly quota?: QuotaHandler | null;
  /** Decides whether a rule that fired injects (guards, dry run, heartbeat, share limits); null: always. */
  readonly gate?: InjectionGate | null;
  /** Test sessions (null: none wired; every request uses the global rules). */
  readonly sessions?: SessionLookup | null;
}

/** After a rule fired: inject its fault (true), or forward the request untouched (false). */
export interface InjectionGate {
  allows(rule: Rule, ex: Exchange): boolean;
}

/** Test sessions as the hot path sees them (src/session/registry.ts): the rule set for a request. */
export interface SessionLookup {
  /** The global set unless the request names a session; then that session's set, its header marked not to forward. */
  ruleSetFor(ex: Exchange, global: RuleSet): RuleSet;
}

/** The quota engine as the hot path sees it. */
export interface QuotaHandler {
  handle(ex: Exchange, rule: Rule, set: RuleSet): void;
}

/**
 * The hot path, per request:
 *
 *   refuse non-origin-form targets ─▶ request id ─▶ header fault? ─▶ first rule that fires?
 *        │                                            │                    │
 *        └─▶ 400 problem+json                         └──────▶ applyFault ◀┘──(none)──▶ forward
 */
export function handleRequest(ctx: HandlerContext, req: ProxyRequest, res: ProxyResponse, expectContinue: boolean): void {
  const id = requestIdOf(req);
  const url = req.url ?? '';
  if (url.charCodeAt(0) !== 47 /* '/' */ && !(url === '*' && req.method === 'OPTIONS')) {
    refuseAbsoluteForm(req, res, id, expectContinue);
    ctx.events.requestRejected(req.method, 400);
    return;
  }
  const ex = new Exchange(req, res, id, expectContinue, ctx.now());
  req.exchange = ex;
  res.exchange = ex;
  ex.events = ctx.events;
  res.once('close', onResponseClose);
  ctx.events.requestStarted(ex);
  const set = ctx.sessions == null ? ctx.rules.current : ctx.sessions.ruleSetFor(ex, ctx.rules.current);
  if (set.headerFaults && (req.headers[FAULT_HEADER] !== undefined || hasEnvoyFault(req.headers))) {
    applyHeaderFault(ctx, ex, set);
    return;
  }
  if (set.rules.length === 0) {
    forward(ctx.forward, ex);
    return;
  }
  const rule = set.select(req, ex.path, ex.query, ex.startedAt);
  if (rule === null) {
    forward(ctx.forward, ex);
    return;
  }
  if (rule.quota !== null) {
    if (ctx.quota === undefined || ctx.quota === null) forward(ctx.forward, ex);
    else ctx.quota.handle(ex, rule, set);
    return;
  }
  if (ctx.gate !== undefined && ctx.gate !== null && !ctx.gate.allows(rule, ex)) {
    forward(ctx.forward, ex);
    return;
  }
  markInjected(ex, rule, ctx.marker && set.marker ? rule.name : null, ctx.events);
  applyFault(ctx.faults, ex, rule.fault, set.random);
}

function applyHeaderFault(ctx: HandlerContext, ex: Exchange, set: RuleSet): void {
  const own = ex.req.headers[FAULT_HEADER] !== undefined;
  const parsed = own ? parseFaultHeader(ex.req.headers[FAULT_HEADER]) : envoyFault(ex.req.headers, set.random);
  if (parsed === null) {
    forward(ctx.forward, ex);
    return;
  }
  if (typeof parsed === 'string') {
    ex.outcome = 'rejected';
    sendProblem(ex.req, ex.res, problemFor('FAULTLINE_BAD_FAULT_HEADER', parsed, ex.path, ex.id), {
      connection: ex.req.readableEnded ? undefined : 'close',
    });
    return;
  }
  if (own) ex.skipHeader = FAULT_HEADER;
  ex.outcome = 'injected';
  ex.faultName = ctx.marker && set.marker ? 'header' : null;
  ctx.events.faultApplied(ex);
  applyFault(ctx.faults, ex, parsed, set.random);
}

/** Module-level on purpose: one function for every response, reading its exchange from `this`. */
function onResponseClose(this: ProxyResponse): void {
  const ex = this.exchange;
  if (ex === null || ex.done) return;
  ex.done = true;
  if (!this.writableFinished) {
    if (ex.upReq !== null) ex.upReq.destroy();
    if (ex.requestTransform !== null) ex.requestTransform.destroy();
  }
  if (ex.activeHeld && ex.rule !== null) ex.rule.state.active--;
  if (ex.onDone !== null) ex.onDone(ex);
  const events = ex.events;
  if (events !== null) events.requestFinished(ex, this.writableFinished ? this.statusCode : 0);
  this.exchange = null;
  ex.req.exchange = null;
}

function refuseAbsoluteForm(req: ProxyRequest, res: ProxyResponse, id: string, expectContinue: boolean): void {
  // faultline is a reverse proxy for one upstream: a request naming another host (absolute form,
  // RFC 9112 §3.2.2) is refused rather than forwarded anywhere, so it can never be an open proxy.
  const problem = problemFor(
    'FAULTLINE_ABSOLUTE_FORM_REFUSED',
    'faultline is a reverse proxy for one upstream; send origin-form request targets (a path starting with "/").',
    '/',
    id,
  );
  sendProblem(req, res, problem, { connection: req.readableEnded && !expectContinue ? undefined : 'close' });
  req.resume();
}
