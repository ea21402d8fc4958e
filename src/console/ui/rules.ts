import { ApiError, call, seg } from './api.js';
import { FieldError, fill, h, setText } from './dom.js';
import { formatClock, formatCount, formatPercent, formatRate } from './format.js';
import { Sparkline } from './sparkline.js';

/** One rule as GET /rules shows it (src/admin/rule-view.ts). */
export interface RuleView {
  name: string;
  source: string;
  line: number;
  state: 'enabled' | 'disabled';
  kind: string;
  code: number | null;
  trigger: string;
  probability: number | null;
  probabilityOverridden: boolean;
  matched: number;
  injected: number;
  active: number;
  /** The tripped guard stopping it, and whether it only pretends (docs/guards.md). */
  stoppedBy?: string | null;
  dryRun?: boolean;
  /** A change made with `for` reverts to the file's value in this many ms (src/client/wire.ts). */
  revertsInMs?: number;
}

interface RulesReply {
  rules: RuleView[];
  files: string[];
  seed: number;
  loadedAt: string;
}

interface Point {
  at: number;
  matched: number;
  injected: number;
}

/** The sparkline spans the last minute; the rate shown beside it, the last ten seconds. */
const SPAN_MS = 60_000;
const NOW_MS = 10_000;

/** The rules table: state switch, probability in place, live counters and rates. */
export class RulesPanel {
  private readonly rows = new Map<string, RuleRow>();
  private readonly summary: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly empty: HTMLElement;
  private readonly table: HTMLTableElement;
  /** How long a change made here lasts: '' until changed, else a duration sent as `for`. */
  private readonly lasts: HTMLSelectElement;

