import type { Redis } from 'ioredis';
import { connectPubSub } from '../cluster/pubsub.js';
import type { SessionRegistry } from './registry.js';
import type { SessionSpec } from './session.js';

const KEY = 'faultline:sessions';
const CHANNEL = 'faultline:session-changes';
/** How long creating a session waits for a connection being made before it gives up (503). */
const CONNECT_WAIT_MS = 2_000;

/**
 * Sessions shared by every replica through Redis (`--store redis://`): each live session's spec
 * (its body as sent, seed, isolate, expiry) is one field of a hash, and a pub/sub message says
 * `+id` (created) or `-id` (ended). A replica compiles a shared session itself, with the same
 * seed, so its random decisions are the same sequence; counters are per replica, quota usage is
 * shared (the quota store is). On (re)connect a replica reads the hash: sessions created while it
 * was away are adopted, sessions ended while it was away end here too.
 */
export class SessionSync {
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly registry: SessionRegistry;
  private readonly onError: (err: Error) => void;
  /** Ids this replica knows to be in the hash: only those end when a catch-up no longer finds them. */
  private readonly shared = new Set<string>();

  constructor(url: string, options: { registry: SessionRegistry; onError: (err: Error) => void }) {
    this.registry = options.registry;
    this.onError = options.onError;
    // A connection that comes back may have missed messages: read the hash again.
    ({ redis: this.redis, sub: this.sub } = connectPubSub(url, CHANNEL, {
      onReady: () => void this.catchUp(),
      onMessage: (message) => void this.onMessage(message),
      onError: (err) => this.onError(err),
    }));
  }

  /** Share a session created here. Resolves when Redis has it (so another replica can find it). */
  async created(spec: SessionSpec): Promise<void> {
    await this.connected();
    await this.redis.hset(KEY, spec.id, JSON.stringify(spec));
    this.shared.add(spec.id);
    await this.redis.publish(CHANNEL, `+${spec.id}`);
  }

  /** A session ended here (deleted or expired): end it everywhere. */
  async ended(id: string): Promise<void> {
    this.shared.delete(id);
    await this.redis.hdel(KEY, id);
    await this.redis.publish(CHANNEL, `-${id}`);
  }

  /** Wait (at most CONNECT_WAIT_MS) for a connection still being made, e.g. just after start-up. */
  private connected(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      this.redis.once('ready', done);
    });
  }

  private async onMessage(message: string): Promise<void> {
    const id = message.slice(1);
    if (message.startsWith('-')) {
      this.shared.delete(id);
      this.registry.end(id, 'replica');
      return;
    }
    try {
      const raw = await this.redis.hget(KEY, id);
      if (raw !== null) await this.adopt(JSON.parse(raw) as SessionSpec);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** Read every shared session: adopt the live ones, forget the expired, end those no longer shared. */
  async catchUp(): Promise<void> {
    try {
      const all = await this.redis.hgetall(KEY);
      const now = Date.now();
      for (const [id, raw] of Object.entries(all)) {
        const spec = JSON.parse(raw) as SessionSpec;
        if (spec.expiresAt <= now) await this.redis.hdel(KEY, id);
        else await this.adopt(spec);
      }
      // Ended elsewhere while this replica was away. A session created here whose write is still
      // on its way is not in `shared` yet, so it is left alone.
      for (const id of [...this.shared])
        if (all[id] === undefined) {
          this.shared.delete(id);
          this.registry.end(id, 'replica');
        }
    } catch (err) {
      this.onError(err as Error);
    }
  }

  private async adopt(spec: SessionSpec): Promise<void> {
    if ((await this.registry.adopt(spec)) !== null) this.shared.add(spec.id);
  }

  close(): void {
    this.sub.disconnect();
    this.redis.disconnect();
  }
}
