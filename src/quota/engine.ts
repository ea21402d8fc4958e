import type { IncomingMessage } from 'node:http';
import type { Why } from '../faults/plan.js';
import type { Overrun, QuotaDecision, QuotaStage } from '../proxy/context.js';
import type { Exchange } from '../proxy/exchange.js';
import type { QuotaSpec, Rule, RuleSet } from '../scenario/types.js';
import { QuotaMeterOf, type Settle } from './meter.js';
import { AMBIGUOUS_KEY, quotaKeyOf } from './key.js';
import { destinationPath, objectPath, transferChange, type Transfer } from './objects.js';
import type { QuotaStore, Reservation, Slot } from './store.js';

export interface QuotaEngineOptions {
  store: QuotaStore;
  now: () => number;
  /** Longest a request waits for a non-local store. */
  budgetMs: number;
  failure: 'fail-open' | 'fail-closed';
  /** Told when a quota is exceeded (metrics) and when the store fails (metrics, rate-limited log). */
  onExceeded: (rule: Rule) => void;
  onStoreError: (err: Error) => void;
}

class StoreTimeout extends Error {}

const UNACCOUNTED: QuotaDecision = { verdict: 'unaccounted' };
const UNAVAILABLE: QuotaDecision = { verdict: 'unavailable' };
const STORE_DOWN: Overrun = { kind: 'unavailable' };

/**
 * Decides quota rules the way a storage server would, and returns a decision; it never forwards
 * nor answers (the proxy core does, once):
 *
 *   key ─▶ reserve(Content-Length | 1 request) ──no──▶ refuse (the rule's fault, with the quota details)
 *                │yes
 *                ▼
 *          forward with a meter ── chunked body: reserve chunk by chunk; over the limit ─▶ overrun
 *                │
 *          upstream answers ─▶ 2xx (or countOn: always): commit; otherwise release
 *
 * Reserving before forwarding keeps two concurrent requests from both taking the last bytes.
 */
export class QuotaEngine implements QuotaStage {
  private readonly o: QuotaEngineOptions;

  constructor(options: QuotaEngineOptions) {
    this.o = options;
  }

  periodOf(quota: QuotaSpec): number {
    return periodOf(quota, this.o.now());
  }

  /**
   * `mayInject` is asked when the quota runs out mid-upload (guards, dry runs): no, and the rest of
   * the body goes through unreserved. (Before forwarding the proxy asks it on a `refuse`.)
   */
  async decide(ex: Exchange, rule: Rule, set: RuleSet, mayInject: () => boolean): Promise<QuotaDecision> {
    try {
      return await this.run(ex, rule, set, mayInject);
    } catch (err) {
      this.o.onStoreError(err instanceof Error ? err : new Error(String(err)));
      return this.o.failure === 'fail-open' ? UNACCOUNTED : UNAVAILABLE;
    }
  }

  private async run(ex: Exchange, rule: Rule, set: RuleSet, mayInject: () => boolean): Promise<QuotaDecision> {
    const quota = rule.quota as QuotaSpec;
    const store = this.o.store;
    const req = ex.req;
    const key = quotaKeyOf(quota.key, req, ex.path, ex.query);
    if (key === AMBIGUOUS_KEY) return { verdict: 'ambiguous', detail: ambiguity(quota) };
    // A session's quota rules keep their own usage (`name@session`).
    const slot: Slot = { rule: set.quotaName === undefined ? rule.name : set.quotaName(rule), key, period: this.periodOf(quota) };
    const objects = quota.track === 'objects';
    const onError = this.o.onStoreError;
    if (objects && ex.method === 'DELETE') {
      // Only a DELETE the upstream carried out frees the object (or the collection), whatever countOn says.
      const path = objectPath(ex.path);
      const settle: Settle = (_counted, stored) => (stored ? store.deleteObjects(slot, path) : Promise.resolve());
      return { verdict: 'forward', meter: new QuotaMeterOf(quota, null, settle, onError) };
    }
    if (objects && (ex.method === 'COPY' || ex.method === 'MOVE')) return this.transfer(ex, rule, slot);
    const declared = declaredLength(req);
    const bytes = quota.measure === 'bytes';
    // With track: objects, a PUT replaces the object at its path: only growth needs room.
    const tracked = objects && ex.method === 'PUT';
    const object = tracked ? objectPath(ex.path) : '';
    const previous = tracked ? ((await this.guard(store.objectSize(slot, object))) ?? 0) : 0;
    const requested = bytes ? (declared ?? 0) : 1;
    const amount = Math.max(0, requested - previous);
    const reservation = await this.guard(store.reserve(slot, amount, quota.limit));
    if (!reservation.ok) {
      this.o.onExceeded(rule);
      return { verdict: 'refuse', why: whyExceeded(rule, slot, reservation, requested, 0) };
    }
    if (
      bytes &&
      declared === null &&
      !req.readableEnded &&
      (req.headers['transfer-encoding'] !== undefined || req.httpVersionMajor === 2)
    ) {
      // A body of unknown length (chunked; on HTTP/2 any body without Content-Length, a gRPC
      // upload's): admitted chunk by chunk as it streams.
      let reserved = 0;
      let vetoed = false;
      const admit = async (n: number): Promise<Overrun | null> => {
        if (vetoed) return null;
        let r: Reservation;
        try {
          r = await this.guard(store.reserve(slot, n, quota.limit));
        } catch (err) {
          onError(err instanceof Error ? err : new Error(String(err)));
          return this.o.failure === 'fail-open' ? null : STORE_DOWN;
        }
        if (r.ok) {
          reserved += n;
          return null;
        }
        if (!mayInject()) {
          vetoed = true;
          return null;
        }
        this.o.onExceeded(rule);
        // Its own earlier chunks are pending too: report them as part of what it asked for.
        return { kind: 'exceeded', why: whyExceeded(rule, slot, r, reserved + n, reserved) };
      };
      const settle: Settle = (counted, stored) =>
        tracked && stored
          ? store.putObject(slot, reserved, object, reserved)
          : store.settle(slot, reserved, counted ? reserved : 0);
      return { verdict: 'forward', meter: new QuotaMeterOf(quota, admit, settle, onError) };
    }
    const settle: Settle = (counted, stored) => {
      const size = bytes ? ex.bytesIn : 1;
      if (tracked && stored) return store.putObject(slot, amount, object, size);
      return store.settle(slot, amount, counted ? size : 0);
    };
    return { verdict: 'forward', meter: new QuotaMeterOf(quota, null, settle, onError) };
  }

