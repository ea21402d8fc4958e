import type { IncomingMessage } from 'node:http';
import type { QuotaSpec, Rule, RuleSet } from '../scenario/types.js';
import type { Exchange } from '../proxy/exchange.js';
import type { ProxyEvents } from '../proxy/events.js';
import { detachRequestBody, forward } from '../proxy/forward.js';
import type { InjectionGate, QuotaHandler } from '../proxy/handler.js';
import { markInjected } from '../proxy/inject.js';
import { problemFor, sendProblem } from '../http/problem.js';
import { answerStatus } from '../faults/answer.js';
import { applyFault } from '../faults/apply.js';
import type { FaultContext } from '../faults/fault.js';
import { QuotaCountingStream } from './counting-stream.js';
import { AMBIGUOUS_KEY, quotaKeyOf } from './key.js';
import type { QuotaStore, Reservation, Slot } from './store.js';
import { asError } from '../errors.js';

export interface QuotaEngineOptions {
  store: QuotaStore;
  faults: FaultContext;
  events: ProxyEvents;
  marker: boolean;
  now: () => number;
  /** Longest a request waits for a non-local store. */
  budgetMs: number;
  failure: 'fail-open' | 'fail-closed';
  /** Told when a quota is exceeded (metrics) and when the store fails (metrics, rate-limited log). */
  onExceeded: (rule: Rule) => void;
  onStoreError: (err: Error) => void;
  /** Decides whether an exceeded quota injects its fault; null: always. Vetoed: the request goes through uncounted. */
  gate?: InjectionGate | null;
}

class StoreTimeout extends Error {}

/**
 * Decides quota rules the way a storage server would:
 *
 *   match ─▶ key ─▶ reserve(Content-Length | 1 request) ──no──▶ the rule's fault (507 + quota details)
 *                        │yes
 *                        ▼
 *                    forward ── chunked body: reserve chunk by chunk; over the limit ─▶ abort upstream, fault
 *                        │
 *                 upstream answers ─▶ 2xx (or countOn: always): commit; otherwise release
 *
 * Reserving before forwarding keeps two concurrent requests from both taking the last bytes.
 */
export class QuotaEngine implements QuotaHandler {
  private readonly o: QuotaEngineOptions;

  constructor(options: QuotaEngineOptions) {
    this.o = options;
  }

  periodOf(quota: QuotaSpec): number {
    return periodOf(quota, this.o.now());
  }

  handle(ex: Exchange, rule: Rule, set: RuleSet): void {
    this.run(ex, rule, set).catch((err: unknown) => this.storeFailed(ex, asError(err)));
  }

  private async run(ex: Exchange, rule: Rule, set: RuleSet): Promise<void> {
    const quota = rule.quota as QuotaSpec;
    const req = ex.req;
    const key = quotaKeyOf(quota.key, req, ex.path, ex.query);
    if (key === AMBIGUOUS_KEY) return this.ambiguous(ex, quota);
    const slot: Slot = { rule: set.quotaName === undefined ? rule.name : set.quotaName(rule), key, period: this.periodOf(quota) };
    const objects = quota.track === 'objects';
    if (objects && req.method === 'DELETE') {
      // Only a DELETE the upstream carried out frees the object, whatever countOn says.
      this.onAnswer(ex, quota, (_counted, stored) =>
        stored ? this.guard(this.o.store.deleteObject(slot, ex.path)) : Promise.resolve(),
      );
      forward(this.o.faults.forward, ex);
      return;
    }
    const declared = declaredLength(req);
    const bytes = quota.measure === 'bytes';
    // With track: objects, a PUT replaces the object at its path: only growth needs room.
    const tracked = objects && req.method === 'PUT';
    const previous = tracked ? ((await this.guard(this.o.store.objectSize(slot, ex.path))) ?? 0) : 0;
    const requested = bytes ? (declared ?? 0) : 1;
    const amount = Math.max(0, requested - previous);
    const decision = await this.guard(this.o.store.reserve(slot, amount, quota.limit));
    if (ex.clientGone) {
      await this.o.store.settle(slot, decision.ok ? amount : 0, 0);
      return;
    }
    if (!decision.ok) {
      if (this.allows(rule, ex)) this.exceeded(ex, rule, set, slot, decision, requested, 0);
      else forward(this.o.faults.forward, ex);
      return;
    }
    if (bytes && declared === null && !req.readableEnded && req.headers['transfer-encoding'] !== undefined) {
      const counter = new QuotaCountingStream(
        (n) => this.guard(this.o.store.reserve(slot, n, quota.limit)),
        (n, refused) => {
          if (!this.allows(rule, ex)) return false;
          ex.upstreamAbandoned = true;
          detachRequestBody(ex);
          ex.upReq?.destroy();
          // Its own earlier chunks are pending too: report them as part of what it asked for.
          this.exceeded(ex, rule, set, slot, refused, counter.reserved + n, counter.reserved);
          return true;
        },
      );
      ex.requestTransform = counter;
      const settleCounted = (counted: boolean, stored: boolean): Promise<void> => {
        const size = counter.reserved;
        if (tracked && stored) return this.o.store.putObject(slot, size, ex.path, size);
        return this.o.store.settle(slot, size, counted ? size : 0);
      };
      this.onAnswer(ex, quota, settleCounted);
    } else {
      this.onAnswer(ex, quota, (counted, stored) => {
        const size = bytes ? ex.bytesIn : 1;
        if (tracked && stored) return this.o.store.putObject(slot, amount, ex.path, size);
        return this.o.store.settle(slot, amount, counted ? size : 0);
      });
    }
    forward(this.o.faults.forward, ex);
  }

