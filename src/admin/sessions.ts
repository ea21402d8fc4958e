import type { Logger } from '../log/logger.js';
import { formatProblem, type Problem } from '../errors.js';
import type { QuotaSpec, RuleSet } from '../scenario/types.js';
import type { QuotaStore } from '../quota/store.js';
import type { SessionRegistry } from '../session/registry.js';
import type { Session } from '../session/session.js';
import { parseRatio, verifyRules } from './verify.js';
import { SESSION_HEADER } from '../http/session-header.js';
import type { QuotaRow, SessionCreated, SessionListing, SessionView, VerifyExpectation } from '../client/wire.js';
import { readBody } from './body.js';
import { ruleView } from './rule-view.js';
import { route, sendAdminProblem, sendJson, type AdminRequest, type AdminRoute } from './router.js';

/** What the session routes need from the running faultline. */
export interface SessionsAdmin {
  readonly sessions: SessionRegistry;
  /** The live global rule set (for `GET /verify`). */
  current(): RuleSet;
  now(): number;
  /** Where the session's quota usage is read (GET /sessions/:id shows it per key). */
  readonly quota?: { store(): QuotaStore; periodOf(quota: QuotaSpec): number };
  /** Told after a session was created here (the Redis sync shares it with the other replicas). */
  created?(session: Session): Promise<void>;
  readonly log: Logger;
}

/**
 * `POST /sessions`, `GET /sessions`, `GET|DELETE /sessions/:id`, `GET /sessions/:id/verify`,
 * `GET /verify` (the global rules).
 */
export function sessionRoutes(api: SessionsAdmin): AdminRoute[] {
  const find = (ar: AdminRequest): Session | null => {
    const id = ar.segments[1] as string;
    const session = api.sessions.get(id);
    if (session !== undefined) return session;
    sendAdminProblem(ar, 'FAULTLINE_ADMIN_NOT_FOUND', `no session "${id}" here: it ended, expired, or was never created`);
    return null;
  };
  return [
    route('POST', '/sessions', true, (ar) => create(api, ar)),
    route('GET', '/sessions', true, (ar) => {
      const listing: SessionListing = {
        sessions: api.sessions.list().map((s) => sessionView(s, api.now())),
        max: api.sessions.max,
        unknownRequests: api.sessions.unknownRequests,
      };
      sendJson(ar, 200, listing);
    }),
    route('GET', '/sessions/:id', true, async (ar) => {
      const session = find(ar);
      if (session !== null) sendJson(ar, 200, sessionView(session, api.now(), await usageOf(api, session)));
    }),
    route('DELETE', '/sessions/:id', true, (ar) => {
      ar.req.resume();
      const session = find(ar);
      if (session === null) return;
      const view = sessionView(session, api.now());
      api.sessions.end(session.id, 'deleted');
      api.log.info({ reqId: ar.id, session: session.id }, 'admin: session ended');
      sendJson(ar, 200, view);
    }),
    route('GET', '/sessions/:id/verify', true, (ar) => {
      const session = find(ar);
      if (session !== null) verify(ar, session.set);
    }),
    route('GET', '/verify', true, (ar) => verify(ar, api.current())),
  ];
}

async function create(api: SessionsAdmin, ar: AdminRequest): Promise<void> {
  const text = await readBody(ar);
  if (text === null) return;
  const result = await api.sessions.create(text);
  if ('problems' in result) return sendProblems(ar, result.problems);
  if ('full' in result)
    return sendAdminProblem(
      ar,
      'FAULTLINE_SESSION_LIMIT',
      `${result.full} sessions are live, the most this faultline keeps (--max-sessions): end one (DELETE /sessions/:id) or wait for one to expire`,
    );
  const { session } = result;
  try {
    await api.created?.(session);
  } catch (err) {
    api.sessions.end(session.id, 'replica');
    api.log.warn({ reqId: ar.id, error: (err as Error).message }, 'session not created: the shared store is unavailable');
    return sendAdminProblem(
      ar,
      'FAULTLINE_STORE_UNAVAILABLE',
      'the session could not be shared with the other replicas: the store is unavailable',
    );
  }
  api.log.info(
    { reqId: ar.id, session: session.id, rules: session.set.rules.length, seed: session.spec.seed, ttlMs: ttlOf(session) },
    'admin: session created',
  );
  const body: SessionCreated = created(session);
  sendJson(ar, 201, body);
}