  constructor(root: HTMLElement) {
    this.lasts = h(
      'select',
      { id: 'rules-lasts', 'aria-label': 'How long a change made here lasts' },
      h('option', { value: '' }, 'until changed'),
      ...['1m', '5m', '15m', '1h'].map((d) => h('option', { value: d }, `for ${d}, then back to the file`)),
    );
    this.summary = h('p', { class: 'muted', id: 'rules-summary' }, 'Loading…');
    this.tbody = h('tbody');
    this.table = h(
      'table',
      { class: 'rules', id: 'rules-table' },
      h('caption', { class: 'visually-hidden' }, 'Rules of the live rule set'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['On', 'Rule', 'Fault', 'Trigger', 'Probability', 'Matched', 'Injected', 'Last minute'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      this.tbody,
    );
    this.empty = h(
      'p',
      { class: 'empty', hidden: true },
      'No rules: every request passes through untouched. Give faultline scenarios with --scenarios, or PUT a rule set to /rules.',
    );
    const lasts = h('p', { class: 'muted' }, h('label', { for: 'rules-lasts' }, 'Changes made here last '), this.lasts);
    fill(root, this.summary, lasts, h('div', { class: 'table-wrap' }, this.table), this.empty);
  }

  async refresh(): Promise<void> {
    const reply = await call<RulesReply>('GET', '/rules');
    const at = Date.now();
    const files = reply.files.length === 0 ? 'no scenario files' : reply.files.join(', ');
    setText(
      this.summary,
      `${reply.rules.length} ${reply.rules.length === 1 ? 'rule' : 'rules'} from ${files} · seed ${reply.seed} · loaded ${formatClock(new Date(reply.loadedAt))}`,
    );
    const seen = new Set<string>();
    reply.rules.forEach((view, i) => {
      seen.add(view.name);
      let row = this.rows.get(view.name);
      if (row === undefined) {
        row = new RuleRow(view.name, () => this.lasts.value);
        this.rows.set(view.name, row);
      }
      row.update(view, at);
      // Move a row only when out of place: moving the focused row would drop the focus.
      if (this.tbody.children[i] !== row.tr) this.tbody.insertBefore(row.tr, this.tbody.children[i] ?? null);
    });
    for (const [name, row] of this.rows) {
      if (seen.has(name)) continue;
      row.tr.remove();
      this.rows.delete(name);
    }
    this.table.hidden = reply.rules.length === 0;
    this.empty.hidden = reply.rules.length > 0;
  }
}

class RuleRow {
  readonly tr: HTMLTableRowElement;
  private view: RuleView | null = null;
  private readonly toggle: HTMLButtonElement;
  private readonly toggleError: FieldError;
  private readonly source: HTMLElement;
  private readonly fault: HTMLElement;
  private readonly trigger: HTMLElement;
  private readonly probCell: HTMLTableCellElement;
  private readonly prob: HTMLInputElement;
  private readonly probForm: HTMLFormElement;
  private readonly probReset: HTMLButtonElement;
  private readonly probError: FieldError;
  private readonly quotaNote: HTMLElement;
  private readonly matched: HTMLElement;
  private readonly injected: HTMLElement;
  private readonly rate: HTMLElement;
  private readonly spark: Sparkline;
  private history: Point[] = [];
  /** The probability text last shown from the server; an input holding anything else is being edited. */
  private shownProb = '';
  /** The text last sent, so Enter followed by blur does not send it twice. */
  private sentProb: string | null = null;

  constructor(
    private readonly name: string,
    private readonly lasts: () => string,
  ) {
    this.toggle = h(
      'button',
      {
        type: 'button',
        role: 'switch',
        class: 'switch',
        'aria-checked': 'false',
        'aria-label': `Rule ${name}`,
        'data-rule': name,
      },
      h('span', { class: 'knob', 'aria-hidden': 'true' }),
    );
    this.toggleError = new FieldError(this.toggle);
    this.toggle.addEventListener('click', () => void this.setEnabled());
    this.source = h('small', { class: 'source' });
    this.fault = h('span');
    this.trigger = h('span');
    this.prob = h('input', {
      type: 'text',
      inputmode: 'decimal',
      class: 'prob',
      size: 7,
      'aria-label': `Probability of ${name}`,
      autocomplete: 'off',
      spellcheck: 'false',
    });
    this.probReset = h(
      'button',
      { type: 'button', class: 'link', title: "Drop the override: the scenario file's value applies again" },
      'use file value',
    );
    this.probError = new FieldError(this.prob);
    this.probForm = h('form', { class: 'prob-form', novalidate: true }, this.prob, this.probReset);
    this.probForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.setProbability();
    });
    this.prob.addEventListener('change', () => void this.setProbability());
    this.prob.addEventListener('input', () => (this.sentProb = null));
    this.probReset.addEventListener('click', () => void this.patch({ probability: null }, this.probError));
    this.quotaNote = h('span', { class: 'muted' }, 'by quota');
    this.probCell = h('td', { 'data-label': 'Probability' });
    this.matched = h('span', { class: 'num' });
    this.injected = h('span', { class: 'num' });
    this.rate = h('span', { class: 'rate num' });
    this.spark = new Sparkline(`Matched and injected per second for ${name} over the last minute`);
    this.tr = h(
      'tr',
      { 'data-rule': name },
      h('td', { class: 'cell-switch', 'data-label': 'On' }, this.toggle, this.toggleError.el),
      h('td', { class: 'cell-name', 'data-label': 'Rule' }, h('strong', {}, name), this.source),
      h('td', { 'data-label': 'Fault' }, this.fault),
      h('td', { 'data-label': 'Trigger' }, this.trigger),
      this.probCell,
      h('td', { class: 'cell-num', 'data-label': 'Matched' }, this.matched),
      h('td', { class: 'cell-num', 'data-label': 'Injected' }, this.injected),
      h('td', { class: 'cell-spark', 'data-label': 'Last minute' }, h('span', { class: 'spark-wrap' }, this.spark.el, this.rate)),
    );
  }