  /**
   * A WebDAV COPY or MOVE of tracked objects: the growth (a copy's tracked size less the
   * destination it replaces) is reserved before forwarding, and the table changes only if the
   * server did it (2xx). What the server will refuse (Overwrite: F onto an existing destination,
   * overlapping paths) reserves nothing and changes nothing. Without a Destination it is not counted.
   */
  private async transfer(ex: Exchange, rule: Rule, slot: Slot): Promise<QuotaDecision> {
    const quota = rule.quota as QuotaSpec;
    const store = this.o.store;
    const header = ex.req.headers;
    const to = destinationPath(single(header.destination));
    if (to === null) return UNACCOUNTED;
    const t: Transfer = {
      from: objectPath(ex.path),
      to,
      rename: ex.method === 'MOVE',
      depth0: ex.method === 'COPY' && single(header.depth)?.trim() === '0',
    };
    const overwrite = single(header.overwrite)?.trim().toUpperCase() !== 'F';
    const change = transferChange(await this.guard(store.objectsUnder(slot, [t.from, t.to])), t, overwrite);
    const amount = change.outcome === 'ok' ? Math.max(0, change.delta) : 0;
    if (amount > 0) {
      const reservation = await this.guard(store.reserve(slot, amount, quota.limit));
      if (!reservation.ok) {
        this.o.onExceeded(rule);
        return { verdict: 'refuse', why: whyExceeded(rule, slot, reservation, amount, 0) };
      }
    }
    const settle: Settle = (_counted, stored) =>
      stored ? store.transferObjects(slot, amount, t) : store.settle(slot, amount, 0);
    return { verdict: 'forward', meter: new QuotaMeterOf(quota, null, settle, this.o.onStoreError) };
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
}

/**
 * The answer's explanation: what ran out, for whom, by how much. What is stored and what other
 * requests hold pending are told apart; `ownReserved` is this request's own earlier reservation.
 */
function whyExceeded(rule: Rule, slot: Slot, refused: Reservation, requested: number, ownReserved: number): Why {
  const quota = rule.quota as QuotaSpec;
  const unit = quota.measure === 'bytes' ? 'bytes' : 'requests';
  const who = quota.key.kind === 'header' || quota.key.kind === 'query' ? quota.key.name : quota.keyText;
  const pending = Math.max(0, refused.pending - ownReserved);
  const held = pending > 0 ? ` (${pending} more pending)` : '';
  return {
    detail: `quota exceeded for ${who}=${slot.key}: ${refused.used} of ${quota.limit} ${unit} used${held}, ${requested} more requested`,
    quota: { rule: rule.name, key: slot.key, limit: quota.limit, stored: refused.used, pending, requested, unit },
  };
}

/** Why a request with its quota key sent twice, differently, is refused. */
function ambiguity(quota: QuotaSpec): string {
  const k = quota.key;
  const what =
    k.kind === 'query' ? `query parameter ${k.name}` : k.kind === 'header' ? `header ${k.name}` : 'authorization header';
  return `the quota key (${what}) was sent more than once with different values`;
}

/** Index of the period `now` falls in (periods are aligned to the epoch); 0 without a period. */
export function periodOf(quota: QuotaSpec, now: number): number {
  return quota.periodMs === null ? 0 : Math.floor(now / quota.periodMs);
}

/** A header sent once (a repeated WebDAV header is ignored, as if absent). */
function single(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function declaredLength(req: IncomingMessage): number | null {
  const v = req.headers['content-length'];
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
