import { injectedWhy } from '../faults/answer.js';
import { FAULT_HEADER, parseFaultHeader } from '../faults/header-fault.js';
import { envoyFault, hasEnvoyFault } from '../faults/envoy-headers.js';
import { PASS } from '../faults/plan.js';
import { overrunPlanFor, planFor } from '../faults/registry.js';
import { problemFor } from '../http/problem.js';
import type { Rule, RuleSet } from '../scenario/types.js';
import { sendOwnProblem } from './answer.js';
import type { Overrun, ProxyContext, QuotaDecision } from './context.js';
import type { Exchange } from './exchange.js';
import { carryOut, PLAIN } from './flight.js';
import type { Forwarding } from './upstream-call.js';

const HEADER_FAULT: Forwarding = { meter: null, skipHeader: FAULT_HEADER, onOverrun: null };

/**
 * Decide, then act. The decision seam, in order:
 *
 *   rule set for this request ─▶ header fault? ─▶ first rule that fires ─▶ gate ─▶ plan
 *                                                                    └─ quota rule ─▶ quota stage ─▶ (over: gate) ─▶ plan
 *
 * A quota rule asks the gate only when its quota is exceeded (that is when it would inject); faults
 * a client asks for by header are not gated.
 * Each step only decides; the plan it ends with is carried out by flight.ts, which forwards at
 * most once.
 */
export function decide(ctx: ProxyContext, ex: Exchange): void {
  const req = ex.req;
  const set = ctx.ruleSetFor(req);
  if (set.headerFaults && (req.headers[FAULT_HEADER] !== undefined || hasEnvoyFault(req.headers))) {
    headerFault(ctx, ex, set);
    return;
  }
  if (set.rules.length === 0) {
    carryOut(ctx, ex, PASS, PLAIN);
    return;
  }
  const rule = set.select(req, ex.path, ex.query, ex.startedAt);
  if (rule === null) {
    carryOut(ctx, ex, PASS, PLAIN);
    return;
  }
  if (rule.quota !== null) {
    if (ctx.quota === null) carryOut(ctx, ex, PASS, PLAIN);
    else quotaStage(ctx, ex, rule, set);
    return;
  }
  if (!ctx.gate(ex, rule, set)) {
    carryOut(ctx, ex, PASS, PLAIN);
    return;
  }
  book(ctx, ex, rule, set);
  carryOut(ctx, ex, planFor(rule.fault, injectedWhy(rule, rule.fault), set.random), PLAIN);
}

/**
 * A fault the request asks for: `x-faultline-fault` (removed before forwarding), or Envoy's
 * `x-envoy-fault-*` headers (forwarded, as Envoy does; their percentages may say no).
 */
function headerFault(ctx: ProxyContext, ex: Exchange, set: RuleSet): void {
  const own = ex.req.headers[FAULT_HEADER] !== undefined;
  const parsed = own ? parseFaultHeader(ex.req.headers[FAULT_HEADER]) : envoyFault(ex.req.headers, set.random);
  if (parsed === null) {
    carryOut(ctx, ex, PASS, PLAIN);
    return;
  }
  if (typeof parsed === 'string') {
    ex.outcome = 'rejected';
    sendOwnProblem(ex, problemFor('FAULTLINE_BAD_FAULT_HEADER', parsed, ex.path, ex.id), ctx.drainLimit);
    return;
  }
  book(ctx, ex, null, set);
  carryOut(ctx, ex, planFor(parsed, injectedWhy(null, parsed), set.random), own ? HEADER_FAULT : PLAIN);
}

/** A quota rule: the quota stage decides; the plan follows from its decision. */
function quotaStage(ctx: ProxyContext, ex: Exchange, rule: Rule, set: RuleSet): void {
  (ctx.quota as NonNullable<ProxyContext['quota']>)
    .decide(ex, rule, set, () => ctx.gate(ex, rule, set))
    .then(
      (decision) => afterQuota(ctx, ex, rule, set, decision),
      () => afterQuota(ctx, ex, rule, set, { verdict: 'unaccounted' }),
    );
}

function afterQuota(ctx: ProxyContext, ex: Exchange, rule: Rule, set: RuleSet, decision: QuotaDecision): void {
  if (ex.done) {
    // The client left while the store was asked: release the reservation, count nothing.
    if (decision.verdict === 'forward') decision.meter.end(true);
    return;
  }
  switch (decision.verdict) {
    case 'forward':
      carryOut(ctx, ex, PASS, {
        meter: decision.meter,
        skipHeader: null,
        onOverrun: (overrun) => overrunStep(ctx, ex, rule, set, overrun),
      });
      return;
    case 'unaccounted':
      carryOut(ctx, ex, PASS, PLAIN);
      return;
    case 'refuse':
      if (!ctx.gate(ex, rule, set)) {
        // Vetoed (a guard, a dry run, ...): the request goes through, uncounted.
        carryOut(ctx, ex, PASS, PLAIN);
        return;
      }
      book(ctx, ex, rule, set);
      carryOut(ctx, ex, planFor(rule.fault, decision.why, set.random), PLAIN);
      return;
    case 'ambiguous':
      ex.outcome = 'rejected';
      sendOwnProblem(ex, problemFor('FAULTLINE_AMBIGUOUS_QUOTA_KEY', decision.detail, ex.path, ex.id), ctx.drainLimit);
      return;
    case 'unavailable':
      storeUnavailable(ctx, ex);
      return;
  }
}

/** The request body crossed the quota mid-upload; the upstream request is already abandoned. */
function overrunStep(ctx: ProxyContext, ex: Exchange, rule: Rule, set: RuleSet, overrun: Overrun): void {
  if (ex.done) return;
  if (overrun.kind === 'unavailable') {
    storeUnavailable(ctx, ex);
    return;
  }
  book(ctx, ex, rule, set);
  carryOut(ctx, ex, overrunPlanFor(rule.fault, overrun.why, set.random), PLAIN);
}

function storeUnavailable(ctx: ProxyContext, ex: Exchange): void {
  ex.outcome = 'rejected';
  const detail = 'The quota store is unavailable; faultline is configured to fail closed.';
  sendOwnProblem(ex, problemFor('FAULTLINE_STORE_UNAVAILABLE', detail, ex.path, ex.id), ctx.drainLimit);
}

/**
 * Book a fault as applied: the outcome, the marker, the rule's counters and its maxActive slot
 * (released when the exchange ends), and the event metrics and logs listen to.
 */
function book(ctx: ProxyContext, ex: Exchange, rule: Rule | null, set: RuleSet): void {
  ex.rule = rule;
  ex.outcome = 'injected';
  ex.marker = ctx.marker && set.marker ? (rule === null ? 'header' : rule.name) : null;
  if (rule !== null) {
    const state = rule.state;
    state.injected++;
    state.active++;
    ex.whenDone(() => state.active--);
  }
  ctx.events.faultApplied(ex);
}