  update(view: RuleView, at: number): void {
    this.view = view;
    const on = view.state === 'enabled';
    this.toggle.setAttribute('aria-checked', String(on));
    this.tr.classList.toggle('off', !on);
    setText(this.source, `${view.source}:${view.line}`);
    setText(this.fault, view.code === null ? view.kind : `${view.kind} ${view.code}`);
    const guarded = view.stoppedBy ? ` · stopped by guard ${view.stoppedBy}` : view.dryRun ? ' · dry run' : '';
    const reverts = view.revertsInMs === undefined ? '' : ` · reverts in ${formatLeft(view.revertsInMs)}`;
    setText(this.trigger, view.trigger + guarded + reverts);
    this.showProbability(view);
    setText(this.matched, formatCount(view.matched));
    setText(this.injected, formatCount(view.injected));
    this.record({ at, matched: view.matched, injected: view.injected });
  }

  private showProbability(view: RuleView): void {
    const quota = view.trigger.startsWith('quota ');
    const want = quota ? [this.quotaNote] : [this.probForm, this.probError.el];
    if (this.probCell.firstChild !== want[0]) fill(this.probCell, ...want);
    if (quota) return;
    const text = view.probability === null ? '' : formatPercent(view.probability);
    this.prob.placeholder = view.probability === null ? 'none' : '';
    this.probReset.hidden = !view.probabilityOverridden;
    this.prob.classList.toggle('overridden', view.probabilityOverridden);
    // Leave the field alone while someone is typing in it.
    if (document.activeElement !== this.prob && this.prob.value === this.shownProb) this.prob.value = text;
    this.shownProb = text;
  }

  private record(p: Point): void {
    const last = this.history[this.history.length - 1];
    // Counters went back: the rule was redefined and counts from zero again.
    if (last !== undefined && (p.matched < last.matched || p.injected < last.injected)) this.history = [];
    this.history.push(p);
    while (this.history.length > 2 && (this.history[1] as Point).at < p.at - SPAN_MS) this.history.shift();
    const matched: [number, number][] = [];
    const injected: [number, number][] = [];
    for (let i = 1; i < this.history.length; i++) {
      const a = this.history[i - 1] as Point;
      const b = this.history[i] as Point;
      const dt = (b.at - a.at) / 1000;
      if (dt <= 0) continue;
      const ago = (p.at - b.at) / 1000;
      matched.push([ago, (b.matched - a.matched) / dt]);
      injected.push([ago, (b.injected - a.injected) / dt]);
    }
    this.spark.draw(matched, injected, SPAN_MS / 1000);
    const base = this.history.find((q) => q.at >= p.at - NOW_MS - 500) ?? p;
    const dt = (p.at - base.at) / 1000;
    const now = dt > 0 ? (p.injected - base.injected) / dt : 0;
    setText(this.rate, `${formatRate(now)}/s`);
    this.rate.title = `${formatRate(now)} injected per second over the last ${Math.round(dt) || 0} s`;
  }

  private async setEnabled(): Promise<void> {
    if (this.view === null) return;
    await this.patch({ enabled: this.view.state !== 'enabled' }, this.toggleError, this.toggle);
  }

  private async setProbability(): Promise<void> {
    const text = this.prob.value.trim();
    if (text === this.shownProb) return this.probError.clear();
    if (text === this.sentProb) return;
    this.sentProb = text;
    await this.patch({ probability: text === '' ? null : text }, this.probError, this.prob);
  }

  /** PATCH /rules/:name, the CLI's route: its answer updates the row, its refusal shows beside the field. */
  private async patch(body: Record<string, unknown>, error: FieldError, busy: HTMLElement | null = null): Promise<void> {
    busy?.setAttribute('aria-busy', 'true');
    const lasts = this.lasts();
    // A time limit applies to a change, not to dropping an override.
    if (lasts !== '' && body.probability !== null) body = { ...body, for: lasts };
    try {
      const view = await call<RuleView>('PATCH', `/rules/${seg(this.name)}`, body);
      error.clear();
      if ('probability' in body) this.prob.value = view.probability === null ? '' : formatPercent(view.probability);
      this.update(view, Date.now());
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      error.show(err.describe());
    } finally {
      busy?.removeAttribute('aria-busy');
    }
  }
}

/** 299500 → `5m 0s`, 9000 → `9s`. */
function formatLeft(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}
