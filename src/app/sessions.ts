import type { Logger } from '../log/logger.js';
import type { QuotaStore } from '../quota/store.js';
import type { SessionSync } from '../session/redis-sync.js';
import { SessionRegistry } from '../session/registry.js';

/** Test sessions as a running faultline holds them: the registry, and its Redis sync when shared. */
export interface SessionParts {
  readonly registry: SessionRegistry;
  /** Shares sessions with the other replicas (`--store redis://`); null with the memory store. */
  readonly sync: SessionSync | null;
  close(): void;
}

/**
 * The session registry, wired to the quota store (a session's quota usage is its own, `name@id`,
 * and is forgotten with it), to the log (an unknown session named by requests: at most one warning
 * every 10 s) and, with a Redis store, to the other replicas.
 */
export async function createSessions(deps: {
  store: string;
  max: number;
  now: () => number;
  /** The seeded random source factory (tests inject one). */
  random?: (seed: number) => () => number;
  quotaStore: QuotaStore;
  log: Logger;
}): Promise<SessionParts> {
  const { log, quotaStore } = deps;
  let sync: SessionSync | null = null;
  let unknownWarnedAt = 0;
  const registry: SessionRegistry = new SessionRegistry({
    max: deps.max,
    now: deps.now,
    ...(deps.random === undefined ? {} : { random: deps.random }),
    onEnd: (session, reason) => {
      for (const rule of session.set.rules)
        if (rule.quota !== null && session.set.quotaName !== undefined)
          quotaStore.reset(session.set.quotaName(rule)).catch(() => {});
      if (reason !== 'replica') sync?.ended(session.id).catch(() => {});
      log.info({ session: session.id, reason }, 'session ended');
    },
    onUnknown: () => {
      const t = Date.now();
      if (t - unknownWarnedAt < 10_000) return;
      unknownWarnedAt = t;
      log.warn(
        { unknownRequests: registry.unknownRequests },
        'a request named a session this faultline does not have (ended, expired or never created); it passed through untouched',
      );
    },
  });
  if (deps.store !== 'memory')
    sync = new (await import('../session/redis-sync.js')).SessionSync(deps.store, {
      registry,
      onError: (err) => log.warn({ error: err.message }, 'session sync: shared store unavailable'),
    });
  return {
    registry,
    sync,
    close() {
      registry.clear();
      sync?.close();
    },
  };
}
