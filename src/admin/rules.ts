import { ScenarioError, formatProblem, formatWarning, type Problem } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { RuntimeChange } from '../cluster/runtime-sync.js';
import type { Rule, RuleSet } from '../scenario/types.js';
import type { RuleView } from '../client/wire.js';
import { parseDuration, parseProbability } from '../scenario/units.js';
import { readBody, readJsonObject } from './body.js';
import { diffRuleSets, type RuleSetDiff } from './rule-diff.js';
import { formatPercent, ruleView, type RuleGuarding } from './rule-view.js';
import { RuleExpiry, type RevertFields } from './rule-expiry.js';
import { route, sendAdminProblem, sendJson, type AdminRequest, type AdminRoute } from './router.js';

/** What the rule routes need from the running faultline (the composition root provides it). */
export interface RulesAdmin {
  /** The live rule set. */
  current(): RuleSet;
  /** The clock rule windows count with. */
  now(): number;
  /** Compile a rule set sent in a request (file `<request>`), carrying state over; throws ScenarioError. */
  compile(text: string): Promise<RuleSet>;
  /** Make `set` the live rule set. */
  replace(set: RuleSet): void;
  /** Re-read the scenario files; on problems the previous rules keep serving. */
  reload(reason: string): Promise<{
    ok: boolean;
    rules: number;
    details: readonly Problem[];
    changes: RuleSetDiff | null;
    warnings: readonly string[];
  }>;
  /** Told after every change made here, so other replicas can follow (the Redis sync); optional. */
  changed?(change: RuntimeChange): void;
  /** Which rules a guard stops or a dry run holds back (shown with each rule); optional. */
  readonly guarding?: RuleGuarding;
  readonly log: Logger;
}

const PATCH_KEYS = ['enabled', 'probability', 'for'];

/** The longest a time-limited runtime change may last. */
const MAX_FOR_MS = 24 * 60 * 60_000;

/**
 * `GET /rules`, `GET /rules/:name`, `PATCH /rules/:name`, `PUT /rules`, `POST /reload`. Changes
 * take effect at once (the next request sees them) and each is one info log line.
 */
export function ruleRoutes(api: RulesAdmin): AdminRoute[] {
  const expiry = new RuleExpiry(
    () => api.now(),
    (name, fields) => revert(api, name, fields),
  );
  const view = (rule: Rule): RuleView => ruleView(rule, api.guarding, expiry.of(rule.name));
  return [
    route('GET', '/rules', true, (ar) => {
      const set = api.current();
      sendJson(ar, 200, {
        rules: set.rules.map(view),
        files: set.files,
        seed: set.seed,
        loadedAt: new Date(set.loadedAt).toISOString(),
      });
    }),
    route('GET', '/rules/:name', true, (ar) => {
      const rule = api.current().byName.get(ar.segments[1] as string);
      if (rule === undefined) notFound(ar);
      else sendJson(ar, 200, view(rule));
    }),
    route('PATCH', '/rules/:name', true, (ar) => patchRule(api, ar, expiry, view)),
    route('PUT', '/rules', true, (ar) => putRules(api, ar, view)),
    route('POST', '/reload', true, async (ar) => {
      ar.req.resume(); // no body expected; drop any
      const result = await api.reload('admin API');
      if (result.ok) sendJson(ar, 200, { ok: true, rules: result.rules, changes: result.changes, warnings: result.warnings });
      else sendScenarioProblems(ar, result.details, 'the scenario files are invalid; the previous rules keep serving');
    }),
  ];
}

function notFound(ar: AdminRequest): void {
  sendAdminProblem(ar, 'FAULTLINE_ADMIN_NOT_FOUND', `no rule named "${ar.segments[1] ?? ''}"`);
}

interface RulePatch {
  enabled?: boolean;
  /** null: drop the override, the file's value applies again. */
  probability?: number | null;
  /** Revert the change after this many milliseconds. */
  forMs?: number;
}

/** The patch, or what is wrong with it. */
function parsePatch(body: Record<string, unknown>): RulePatch | string {
  const unknown = Object.keys(body).filter((k) => !PATCH_KEYS.includes(k));
  if (unknown.length > 0)
    return `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (expected ${PATCH_KEYS.join(', ')})`;
  if (Object.keys(body).length === 0) return 'nothing to change: give enabled and/or probability';
  const patch: RulePatch = {};
  if ('enabled' in body) {
    if (typeof body.enabled !== 'boolean') return `enabled: expected true or false, got ${JSON.stringify(body.enabled)}`;
    patch.enabled = body.enabled;
  }
  if ('probability' in body) {
    const p = body.probability;
    if (p === null) patch.probability = null;
    else if (typeof p !== 'string' && typeof p !== 'number')
      return `probability: expected a probability like "25%" or 0.25 (null to drop the override), got ${JSON.stringify(p)}`;
    else {
      try {
        patch.probability = parseProbability(p);
      } catch (err) {
        return `probability: ${(err as Error).message}`;
      }
    }
  }
  if ('for' in body) {
    const f = body.for;
    if (patch.enabled === undefined && patch.probability === undefined)
      return 'for: give it with enabled and/or probability (the change that is to revert)';
    try {
      if (typeof f !== 'string' && typeof f !== 'number')
        throw new Error(`expected a duration like 5m, got ${JSON.stringify(f)}`);
      patch.forMs = parseDuration(f);
    } catch (err) {
      return `for: ${(err as Error).message}`;
    }
    if (patch.forMs <= 0 || patch.forMs > MAX_FOR_MS) return `for: must be more than 0 and at most 24h, got ${JSON.stringify(f)}`;
  }
  return patch;
}

