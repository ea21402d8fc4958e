import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { QuotaEntry, QuotaStore, Reservation, Slot } from './store.js';
import type { Transfer } from './objects.js';
import { CHANGE_OBJECTS, OBJECTS_UNDER, PUT_OBJECT, RESERVE, SETTLE, SET_USED } from './redis-scripts.js';

const PREFIX = 'faultline:';
/** A replica's reservations count while its heartbeat key lives. */
const HEARTBEAT_TTL_MS = 15_000;

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const SCRIPTS = {
  reserve: script(RESERVE),
  settle: script(SETTLE),
  putObject: script(PUT_OBJECT),
  objectsUnder: script(OBJECTS_UNDER),
  changeObjects: script(CHANGE_OBJECTS),
  setUsed: script(SET_USED),
};

/**
 * Quota state shared by several faultline replicas through Redis. Each operation is one Lua
 * script (atomic). The connection never queues commands while Redis is away — a request must not
 * hang on it — so callers get an error at once and the engine applies fail-open/fail-closed.
 */
export class RedisQuotaStore implements QuotaStore {
  readonly local = false;
  up(): boolean {
    return this.redis.status === 'ready';
  }
  readonly redis: Redis;
  private readonly replica = randomUUID();
  private readonly maxObjects: number;
  private readonly onEvict: (rule: string) => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    url: string,
    options: {
      maxObjects: number;
      commandTimeoutMs: number;
      onEvict?: (rule: string) => void;
      onConnectionChange?: (up: boolean) => void;
    },
  ) {
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: Math.max(options.commandTimeoutMs, 1),
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(100 * times, 1_000),
      lazyConnect: false,
    });
    this.maxObjects = options.maxObjects;
    this.onEvict = options.onEvict ?? (() => {});
    const onChange = options.onConnectionChange ?? (() => {});
    this.redis.on('ready', () => {
      onChange(true);
      void this.beat();
    });
    this.redis.on('close', () => onChange(false));
    // Errors surface through the commands; an 'error' listener keeps ioredis from printing them.
    this.redis.on('error', () => {});
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_TTL_MS / 3);
    this.heartbeat.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.redis.set(`${PREFIX}replica:${this.replica}`, '1', 'PX', HEARTBEAT_TTL_MS);
    } catch {
      // Redis is away; the next beat after it returns re-registers this replica.
    }
  }

  private async run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return this.redis.eval(s.source, keys.length, ...keys, ...args);
    }
  }

  private keys(slot: Slot): [string, string] {
    const id = `${slot.rule}:${encodeURIComponent(slot.key)}`;
    return [`${PREFIX}q:${id}`, `${PREFIX}o:${id}`];
  }

  async reserve(slot: Slot, amount: number, limit: number): Promise<Reservation> {
    await this.beatIfNew();
    const [ok, used, pending] = (await this.run(SCRIPTS.reserve, this.keys(slot), [
      slot.period,
      this.replica,
      amount,
      limit,
      `${PREFIX}replica:`,
    ])) as number[];
    return { ok: ok === 1, used: Number(used), pending: Number(pending) };
  }

  private beaten = false;
  private async beatIfNew(): Promise<void> {
    if (this.beaten) return;
    this.beaten = true;
    await this.beat();
  }

  async settle(slot: Slot, reserved: number, delta: number): Promise<void> {
    await this.run(SCRIPTS.settle, this.keys(slot), [slot.period, this.replica, reserved, delta]);
  }

  async objectSize(slot: Slot, object: string): Promise<number | null> {
    const [h, objects] = this.keys(slot);
    const [period, size] = await Promise.all([this.redis.hget(h, 'period'), this.redis.hget(objects, object)]);
    return period !== String(slot.period) || size === null ? null : Number(size);
  }

  async putObject(slot: Slot, reserved: number, object: string, size: number): Promise<void> {
    const [h, objects] = this.keys(slot);
    const evicted = (await this.run(
      SCRIPTS.putObject,
      [h, objects, `${PREFIX}lru`, `${PREFIX}lru-seq`],
      [slot.period, this.replica, reserved, object, size, this.maxObjects],
    )) as string[];
    this.evicted(evicted);
  }

  async deleteObjects(slot: Slot, path: string): Promise<void> {
    await this.changeObjects(slot, 0, 'delete', path, '', false);
  }

  async objectsUnder(slot: Slot, roots: readonly string[]): Promise<Map<string, number>> {
    const [h, objects] = this.keys(slot);
    const out = (await this.run(SCRIPTS.objectsUnder, [h, objects], [slot.period, ...roots])) as string[];
    const found = new Map<string, number>();
    for (let i = 0; i + 1 < out.length; i += 2) found.set(out[i] as string, Number(out[i + 1]));
    return found;
  }

  async transferObjects(slot: Slot, reserved: number, t: Transfer): Promise<void> {
    await this.changeObjects(slot, reserved, t.rename ? 'move' : 'copy', t.from, t.to, t.depth0);
  }

  private async changeObjects(
    slot: Slot,
    reserved: number,
    op: 'delete' | 'copy' | 'move',
    from: string,
    to: string,
    depth0: boolean,
  ): Promise<void> {
    const [h, objects] = this.keys(slot);
    const evicted = (await this.run(
      SCRIPTS.changeObjects,
      [h, objects, `${PREFIX}lru`, `${PREFIX}lru-seq`],
      [slot.period, this.replica, reserved, this.maxObjects, op, from, to, depth0 ? 1 : 0],
    )) as string[];
    this.evicted(evicted);
  }

  /** Tell about forgotten objects: their objects key `{p}o:{rule}:{key}` names the rule (keys are encoded, without ':'). */
  private evicted(objectsKeys: string[]): void {
    for (const k of objectsKeys) this.onEvict(k.slice(PREFIX.length + 2, k.lastIndexOf(':')));
  }

  async setUsed(slot: Slot, used: number): Promise<void> {
    await this.run(SCRIPTS.setUsed, this.keys(slot), [slot.period, Math.max(0, Math.floor(used))]);
  }

  async reset(rule?: string, key?: string): Promise<number> {
    const pattern = `${PREFIX}q:${rule ?? '*'}:${key === undefined ? '*' : encodeURIComponent(key)}`;
    const slots = await this.scan(pattern);
    if (slots.length === 0) return 0;
    const objectKeys = slots.map((k) => PREFIX + 'o:' + k.slice(PREFIX.length + 2));
    const doomed = new Set(objectKeys);
    const members = await this.redis.zrange(`${PREFIX}lru`, '0', '-1');
    const stale = members.filter((m) => doomed.has(objectsKeyOf(m)));
    const tx = this.redis.multi().del(...slots, ...objectKeys);
    if (stale.length > 0) tx.zrem(`${PREFIX}lru`, ...stale);
    await tx.exec();
    return slots.length;
  }

  private async scan(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  }

  async entries(periodOf: (rule: string) => number): Promise<QuotaEntry[]> {
    const slots = await this.scan(`${PREFIX}q:*`);
    const out: QuotaEntry[] = [];
    for (const h of slots) {
      const id = h.slice(PREFIX.length + 2);
      const colon = id.indexOf(':');
      const rule = id.slice(0, colon);
      const key = decodeURIComponent(id.slice(colon + 1));
      const [fields, objects] = await Promise.all([this.redis.hgetall(h), this.redis.hlen(PREFIX + 'o:' + id)]);
      const current = fields.period === String(periodOf(rule));
      let pending = 0;
      for (const [f, v] of Object.entries(fields)) if (f.startsWith('pending:')) pending += Number(v);
      out.push({ rule, key, used: current ? Number(fields.used ?? 0) : 0, pending, objects: current ? objects : 0 });
    }
    return out;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    try {
      await this.redis.del(`${PREFIX}replica:${this.replica}`);
    } catch {
      // already disconnected
    }
    this.redis.disconnect();
  }
}

/** The objects key of an LRU member (`objectsKey NUL object`, or the older JSON `[objectsKey, object, rule]`). */
function objectsKeyOf(member: string): string {
  return member.startsWith('[') ? ((JSON.parse(member) as string[])[0] as string) : member.slice(0, member.indexOf('\0'));
}
