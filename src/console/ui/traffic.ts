import uPlot from 'uplot';
import { getText } from './api.js';
import { h, setText } from './dom.js';
import { formatClock, formatMs, formatRate } from './format.js';
import { parseMetrics, quantileMs, rate, type Sample } from './prometheus.js';

/** The charts show up to the last five minutes (at least one); the quantiles, the last ten seconds. */
const WINDOW_S = 300;
const MIN_WINDOW_S = 60;
const LATENCY_WINDOW_MS = 10_000;
const HEIGHT = 190;

const RATE_SERIES = [
  { outcome: 'proxied', label: 'proxied', color: '--c-proxied' },
  { outcome: 'injected', label: 'injected', color: '--c-injected' },
  { outcome: 'upstream_error', label: 'upstream error', color: '--c-error' },
] as const;

type Column = (number | null)[];

/**
 * Requests per second by outcome and the latency of proxied requests, from the proxy's own
 * counters in GET /metrics (read every refresh, differenced here). Two uPlot charts.
 */
export class TrafficPanel {
  private samples: Sample[] = [];
  private readonly t: number[] = [];
  private readonly rates: Column[] = RATE_SERIES.map(() => []);
  private readonly p50: Column = [];
  private readonly p99: Column = [];
  private rateChart: uPlot | null = null;
  private latencyChart: uPlot | null = null;
  private readonly rateBox: HTMLElement;
  private readonly latencyBox: HTMLElement;
  private readonly rateNow: HTMLElement;
  private readonly latencyNow: HTMLElement;

