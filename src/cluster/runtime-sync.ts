import type { Redis } from 'ioredis';
import { connectPubSub } from './pubsub.js';

/** A runtime change made through the admin API on one replica. */
export type RuntimeChange =
  | { readonly kind: 'rule'; readonly name: string; readonly enabled?: boolean; readonly probability?: number | null }
  | { readonly kind: 'rules-replaced'; readonly text: string };

export interface RuleOverride {
  enabled?: boolean;
  probability?: number | null;
}

/** Everything replicas share about runtime changes, with the version it reached. */
export interface RuntimeState {
  readonly version: number;
  /** By rule name; applied on top of whatever rule set is live (files or a replaced set). */
  readonly overrides: Readonly<Record<string, RuleOverride>>;
  /** The last rule set sent to `PUT /rules` on any replica, with the version that set it. */
  readonly rules: { readonly text: string; readonly version: number } | null;
}

const KEY = 'faultline:runtime';
const CHANNEL = 'faultline:runtime-changes';

/**
 * Runtime changes shared through Redis: the state lives in one hash with a version number, and a
 * pub/sub message announces each new version. A replica applies a version newer than the one it
 * has; on (re)connect it reads the hash, so a message missed while away is caught up.
 */
export class RuntimeSync {
  private readonly redis: Redis;
  private readonly sub: Redis;
  private applied = 0;
  private readonly apply: (state: RuntimeState) => void;
  private readonly onError: (err: Error) => void;

  constructor(url: string, options: { apply: (state: RuntimeState) => void; onError: (err: Error) => void }) {
    this.apply = options.apply;
    this.onError = options.onError;
    ({ redis: this.redis, sub: this.sub } = connectPubSub(url, CHANNEL, {
      onReady: () => void this.catchUp(),
      onMessage: (version) => {
        if (Number(version) > this.applied) void this.catchUp();
      },
      onError: (err) => this.onError(err),
    }));
  }

  /** Record a change and announce it. Resolves when Redis has it. */
  async publish(change: RuntimeChange): Promise<void> {
    const version = await this.redis.incr(`${KEY}:version`);
    if (change.kind === 'rules-replaced') {
      await this.redis.hset(KEY, 'rules', JSON.stringify({ text: change.text, version }), 'version', version);
    } else {
      const raw = await this.redis.hget(KEY, 'overrides');
      const overrides = raw === null ? {} : (JSON.parse(raw) as Record<string, RuleOverride>);
      const o = (overrides[change.name] ??= {});
      if (change.enabled !== undefined) o.enabled = change.enabled;
      if (change.probability !== undefined) o.probability = change.probability;
      await this.redis.hset(KEY, 'overrides', JSON.stringify(overrides), 'version', version);
    }
    await this.redis.publish(CHANNEL, String(version));
  }

  /** Read the shared state and apply it if it is newer than what this replica has. */
  async catchUp(): Promise<void> {
    try {
      const fields = await this.redis.hgetall(KEY);
      const version = Number(fields.version ?? 0);
      if (version <= this.applied) return;
      this.applied = version;
      this.apply({
        version,
        overrides: fields.overrides === undefined ? {} : (JSON.parse(fields.overrides) as Record<string, RuleOverride>),
        rules: fields.rules === undefined ? null : (JSON.parse(fields.rules) as { text: string; version: number }),
      });
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** The version this replica has applied. */
  get version(): number {
    return this.applied;
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    this.redis.disconnect();
  }
}
