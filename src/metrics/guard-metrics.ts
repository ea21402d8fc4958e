import type { Registry } from 'prom-client';
import type { GateSignals, VetoReason } from '../guard/gate.js';
import { CellCounter, type Cell } from './cells.js';

const REASONS: readonly VetoReason[] = ['guard', 'heartbeat', 'share', 'dry_run'];

/**
 * The gate's metrics: guard trips by guard, would-have-injected faults by rule (dry run), and
 * faults a rule fired for that the gate held back, by reason. Built before the registry exists
 * (the gate needs it first) and registered with the others by `register`.
 */
export class GuardMetrics implements GateSignals {
  private trips: CellCounter<'guard'> | null = null;
  private dry: CellCounter<'rule'> | null = null;
  private readonly byReason = new Map<VetoReason, Cell>();

  register(registry: Registry): void {
    this.trips = new CellCounter(registry, 'faultline_guard_trips_total', 'Guard trips, by guard.', ['guard']);
    this.dry = new CellCounter(registry, 'faultline_dry_run_total', 'Faults that would have been injected (dry run), by rule.', [
      'rule',
    ]);
    const vetoes = new CellCounter(
      registry,
      'faultline_injections_vetoed_total',
      'Faults a rule fired for but did not inject, by reason (guard, heartbeat, share, dry_run).',
      ['reason'],
    );
    for (const reason of REASONS) this.byReason.set(reason, vetoes.cell({ reason }));
  }

  tripped(guard: string): void {
    if (this.trips !== null) this.trips.cell({ guard }).value++;
  }

  dryRun(rule: string): void {
    if (this.dry !== null) this.dry.cell({ rule }).value++;
  }

  vetoed(reason: VetoReason): void {
    const cell = this.byReason.get(reason);
    if (cell !== undefined) cell.value++;
  }
}