  private allows(rule: Rule, ex: Exchange): boolean {
    const gate = this.o.gate;
    return gate === undefined || gate === null || gate.allows(rule, ex);
  }

  /** Commit (success) or release (failure) once the upstream answered, or the exchange ended without an answer. */
  private onAnswer(ex: Exchange, quota: QuotaSpec, settle: (counted: boolean, stored: boolean) => Promise<void>): void {
    let settled = false;
    const once = (counted: boolean, stored: boolean): void => {
      if (settled) return;
      settled = true;
      settle(counted, stored).catch((err: unknown) => this.o.onStoreError(asError(err)));
    };
    ex.onUpstreamResponse = (_ex, _upReq, upRes) => {
      const status = upRes.statusCode ?? 0;
      const stored = status >= 200 && status < 300;
      once(quota.countOn === 'always' || stored, stored);
      return false;
    };
    ex.onDone = () => once(quota.countOn === 'always' && !ex.upstreamAbandoned, false);
  }

  private exceeded(
    ex: Exchange,
    rule: Rule,
    set: RuleSet,
    slot: Slot,
    refused: Reservation,
    requested: number,
    ownReserved: number,
  ): void {
    const quota = rule.quota as QuotaSpec;
    if (ex.clientGone) return;
    markInjected(ex, rule, this.o.marker && set.marker ? rule.name : null, this.o.events);
    this.o.onExceeded(rule);
    const action = rule.fault.action;
    const unit = quota.measure === 'bytes' ? 'bytes' : 'requests';
    if (action !== null && action.kind === 'status' && action.body === null && rule.fault.delay === null) {
      const who = quota.key.kind === 'header' || quota.key.kind === 'query' ? quota.key.name : quota.keyText;
      const pending = Math.max(0, refused.pending - ownReserved);
      const held = pending > 0 ? ` (${pending} more pending)` : '';
      const detail = `quota exceeded for ${who}=${slot.key}: ${refused.used} of ${quota.limit} ${unit} used${held}, ${requested} more requested`;
      const figures = {
        rule: rule.name,
        key: slot.key,
        limit: quota.limit,
        stored: refused.used,
        pending,
        requested,
        unit,
      } as const;
      answerStatus(this.o.faults, ex, action, detail, figures);
      return;
    }
    applyFault(this.o.faults, ex, rule.fault, set.random);
  }

  /** Two different values where one key is expected: refuse rather than guess which tenant pays. */
  private ambiguous(ex: Exchange, quota: QuotaSpec): void {
    ex.outcome = 'rejected';
    const k = quota.key;
    const what =
      k.kind === 'query' ? `query parameter ${k.name}` : k.kind === 'header' ? `header ${k.name}` : 'authorization header';
    sendProblem(
      ex.req,
      ex.res,
      problemFor(
        'FAULTLINE_AMBIGUOUS_QUOTA_KEY',
        `the quota key (${what}) was sent more than once with different values`,
        ex.path,
        ex.id,
      ),
      { connection: ex.req.readableEnded ? undefined : 'close' },
    );
    ex.req.resume();
  }

  /** Bound a store call by the budget (for a non-local store). */
  private guard<T>(p: Promise<T>): Promise<T> {
    if (this.o.store.local) return p;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new StoreTimeout(`quota store did not answer within ${this.o.budgetMs} ms`)),
        this.o.budgetMs,
      );
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  private storeFailed(ex: Exchange, err: Error): void {
    this.o.onStoreError(err);
    if (ex.clientGone || ex.res.headersSent) return;
    if (ex.upReq !== null) return; // already forwarding: the request goes on without quota accounting
    if (this.o.failure === 'fail-open') {
      ex.onUpstreamResponse = null;
      ex.onDone = null;
      forward(this.o.faults.forward, ex);
      return;
    }
    ex.outcome = 'rejected';
    sendProblem(
      ex.req,
      ex.res,
      problemFor(
        'FAULTLINE_STORE_UNAVAILABLE',
        'The quota store is unavailable; faultline is configured to fail closed.',
        ex.path,
        ex.id,
      ),
      { connection: ex.req.readableEnded ? undefined : 'close' },
    );
    ex.req.resume();
  }
}

/** Index of the period `now` falls in (periods are aligned to the epoch); 0 without a period. */
export function periodOf(quota: QuotaSpec, now: number): number {
  return quota.periodMs === null ? 0 : Math.floor(now / quota.periodMs);
}

function declaredLength(req: IncomingMessage): number | null {
  const v = req.headers['content-length'];
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
