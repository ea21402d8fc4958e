import type { IncomingMessage } from 'node:http';
import { compileRuleSetFromText, type LoadOptions } from '../../src/scenario/load.js';
import type { RuleSet } from '../../src/scenario/types.js';

/** A request as select() and the matchers see it: only method and headers are read. */
export function req(method = 'GET', headers: Record<string, string | string[]> = {}): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}

/** A rule set from YAML text; `rules` is the YAML of the rules list only, indented by two. */
export function ruleSet(rules: string, options: LoadOptions & { head?: string } = {}): RuleSet {
  return compileRuleSetFromText(`version: 1\n${options.head ?? ''}rules:\n${rules}`, '<test>', { now: () => 0, ...options });
}

/** Names chosen for a sequence of requests to one path (null: passed through). */
export function run(set: RuleSet, n: number, path = '/x', at = 0, request = req()): (string | null)[] {
  const out: (string | null)[] = [];
  for (let i = 0; i < n; i++) out.push(set.select(request, path, '', at)?.name ?? null);
  return out;
}