function sendProblems(ar: AdminRequest, problems: readonly Problem[]): void {
  const detail = ['the session is invalid:', ...problems.map(formatProblem)].join('\n');
  sendAdminProblem(ar, 'FAULTLINE_SCENARIO_INVALID', detail, { problems });
}

function ttlOf(session: Session): number {
  return session.spec.expiresAt - session.spec.createdAt;
}

function created(session: Session): SessionCreated {
  const s = session.spec;
  return {
    id: s.id,
    header: { [SESSION_HEADER]: s.id },
    seed: s.seed,
    isolate: s.isolate,
    ttlMs: ttlOf(session),
    expiresAt: new Date(s.expiresAt).toISOString(),
  };
}

/**
 * A session with each of its rules' counters (only its own rules, also when it is not isolated),
 * and for its quota rules the usage per key when `usage` has it.
 */
function sessionView(session: Session, now: number, usage: ReadonlyMap<string, QuotaRow[]> = new Map()): SessionView {
  return {
    ...created(session),
    createdAt: new Date(session.spec.createdAt).toISOString(),
    remainingMs: Math.max(0, session.spec.expiresAt - now),
    rules: session.set.rules.map((r) => {
      const rows = usage.get(r.name);
      return rows === undefined ? ruleView(r) : { ...ruleView(r), usage: rows };
    }),
  };
}

/** The session's own quota usage, by its rule names (the store keeps it under `name@id`). */
async function usageOf(api: SessionsAdmin, session: Session): Promise<Map<string, QuotaRow[]>> {
  const out = new Map<string, QuotaRow[]>();
  const set = session.set;
  const quota = api.quota;
  if (quota === undefined || set.quotaName === undefined) return out;
  const byStored = new Map<string, { name: string; spec: QuotaSpec }>();
  for (const r of set.rules)
    if (r.quota !== null) {
      byStored.set(set.quotaName(r), { name: r.name, spec: r.quota });
      out.set(r.name, []);
    }
  if (byStored.size === 0) return out;
  try {
    const entries = await quota.store().entries((stored) => {
      const q = byStored.get(stored);
      return q === undefined ? -1 : quota.periodOf(q.spec);
    });
    for (const e of entries) {
      const q = byStored.get(e.rule);
      if (q === undefined) continue;
      out.get(q.name)?.push({
        rule: q.name,
        key: e.key,
        used: e.used,
        pending: e.pending,
        limit: q.spec.limit,
        unit: q.spec.measure,
        objects: e.objects,
      });
    }
  } catch {
    // The store is away: the counters still answer; usage is left out.
    return new Map();
  }
  return out;
}

/** `?rule=NAME` (repeatable) `&min=N` `&ratio=10%±2%`: every named rule is checked the same way. */
function verify(ar: AdminRequest, set: RuleSet): void {
  const names = ar.query.getAll('rule').filter((n) => n !== '');
  if (names.length === 0)
    return sendAdminProblem(
      ar,
      'FAULTLINE_ADMIN_BAD_REQUEST',
      'give at least one rule: ?rule=NAME (repeat for more), optionally &min=N, &ratio=10%±2%',
    );
  const minText = ar.query.get('min');
  const ratioText = ar.query.get('ratio');
  let min: number | undefined;
  let ratio: VerifyExpectation['ratio'];
  if (minText !== null) {
    min = Number(minText);
    if (minText.trim() === '' || !Number.isSafeInteger(min) || min < 0)
      return sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', `min: expected a whole number >= 0, got "${minText}"`);
  }
  if (ratioText !== null) {
    try {
      ratio = parseRatio(ratioText);
    } catch (err) {
      return sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', (err as Error).message);
    }
  }
  const expectations: VerifyExpectation[] = names.map((rule) => ({
    rule,
    ...(min === undefined ? {} : { min }),
    ...(ratio === undefined ? {} : { ratio }),
  }));
  sendJson(ar, 200, verifyRules(set, expectations));
}
