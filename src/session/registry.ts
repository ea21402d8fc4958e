import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Problem } from '../errors.js';
import type { RuleSet } from '../scenario/types.js';
import { SESSION_HEADER } from '../http/session-header.js';
import type { SessionRequest } from './parse.js';
import { Session, sessionSeed, type SessionSpec } from './session.js';
import { compileGuardPlan } from '../scenario/guard-plan.js';

/** Why a session ended. */
export type EndReason = 'deleted' | 'expired' | 'replica';

export interface SessionRegistryOptions {
  /** Most sessions alive at once (the `maxSessions` setting). */
  readonly max: number;
  readonly now: () => number;
  readonly random?: (seed: number) => () => number;
  /** Told when a session ends (quota usage cleanup, the Redis sync, a log line). */
  readonly onEnd?: (session: Session, reason: EndReason) => void;
  /** Told when a request names a session that is not here (a rate-limited warning). */
  readonly onUnknown?: () => void;
}

export type CreateResult = { readonly session: Session } | { readonly problems: readonly Problem[] } | { readonly full: number };

/**
 * The session parser (YAML parser and schema library, ~20 MiB) is loaded on the first session,
 * like the scenario loader: a proxy that never gets a session never pays for it.
 */
async function loadParser(): Promise<typeof import('./parse.js').parseSessionRequest> {
  return (await import('./parse.js')).parseSessionRequest;
}

/** A rule set that never fires: requests naming a session faultline does not have pass through untouched. */
const NOTHING: RuleSet = Object.freeze({
  rules: Object.freeze([]),
  byName: new Map(),
  seed: null,
  headerFaults: false,
  marker: false,
  files: Object.freeze([]),
  loadedAt: 0,
  random: () => 0,
  select: () => null,
  guards: compileGuardPlan([]),
  warnings: [],
});

/**
 * The live sessions of this faultline, by id. Each ends when deleted or when its TTL runs out;
 * the TTL timers are unref'd, so they never keep the process alive.
 */
export class SessionRegistry {
  private readonly o: SessionRegistryOptions;
  private readonly sessions = new Map<string, Session>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Requests that named a session this faultline does not have (ended, expired, never created). */
  unknownRequests = 0;

  constructor(options: SessionRegistryOptions) {
    this.o = options;
  }

  get size(): number {
    return this.sessions.size;
  }

  get max(): number {
    return this.o.max;
  }

  /** Validate and start a session from a `POST /sessions` body. */
  async create(text: string): Promise<CreateResult> {
    const request = (await loadParser())(text);
    if ('problems' in request) return request;
    if (this.sessions.size >= this.o.max) return { full: this.o.max };
    const now = this.o.now();
    const spec: SessionSpec = {
      id: randomBytes(12).toString('base64url'),
      text,
      seed: sessionSeed(request),
      isolate: request.isolate,
      createdAt: now,
      expiresAt: now + request.ttlMs,
    };
    return { session: this.start(spec, request) };
  }

  /**
   * Start a session another replica created (same id, seed and expiry). Returns null when the
   * spec does not compile here or has already expired.
   */
  async adopt(spec: SessionSpec): Promise<Session | null> {
    const existing = this.sessions.get(spec.id);
    if (existing !== undefined) return existing;
    if (spec.expiresAt <= this.o.now()) return null;
    const request = (await loadParser())(spec.text);
    // A session may have been adopted (or ended) while the parser loaded.
    if ('problems' in request || spec.expiresAt <= this.o.now()) return null;
    return this.sessions.get(spec.id) ?? this.start(spec, request);
  }

  private start(spec: SessionSpec, request: SessionRequest): Session {
    const session = new Session(spec, request, this.o);
    this.sessions.set(spec.id, session);
    const timer = setTimeout(() => this.end(spec.id, 'expired'), Math.max(0, spec.expiresAt - this.o.now()));
    timer.unref();
    this.timers.set(spec.id, timer);
    return session;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  list(): Session[] {
    return [...this.sessions.values()];
  }

  /** End a session now; false when there is none by that id. */
  end(id: string, reason: EndReason): boolean {
    const session = this.sessions.get(id);
    if (session === undefined) return false;
    this.sessions.delete(id);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.o.onEnd?.(session, reason);
    return true;
  }

  /** End every session (shutdown) without telling other replicas. */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.sessions.clear();
  }

  /**
   * The rule set for a request: the global set when it names no session, its session's rules
   * when it does, and no rules at all when it names a session that is not here (it passes through
   * untouched, counted in `unknownRequests`; the session's verify then fails loudly).
   */
  ruleSetFor(req: IncomingMessage, global: RuleSet): RuleSet {
    const value = req.headers[SESSION_HEADER];
    if (value === undefined) return global;
    // The session header is faultline's business: the proxy never forwards it (src/proxy/headers.ts).
    const session = typeof value === 'string' ? this.sessions.get(value.trim()) : undefined;
    if (session !== undefined) return session.ruleSetFor(global);
    this.unknownRequests++;
    this.o.onUnknown?.();
    return NOTHING;
  }
}
