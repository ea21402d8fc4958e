/** Which fields of a runtime change revert when its time is up. */
export interface RevertFields {
  readonly enabled: boolean;
  readonly probability: boolean;
}

interface Pending {
  at: number;
  enabled: boolean;
  probability: boolean;
  timer: NodeJS.Timeout;
}

/**
 * Time limits on runtime changes (`PATCH /rules/:name` with `for`, `faultline enable NAME --for 5m`):
 * when the time is up, the changed fields go back to what the rule's file says. One unref'd timer
 * per rule, so a pending revert never keeps the process alive; a later change of the same field
 * without a time limit cancels that field's revert.
 */
export class RuleExpiry {
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;
  private readonly revert: (name: string, fields: RevertFields) => void;

  constructor(now: () => number, revert: (name: string, fields: RevertFields) => void) {
    this.now = now;
    this.revert = revert;
  }

  /** Revert `fields` of rule `name` in `ms` (fields already pending stay pending, under the new time). */
  schedule(name: string, fields: RevertFields, ms: number): void {
    const prev = this.pending.get(name);
    if (prev !== undefined) clearTimeout(prev.timer);
    const entry: Pending = {
      at: this.now() + ms,
      enabled: fields.enabled || (prev?.enabled ?? false),
      probability: fields.probability || (prev?.probability ?? false),
      timer: setTimeout(() => {
        this.pending.delete(name);
        this.revert(name, { enabled: entry.enabled, probability: entry.probability });
      }, ms),
    };
    entry.timer.unref();
    this.pending.set(name, entry);
  }

  /** A change without a time limit: these fields no longer revert. */
  cancel(name: string, fields: RevertFields): void {
    const p = this.pending.get(name);
    if (p === undefined) return;
    if (fields.enabled) p.enabled = false;
    if (fields.probability) p.probability = false;
    if (!p.enabled && !p.probability) {
      clearTimeout(p.timer);
      this.pending.delete(name);
    }
  }

  /** When rule `name`'s pending change reverts (ms since epoch), with the clock; null when none. */
  of(name: string): { at: number; now: number } | null {
    const p = this.pending.get(name);
    return p === undefined ? null : { at: p.at, now: this.now() };
  }

  clear(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}
