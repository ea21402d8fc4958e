import type { Transfer } from './objects.js';

/**
 * Where quota usage lives. The engine (engine.ts) holds the logic; a store only keeps numbers and
 * makes each operation atomic, so the in-memory store here and a shared Redis store can serve the
 * same engine. Every operation addresses one slot: a rule, a key (e.g. a tenant) and a period.
 */
export interface Slot {
  readonly rule: string;
  readonly key: string;
  /** Index of the current period (now / period), 0 for a quota without a period. */
  readonly period: number;
}

export interface Reservation {
  readonly ok: boolean;
  /** Usage committed, and reserved by requests in flight, at the time of the decision. */
  readonly used: number;
  readonly pending: number;
}

export interface QuotaEntry {
  readonly rule: string;
  readonly key: string;
  readonly used: number;
  readonly pending: number;
  readonly objects: number;
}

export interface QuotaStore {
  /** True for an in-process store: calls never fail or wait, so no time budget is needed. */
  readonly local: boolean;
  /** Reachable right now (always true for the in-memory store). */
  up(): boolean;
  /** Atomically: when used + pending + amount <= limit, add amount to pending and say ok. */
  reserve(slot: Slot, amount: number, limit: number): Promise<Reservation>;
  /** Atomically: take `reserved` out of pending and add `delta` (may be 0 or negative) to used. */
  settle(slot: Slot, reserved: number, delta: number): Promise<void>;
  /** The size recorded for an object (track: objects), or null. */
  objectSize(slot: Slot, object: string): Promise<number | null>;
  /** Atomically: settle `reserved`, record the object's new size, and move used by the difference. */
  putObject(slot: Slot, reserved: number, object: string, size: number): Promise<void>;
  /** Atomically: forget the object and every object under it (a collection), and free their sizes. */
  deleteObjects(slot: Slot, path: string): Promise<void>;
  /** The tracked objects at or under any of `roots`, with their sizes (to plan a COPY or MOVE). */
  objectsUnder(slot: Slot, roots: readonly string[]): Promise<Map<string, number>>;
  /**
   * Atomically: settle `reserved` and carry out a COPY or MOVE the server did (an existing
   * destination is replaced, its size freed; copies add the tracked source's size).
   */
  transferObjects(slot: Slot, reserved: number, transfer: Transfer): Promise<void>;
  /** Set a key's usage (admin: start a test near the limit). */
  setUsed(slot: Slot, used: number): Promise<void>;
  /** Forget usage: everything, one rule's, or one key's. */
  reset(rule?: string, key?: string): Promise<number>;
  /** Usage of every key in its current period. */
  entries(periodOf: (rule: string) => number): Promise<QuotaEntry[]>;
  close(): Promise<void>;
}