  constructor(root: HTMLElement) {
    this.rateBox = h('div', {
      class: 'chart',
      role: 'img',
      'aria-label': 'Requests per second over the last five minutes, by outcome',
    });
    this.latencyBox = h('div', {
      class: 'chart',
      role: 'img',
      'aria-label': 'Latency faultline adds to proxied requests, p50 and p99, over the last five minutes',
    });
    this.rateNow = h('p', { class: 'now', id: 'traffic-now' }, 'Waiting for the first two readings…');
    this.latencyNow = h('p', { class: 'now', id: 'latency-now' }, ' ');
    root.replaceChildren(
      h(
        'div',
        { class: 'charts' },
        h('figure', {}, h('figcaption', {}, 'Requests per second'), this.rateBox, this.rateNow),
        h('figure', {}, h('figcaption', {}, 'Latency faultline adds (proxied requests)'), this.latencyBox, this.latencyNow),
      ),
    );
    new ResizeObserver(() => this.resize()).observe(root);
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.rebuild());
  }

  async refresh(): Promise<void> {
    const sample = parseMetrics(await getText('/metrics'), Date.now());
    const prev = this.samples[this.samples.length - 1];
    this.samples.push(sample);
    while (this.samples.length > 2 && (this.samples[1] as Sample).at <= sample.at - LATENCY_WINDOW_MS) this.samples.shift();
    if (this.rateChart === null) this.rebuild();
    if (prev === undefined) return;
    const base = this.samples[0] as Sample;
    const now = RATE_SERIES.map((s) => rate(prev, sample, s.outcome));
    const p50 = quantileMs(base, sample, 0.5);
    const p99 = quantileMs(base, sample, 0.99);
    this.t.push(sample.at / 1000);
    now.forEach((r, i) => (this.rates[i] as Column).push(r));
    this.p50.push(p50);
    this.p99.push(p99);
    while ((this.t[0] ?? Infinity) < sample.at / 1000 - WINDOW_S) {
      this.t.shift();
      for (const c of [...this.rates, this.p50, this.p99]) c.shift();
    }
    setText(this.rateNow, RATE_SERIES.map((s, i) => `${formatRate(now[i] ?? 0)}/s ${s.label}`).join(' · '));
    setText(
      this.latencyNow,
      p50 === null
        ? 'No proxied request in the last 10 s.'
        : `p50 ${formatMs(p50)} · p99 ${formatMs(p99)} added by faultline over the last 10 s (the upstream's own time excluded)`,
    );
    this.rateChart?.setData([this.t, ...this.rates]);
    this.latencyChart?.setData([this.t, this.p50, this.p99]);
    for (const chart of [this.rateChart, this.latencyChart]) showLatest(chart, this.t.length - 1);
  }

  private resize(): void {
    for (const [chart, box] of [
      [this.rateChart, this.rateBox],
      [this.latencyChart, this.latencyBox],
    ] as const)
      chart?.setSize({ width: box.clientWidth, height: HEIGHT });
  }

  /** (Re)create both charts with the colours of the current scheme. */
  private rebuild(): void {
    this.rateChart?.destroy();
    this.latencyChart?.destroy();
    const series = RATE_SERIES.map((s) => ({
      label: s.label,
      stroke: color(s.color),
      width: 2,
      value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${formatRate(v)}/s`),
    }));
    const first = (): number | undefined => this.t[0];
    this.rateChart = new uPlot(
      options(this.rateBox, series, (v) => formatRate(v), first),
      [this.t, ...this.rates],
      this.rateBox,
    );
    const latency = [
      { label: 'p50', stroke: color('--c-p50'), width: 2, value: (_u: uPlot, v: number | null) => formatMs(v) },
      { label: 'p99', stroke: color('--c-p99'), width: 2, dash: [6, 4], value: (_u: uPlot, v: number | null) => formatMs(v) },
    ];
    this.latencyChart = new uPlot(
      options(this.latencyBox, latency, axisMs, first),
      [this.t, this.p50, this.p99],
      this.latencyBox,
    );
    for (const chart of [this.rateChart, this.latencyChart]) showLatest(chart, this.t.length - 1);
  }
}

function color(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || 'gray';
}

const AXIS_FONT = '11px system-ui, sans-serif';
const TICK = 6;
const GAP = 5;
const CLOCK_HALF_WIDTH = 28;
let measurer: CanvasRenderingContext2D | null = null;

/** The y axis as wide as its widest label (plus tick and gap), so no label is cut at the edge. */
function labelWidth(_u: uPlot, values: string[] | null): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (measurer === null || values === null || values.length === 0) return 56;
  measurer.font = AXIS_FONT;
  const widest = Math.max(...values.map((v) => measurer?.measureText(v).width ?? 0));
  return Math.ceil(widest) + TICK + GAP + 4;
}

/** `250 ms`, `0.125 ms`, `1.5 s`: a latency axis label, seconds from one second on. */
function axisMs(v: number): string {
  return v >= 1000 ? `${Number((v / 1000).toPrecision(3))} s` : `${Number(v.toPrecision(3))} ms`;
}

/** The legend shows the latest reading unless the pointer is over the chart (then, the one under it). */
function showLatest(chart: uPlot | null, idx: number): void {
  if (chart === null || idx < 0) return;
  const left = chart.cursor.left;
  if (left === undefined || left < 0) chart.setLegend({ idx });
}

function options(
  box: HTMLElement,
  series: uPlot.Series[],
  yValue: (v: number) => string,
  first: () => number | undefined,
): uPlot.Options {
  const axis = {
    stroke: color('--muted'),
    grid: { stroke: color('--grid'), width: 1 },
    ticks: { stroke: color('--grid'), width: 1, size: TICK },
    gap: GAP,
    font: AXIS_FONT,
  };
  return {
    width: Math.max(200, box.clientWidth),
    height: HEIGHT,
    scales: {
      // A window ending at the latest reading, as long as the readings go back (one to five minutes).
      x: {
        time: true,
        range: (_u, _min, max) => {
          const end = Number.isFinite(max) ? max : Date.now() / 1000;
          return [end - Math.min(WINDOW_S, Math.max(MIN_WINDOW_S, end - (first() ?? end))), end];
        },
      },
      y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, 1)] },
    },
    // uPlot passes null for a missing point although its type says number.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    series: [{ value: (_u, v) => (v === null ? '–' : formatClock(new Date(v * 1000))) }, ...series],
    axes: [
      { ...axis, values: (_u, splits) => splits.map((s) => formatClock(new Date(s * 1000))) },
      { ...axis, size: labelWidth, values: (_u, splits) => splits.map(yValue) },
    ],
    // Room on the right for half of the last time label, which is centred on its tick.
    padding: [null, CLOCK_HALF_WIDTH, null, null],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  };
}
