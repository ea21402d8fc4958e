import { Histogram, type Registry } from 'prom-client';

/** One labelled histogram series as the hot path sees it: bucket counts to bump. */
export class HistogramCell {
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  private readonly bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

/** One exported sample, in the shape prom-client's registry formats histograms from. */
interface ExportedSample {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram fed from plain bucket arrays, for the same reason as CellCounter:
 * prom-client's `observe()` hashes the label set on every call, even through a bound child. Here
 * an observation is a short bucket scan and three additions; the exposition is built at scrape.
 */
export class CellHistogram<L extends string> {
  private readonly series: { readonly labels: Readonly<Record<L, string>>; readonly cell: HistogramCell }[] = [];
  private readonly buckets: readonly number[];

  constructor(registry: Registry, name: string, help: string, labelNames: readonly L[], buckets: readonly number[]) {
    this.buckets = buckets;
    const series = this.series;
    // prom-client's registry asks a histogram for getForPromString() (and get() splays its result),
    // an internal method its types do not declare: answered from the cells.
    class Exported extends Histogram<L> {
      async getForPromString(): Promise<{
        name: string;
        help: string;
        type: 'histogram';
        values: ExportedSample[];
        aggregator: 'sum';
      }> {
        const values: ExportedSample[] = [];
        for (const { labels, cell } of series) {
          const shared: Record<string, string> = { ...labels };
          let cumulative = 0;
          buckets.forEach((le, i) => {
            cumulative += cell.counts[i] as number;
            values.push({ labels: { le }, sharedLabels: shared, value: cumulative, metricName: `${name}_bucket` });
          });
          values.push({ labels: { le: '+Inf' }, sharedLabels: shared, value: cell.count, metricName: `${name}_bucket` });
          values.push({ labels: {}, sharedLabels: shared, value: cell.sum, metricName: `${name}_sum` });
          values.push({ labels: {}, sharedLabels: shared, value: cell.count, metricName: `${name}_count` });
        }
        return { name, help, type: 'histogram', values, aggregator: 'sum' };
      }
    }
    new Exported({ name, help, labelNames: [...labelNames], buckets: [...buckets], registers: [registry] });
  }

  /** A new series for these labels, exported (at 0) from now on. */
  cell(labels: Readonly<Record<L, string>>): HistogramCell {
    const cell = new HistogramCell(this.buckets);
    this.series.push({ labels: { ...labels }, cell });
    return cell;
  }
}
