import type { Logger } from '../log/logger.js';
import type { QuotaSpec, Rule, RuleSet } from '../scenario/types.js';
import { parseSize } from '../scenario/units.js';
import type { QuotaStore } from '../quota/store.js';
import { readJsonObject } from './body.js';
import { route, sendAdminProblem, sendJson, type AdminRequest, type AdminRoute } from './router.js';

/** What the quota routes need from the running faultline. */
export interface QuotasAdmin {
  current(): RuleSet;
  store(): QuotaStore;
  periodOf(quota: QuotaSpec): number;
  readonly log: Logger;
}

/**
 * Quota state lives in the store, so with a shared (Redis) store a change made here is seen by
 * every replica at once; nothing needs to be broadcast.
 *
 * `GET /quotas` (usage per rule and key), `PUT /quotas/:rule/:key` `{ "used": "9MiB" }` (start a
 * test near the limit), `DELETE /quotas[/:rule[/:key]]` (reset).
 */
export function quotaRoutes(api: QuotasAdmin): AdminRoute[] {
  return [
    route('GET', '/quotas', true, (ar) => storeRoute(api, ar, async () => sendJson(ar, 200, await listing(api)))),
    route('PUT', '/quotas/:rule/:key', true, (ar) => storeRoute(api, ar, () => setUsage(api, ar))),
    route('DELETE', '/quotas', true, (ar) => storeRoute(api, ar, () => reset(api, ar))),
    route('DELETE', '/quotas/:rule', true, (ar) => storeRoute(api, ar, () => reset(api, ar))),
    route('DELETE', '/quotas/:rule/:key', true, (ar) => storeRoute(api, ar, () => reset(api, ar))),
  ];
}

/** Thrown by `stored()` around the store's own calls: only those make a route answer 503. */
class StoreFailure extends Error {}

/** A store call whose failure (Redis down, a command timeout) is a StoreFailure. */
async function stored<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw new StoreFailure((err as Error).message, { cause: err });
  }
}

/** Run a quota route; a store failure answers 503 FAULTLINE_STORE_UNAVAILABLE with one log line. */
async function storeRoute(api: QuotasAdmin, ar: AdminRequest, handler: () => Promise<void>): Promise<void> {
  try {
    await handler();
  } catch (err) {
    if (!(err instanceof StoreFailure)) throw err;
    api.log.warn({ reqId: ar.id, path: ar.path, error: err.message }, 'admin: quota store unavailable');
    sendAdminProblem(ar, 'FAULTLINE_STORE_UNAVAILABLE', `the quota store is unavailable: ${err.message}`);
  }
}

function quotaRules(set: RuleSet): Rule[] {
  return set.rules.filter((r) => r.quota !== null);
}

async function listing(api: QuotasAdmin): Promise<unknown> {
  const rules = quotaRules(api.current());
  const byName = new Map(rules.map((r) => [r.name, r]));
  const entries = await stored(
    api.store().entries((name) => {
      const q = byName.get(name)?.quota;
      return q === undefined || q === null ? -1 : api.periodOf(q);
    }),
  );
  return {
    rules: rules.map((r) => {
      const q = r.quota as QuotaSpec;
      return {
        rule: r.name,
        key: q.keyText,
        measure: q.measure,
        limit: q.limit,
        periodMs: q.periodMs,
        track: q.track,
        countOn: q.countOn,
      };
    }),
    quotas: entries
      .filter((e) => byName.has(e.rule))
      .map((e) => ({
        rule: e.rule,
        key: e.key,
        used: e.used,
        pending: e.pending,
        limit: (byName.get(e.rule)?.quota as QuotaSpec).limit,
        unit: (byName.get(e.rule)?.quota as QuotaSpec).measure,
        objects: e.objects,
      }))
      .sort((a, b) => (a.rule === b.rule ? a.key.localeCompare(b.key) : a.rule.localeCompare(b.rule))),
  };
}

function quotaRule(api: QuotasAdmin, ar: AdminRequest, name: string): Rule | null {
  const rule = api.current().byName.get(name);
  if (rule === undefined || rule.quota === null) {
    sendAdminProblem(
      ar,
      'FAULTLINE_ADMIN_NOT_FOUND',
      rule === undefined ? `no rule named "${name}"` : `rule "${name}" has no quota`,
    );
    return null;
  }
  return rule;
}

async function setUsage(api: QuotasAdmin, ar: AdminRequest): Promise<void> {
  const body = await readJsonObject(ar);
  if (body === null) return;
  const [, name = '', key = ''] = ar.segments;
  const rule = quotaRule(api, ar, name);
  if (rule === null) return;
  const extra = Object.keys(body).filter((k) => k !== 'used');
  if (extra.length > 0 || !('used' in body))
    return sendAdminProblem(
      ar,
      'FAULTLINE_ADMIN_BAD_REQUEST',
      `expected { "used": ... }${extra.length > 0 ? `, not ${extra.map((k) => `"${k}"`).join(', ')}` : ''}`,
    );
  const quota = rule.quota as QuotaSpec;
  let used: number;
  try {
    used = parseUsed(body.used, quota);
  } catch (err) {
    return sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', `used: ${(err as Error).message}`);
  }
  await stored(api.store().setUsed({ rule: rule.name, key, period: api.periodOf(quota) }, used));
  api.log.info(
    { reqId: ar.id, rule: rule.name, key, used },
    `admin: quota of "${rule.name}" for ${key} set to ${used} ${quota.measure}`,
  );
  sendJson(ar, 200, { rule: rule.name, key, used, limit: quota.limit, unit: quota.measure });
}

/** Largest usage accepted: every store keeps it exactly (2^53 - 1, about 8 PiB). */
const MAX_USED = Number.MAX_SAFE_INTEGER;

/** A finite, non-negative whole number up to MAX_USED, in the quota's unit. */
function parseUsed(v: unknown, quota: QuotaSpec): number {
  let n: number;
  if (quota.measure === 'requests') {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) n = v;
    else if (typeof v === 'string' && /^\d+$/.test(v)) n = Number(v);
    else throw new Error(`expected a number of requests, got ${JSON.stringify(v)}`);
  } else {
    if (typeof v !== 'number' && typeof v !== 'string')
      throw new Error(`expected a size like "9MiB" or a number of bytes, got ${JSON.stringify(v)}`);
    n = parseSize(v);
  }
  if (!(n <= MAX_USED)) throw new Error(`${JSON.stringify(v)} is larger than ${MAX_USED} ${quota.measure}`);
  return n;
}

async function reset(api: QuotasAdmin, ar: AdminRequest): Promise<void> {
  ar.req.resume();
  const [, name, key] = ar.segments;
  if (name !== undefined && quotaRule(api, ar, name) === null) return;
  const n = await stored(api.store().reset(name, key));
  const what = name === undefined ? 'all quotas' : key === undefined ? `quota "${name}"` : `quota "${name}" for ${key}`;
  api.log.info({ reqId: ar.id, rule: name, key, keys: n }, `admin: ${what} reset`);
  sendJson(ar, 200, { reset: n });
}