/** A time-limited change ran out: the fields go back to what the rule's file says. */
function revert(api: RulesAdmin, name: string, fields: RevertFields): void {
  const rule = api.current().byName.get(name);
  if (rule === undefined) return;
  const s = rule.state;
  const change: { enabled?: boolean; probability?: null } = {};
  if (fields.enabled && s.enabled !== rule.enabledInFile) {
    s.enabled = rule.enabledInFile;
    if (s.enabled) s.enabledAt = api.now();
    change.enabled = s.enabled;
  }
  if (fields.probability && s.probability !== null) {
    s.probability = null;
    change.probability = null;
  }
  api.log.info({ rule: name, reverted: change }, `admin: rule "${name}" time-limited change ran out; back to its file's values`);
  api.changed?.({ kind: 'rule', name, ...change });
}

async function patchRule(api: RulesAdmin, ar: AdminRequest, expiry: RuleExpiry, view: (rule: Rule) => RuleView): Promise<void> {
  const body = await readJsonObject(ar);
  if (body === null) return;
  const rule = api.current().byName.get(ar.segments[1] as string);
  if (rule === undefined) return notFound(ar);
  const patch = parsePatch(body);
  if (typeof patch === 'string') return sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', patch);
  if (patch.probability !== undefined && rule.quota !== null) {
    return sendAdminProblem(
      ar,
      'FAULTLINE_ADMIN_BAD_REQUEST',
      `rule "${rule.name}" is a quota rule: its quota decides when it fires, not a probability`,
    );
  }
  const s = rule.state;
  const show = (p: number | null): string =>
    p === null ? `file (${rule.when.probability === null ? 'none' : formatPercent(rule.when.probability)})` : formatPercent(p);
  if (patch.enabled !== undefined && patch.enabled !== s.enabled) {
    s.enabled = patch.enabled;
    // A window counts from when the rule was (re-)enabled.
    if (patch.enabled) s.enabledAt = api.now();
    api.log.info(
      { reqId: ar.id, rule: rule.name, field: 'enabled', from: !patch.enabled, to: patch.enabled },
      `admin: rule "${rule.name}" ${patch.enabled ? 'enabled' : 'disabled'}`,
    );
  }
  if (patch.probability !== undefined && patch.probability !== s.probability) {
    const from = s.probability;
    s.probability = patch.probability;
    api.log.info(
      { reqId: ar.id, rule: rule.name, field: 'probability', from, to: patch.probability },
      `admin: rule "${rule.name}" probability ${show(from)} -> ${show(patch.probability)}`,
    );
  }
  const fields: RevertFields = { enabled: patch.enabled !== undefined, probability: patch.probability !== undefined };
  if (patch.forMs === undefined) expiry.cancel(rule.name, fields);
  else {
    expiry.schedule(rule.name, fields, patch.forMs);
    api.log.info(
      { reqId: ar.id, rule: rule.name, forMs: patch.forMs },
      `admin: rule "${rule.name}" change reverts in ${patch.forMs} ms`,
    );
  }
  const { forMs: _ignored, ...shared } = patch;
  api.changed?.({ kind: 'rule', name: rule.name, ...shared });
  sendJson(ar, 200, view(rule));
}

async function putRules(api: RulesAdmin, ar: AdminRequest, view: (rule: Rule) => RuleView): Promise<void> {
  const text = await readBody(ar);
  if (text === null) return;
  let next: RuleSet;
  try {
    next = await api.compile(text);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return sendScenarioProblems(ar, err.problems, 'the rule set is invalid; the current rules keep serving');
  }
  const changes = diffRuleSets(api.current(), next);
  api.replace(next);
  api.log.info(
    { reqId: ar.id, rules: next.rules.length, ...changes },
    'admin: rule set replaced (it lasts until the next file reload)',
  );
  const warnings = next.warnings.map(formatWarning);
  for (const w of warnings) api.log.warn({ reqId: ar.id }, `scenario warning: ${w}`);
  api.changed?.({ kind: 'rules-replaced', text });
  sendJson(ar, 200, { rules: next.rules.map(view), changes, warnings });
}

function sendScenarioProblems(ar: AdminRequest, problems: readonly Problem[], summary: string): void {
  const detail = [`${summary}:`, ...problems.map(formatProblem)].join('\n');
  sendAdminProblem(ar, 'FAULTLINE_SCENARIO_INVALID', detail, { problems });
}
