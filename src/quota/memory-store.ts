import { deleteChange, isUnder, transferChange, type ObjectChange, type Transfer } from './objects.js';
import type { QuotaEntry, QuotaStore, Reservation, Slot } from './store.js';

interface Entry {
  rule: string;
  key: string;
  period: number;
  used: number;
  pending: number;
  objects: Map<string, number> | null;
}

/**
 * Quota state in this process (the default). Single-threaded JavaScript makes each method atomic.
 * Tracked objects are bounded across all keys: past `maxObjects`, the least recently written is
 * forgotten (its bytes stay counted until a reset or the period ends) and `onEvict` is told.
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly local = true;
  up(): boolean {
    return true;
  }
  private readonly slots = new Map<string, Entry>();
  /** Every tracked object, oldest write first: `slotId \0 object` → entry. */
  private readonly lru = new Map<string, Entry>();
  private readonly maxObjects: number;
  private readonly onEvict: (rule: string) => void;

  constructor(options: { maxObjects: number; onEvict?: (rule: string) => void }) {
    this.maxObjects = options.maxObjects;
    this.onEvict = options.onEvict ?? (() => {});
  }

  private entry(slot: Slot): Entry {
    const id = slot.rule + '\0' + slot.key;
    let e = this.slots.get(id);
    if (e === undefined) {
      e = { rule: slot.rule, key: slot.key, period: slot.period, used: 0, pending: 0, objects: null };
      this.slots.set(id, e);
    } else if (e.period !== slot.period) {
      // A new period: usage starts again (reservations of requests in flight are kept).
      e.period = slot.period;
      e.used = 0;
      if (e.objects !== null) for (const object of e.objects.keys()) this.lru.delete(id + '\0' + object);
      e.objects = null;
    }
    return e;
  }

  async reserve(slot: Slot, amount: number, limit: number): Promise<Reservation> {
    const e = this.entry(slot);
    const ok = e.used + e.pending + amount <= limit;
    if (ok) e.pending += amount;
    return { ok, used: e.used, pending: e.pending - (ok ? amount : 0) };
  }

  async settle(slot: Slot, reserved: number, delta: number): Promise<void> {
    const e = this.entry(slot);
    e.pending = Math.max(0, e.pending - reserved);
    e.used = Math.max(0, e.used + delta);
  }

  async objectSize(slot: Slot, object: string): Promise<number | null> {
    return this.entry(slot).objects?.get(object) ?? null;
  }

  async putObject(slot: Slot, reserved: number, object: string, size: number): Promise<void> {
    this.apply(slot, reserved, { outcome: 'ok', delta: 0, deletes: [], puts: [[object, size]] });
  }

  async deleteObjects(slot: Slot, path: string): Promise<void> {
    const e = this.entry(slot);
    if (e.objects !== null) this.apply(slot, 0, deleteChange(e.objects, path));
  }

  async objectsUnder(slot: Slot, roots: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const objects = this.entry(slot).objects;
    if (objects !== null) for (const [p, size] of objects) if (roots.some((r) => isUnder(p, r))) found.set(p, size);
    return found;
  }

  async transferObjects(slot: Slot, reserved: number, transfer: Transfer): Promise<void> {
    // The server did it: an existing destination was replaced, whatever Overwrite said.
    this.apply(slot, reserved, transferChange(this.entry(slot).objects ?? new Map(), transfer, true));
  }

  /** Settle `reserved` and carry out a change: its deletes, then its puts (each newest in the LRU). */
  private apply(slot: Slot, reserved: number, change: ObjectChange): void {
    const e = this.entry(slot);
    e.pending = Math.max(0, e.pending - reserved);
    if (change.outcome !== 'ok') return;
    const id = slot.rule + '\0' + slot.key + '\0';
    const objects = (e.objects ??= new Map<string, number>());
    let used = e.used;
    for (const p of change.deletes) {
      const size = objects.get(p);
      if (size === undefined) continue;
      used -= size;
      objects.delete(p);
      this.lru.delete(id + p);
    }
    for (const [p, size] of change.puts) {
      used += size - (objects.get(p) ?? 0);
      objects.set(p, size);
      this.lru.delete(id + p);
      this.lru.set(id + p, e);
    }
    e.used = Math.max(0, used);
    while (this.lru.size > this.maxObjects) this.evictOldest();
  }

  private evictOldest(): void {
    const oldest = this.lru.keys().next();
    if (oldest.done === true) return;
    const id = oldest.value;
    const e = this.lru.get(id) as Entry;
    this.lru.delete(id);
    e.objects?.delete(id.slice(e.rule.length + e.key.length + 2));
    this.onEvict(e.rule);
  }

  async setUsed(slot: Slot, used: number): Promise<void> {
    this.entry(slot).used = Math.max(0, used);
  }

  async reset(rule?: string, key?: string): Promise<number> {
    let n = 0;
    for (const [id, e] of this.slots) {
      if ((rule !== undefined && e.rule !== rule) || (key !== undefined && e.key !== key)) continue;
      if (e.objects !== null) for (const object of e.objects.keys()) this.lru.delete(id + '\0' + object);
      this.slots.delete(id);
      n++;
    }
    return n;
  }

  async entries(periodOf: (rule: string) => number): Promise<QuotaEntry[]> {
    const out: QuotaEntry[] = [];
    for (const e of this.slots.values()) {
      const current = e.period === periodOf(e.rule);
      out.push({
        rule: e.rule,
        key: e.key,
        used: current ? e.used : 0,
        pending: e.pending,
        objects: current ? (e.objects?.size ?? 0) : 0,
      });
    }
    return out;
  }

  async close(): Promise<void> {}
}
