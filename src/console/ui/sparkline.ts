import { svg } from './dom.js';

const W = 120;
const H = 28;

/**
 * A rule's rates over the last minute as two lines (matched, faint; injected, strong). A few
 * dozen points in an SVG polyline: no chart library needed at this size.
 */
export class Sparkline {
  readonly el: SVGSVGElement;
  private readonly matched: SVGPolylineElement;
  private readonly injected: SVGPolylineElement;
  private readonly area: SVGPolygonElement;

  constructor(label: string) {
    this.el = svg('svg', {
      class: 'spark',
      viewBox: `0 0 ${W} ${H}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': label,
    });
    this.area = svg('polygon', { class: 'spark-area' });
    this.matched = svg('polyline', { class: 'spark-matched' });
    this.injected = svg('polyline', { class: 'spark-injected' });
    this.el.append(this.area, this.matched, this.injected);
  }

  /** Points are (seconds ago, rate) pairs, oldest first; the x axis spans `spanS` seconds. */
  draw(matched: readonly [number, number][], injected: readonly [number, number][], spanS: number): void {
    const max = Math.max(1, ...matched.map(([, r]) => r), ...injected.map(([, r]) => r));
    const pts = (series: readonly [number, number][]): string =>
      series.map(([ago, r]) => `${((1 - ago / spanS) * W).toFixed(1)},${(H - 2 - (r / max) * (H - 4)).toFixed(1)}`).join(' ');
    const inj = pts(injected);
    this.matched.setAttribute('points', pts(matched));
    this.injected.setAttribute('points', inj);
    const first = injected[0];
    const last = injected[injected.length - 1];
    this.area.setAttribute(
      'points',
      first === undefined || last === undefined
        ? ''
        : `${inj} ${((1 - last[0] / spanS) * W).toFixed(1)},${H} ${((1 - first[0] / spanS) * W).toFixed(1)},${H}`,
    );
  }
}
