import type { Rule } from '../scenario/types.js';
import type { Exchange } from './exchange.js';
import type { ProxyEvents } from './events.js';

/**
 * Book a fault as applied: the outcome, the marker name, the rule's counters and maxActive slot,
 * and the event that metrics and logs listen to. Every path that injects goes through here.
 */
export function markInjected(ex: Exchange, rule: Rule, markerName: string | null, events: ProxyEvents): void {
  ex.rule = rule;
  ex.outcome = 'injected';
  ex.faultName = markerName;
  rule.state.injected++;
  rule.state.active++;
  ex.activeHeld = true;
  events.faultApplied(ex);
}
