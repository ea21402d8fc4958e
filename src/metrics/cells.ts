import { Counter, type Registry } from 'prom-client';

/** One labelled series, as the hot path sees it: a number to add to. */
export interface Cell {
  value: number;
}

/**
 * A prom-client Counter fed from plain-number cells. prom-client hashes the label set on every
 * `inc()`, even through a child from `labels()`; here the proxy adds to a cell it bound up front
 * (no hashing, no allocation) and the counter copies the cells in when it is scraped.
 */
export class CellCounter<L extends string> {
  private readonly series = new Map<string, { readonly labels: Readonly<Record<L, string>>; readonly cell: Cell }>();
  private readonly labelNames: readonly L[];

  constructor(registry: Registry, name: string, help: string, labelNames: readonly L[]) {
    this.labelNames = labelNames;
    const series = this.series;
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        // Runs at scrape time only: rebuild the exported values from the cells.
        this.reset();
        for (const s of series.values()) this.inc(s.labels, s.cell.value);
      },
    });
  }

  /** The cell for these labels, created (at 0, so the series is exported) on first use. */
  cell(labels: Readonly<Record<L, string>>): Cell {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: { ...labels }, cell: { value: 0 } };
      this.series.set(key, entry);
    }
    return entry.cell;
  }

  /** Stop exporting every series whose cell is not in `keep` (e.g. rules a reload removed). */
  retain(keep: ReadonlySet<Cell>): void {
    for (const [key, entry] of this.series) if (!keep.has(entry.cell)) this.series.delete(key);
  }
}
