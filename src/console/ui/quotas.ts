import { ApiError, call, seg } from './api.js';
import { FieldError, fill, h, setText, uid } from './dom.js';
import { formatAmount, formatPeriod } from './format.js';

interface QuotaRule {
  rule: string;
  key: string;
  measure: string;
  limit: number;
  /** Null when the quota never resets. */
  periodMs: number | null;
}

interface QuotaUsage {
  rule: string;
  key: string;
  used: number;
  pending: number;
  limit: number;
  unit: string;
}

interface QuotasReply {
  rules: QuotaRule[];
  quotas: QuotaUsage[];
}

/** Quotas per rule and key: used against the limit as a bar; set a key's usage, or reset it. */
export class QuotasPanel {
  private readonly cards = new Map<string, QuotaCard>();
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly refreshSoon: () => void,
  ) {
    this.list = h('div', { class: 'quota-list' });
    this.empty = h('p', { class: 'empty', hidden: true }, 'No quota rules in the live rule set (a rule with when.quota).');
    fill(root, this.list, this.empty);
  }

  async refresh(): Promise<void> {
    const reply = await call<QuotasReply>('GET', '/quotas');
    const seen = new Set<string>();
    reply.rules.forEach((rule, i) => {
      seen.add(rule.rule);
      let card = this.cards.get(rule.rule);
      if (card === undefined) {
        card = new QuotaCard(rule.rule, this.refreshSoon);
        this.cards.set(rule.rule, card);
      }
      card.update(
        rule,
        reply.quotas.filter((q) => q.rule === rule.rule),
      );
      if (this.list.children[i] !== card.el) this.list.insertBefore(card.el, this.list.children[i] ?? null);
    });
    for (const [name, card] of this.cards) {
      if (seen.has(name)) continue;
      card.el.remove();
      this.cards.delete(name);
    }
    this.empty.hidden = reply.rules.length > 0;
  }
}

class QuotaCard {
  readonly el: HTMLElement;
  private readonly info: HTMLElement;
  private readonly keys: HTMLElement;
  private readonly none: HTMLElement;
  private readonly rows = new Map<string, KeyRow>();
  private readonly resetError: FieldError;
  private unit = 'bytes';
  private usedInput!: HTMLInputElement;

  constructor(
    private readonly rule: string,
    private readonly refreshSoon: () => void,
  ) {
    this.info = h('p', { class: 'muted' });
    this.keys = h('ul', { class: 'quota-keys' });
    this.none = h('p', { class: 'muted', hidden: true }, 'No key has used this quota yet this period.');
    const resetAll = h('button', { type: 'button', class: 'secondary' }, 'Reset all keys');
    this.resetError = new FieldError(resetAll);
    resetAll.addEventListener(
      'click',
      () => void mutate(() => call('DELETE', `/quotas/${seg(rule)}`), this.resetError, this.refreshSoon),
    );
    this.el = h(
      'article',
      { class: 'quota', 'data-rule': rule },
      h('header', {}, h('h3', {}, rule), h('span', { class: 'quota-actions' }, resetAll)),
      this.info,
      this.resetError.el,
      this.keys,
      this.none,
      this.addForm(),
    );
  }

  /** Set usage for any key, seen or not: how a test starts near the limit. */
  private addForm(): HTMLElement {
    const keyId = uid('qk');
    const usedId = uid('qu');
    const key = h('input', {
      id: keyId,
      type: 'text',
      required: true,
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'acme',
    });
    const used = h('input', { id: usedId, type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' });
    this.usedInput = used;
    const error = new FieldError(used);
    const form = h(
      'form',
      { class: 'quota-add', novalidate: true },
      h('span', { class: 'field' }, h('label', { for: keyId }, 'Key'), key),
      h('span', { class: 'field' }, h('label', { for: usedId }, 'Used'), used),
      h('button', { type: 'submit' }, 'Set usage'),
      error.el,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (key.value.trim() === '') return error.show('give the key (the value the rule keys on, e.g. a tenant id)');
      void mutate(
        () => call('PUT', `/quotas/${seg(this.rule)}/${seg(key.value.trim())}`, { used: usedValue(used.value, this.unit) }),
        error,
        this.refreshSoon,
      ).then((ok) => {
        if (ok) form.reset();
      });
    });
    return form;
  }

  update(rule: QuotaRule, usage: QuotaUsage[]): void {
    this.unit = rule.measure;
    this.usedInput.placeholder = rule.measure === 'bytes' ? '9MiB' : String(Math.max(0, rule.limit - 1));
    const period = rule.periodMs === null || rule.periodMs <= 0 ? ', never resets' : ` per ${formatPeriod(rule.periodMs)}`;
    setText(this.info, `key ${rule.key} · limit ${formatAmount(rule.limit, rule.measure)}${period}`);
    const seen = new Set<string>();
    usage.forEach((u, i) => {
      seen.add(u.key);
      let row = this.rows.get(u.key);
      if (row === undefined) {
        row = new KeyRow(this.rule, u.key, this.refreshSoon);
        this.rows.set(u.key, row);
      }
      row.update(u);
      if (this.keys.children[i] !== row.el) this.keys.insertBefore(row.el, this.keys.children[i] ?? null);
    });
    for (const [key, row] of this.rows) {
      if (seen.has(key)) continue;
      row.el.remove();
      this.rows.delete(key);
    }
    this.none.hidden = usage.length > 0;
  }
}

class KeyRow {
  readonly el: HTMLLIElement;
  private readonly bar: HTMLElement;
  private readonly fillEl: HTMLElement;
  private readonly text: HTMLElement;
  private readonly input: HTMLInputElement;
  private unit = 'bytes';

  constructor(rule: string, key: string, refreshSoon: () => void) {
    this.fillEl = h('span', { class: 'fill' });
    this.bar = h('span', { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-label': `Usage of ${key}` }, this.fillEl);
    this.text = h('span', { class: 'usage' });
    const id = uid('qs');
    this.input = h('input', {
      id,
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      size: 8,
      'aria-label': `New usage for ${key}`,
    });
    const error = new FieldError(this.input);
    const reset = h('button', { type: 'button', class: 'secondary', 'aria-label': `Reset ${key}` }, 'Reset');
    reset.addEventListener(
      'click',
      () => void mutate(() => call('DELETE', `/quotas/${seg(rule)}/${seg(key)}`), error, refreshSoon),
    );
    const form = h(
      'form',
      { class: 'quota-set', novalidate: true },
      this.input,
      h('button', { type: 'submit', 'aria-label': `Set usage of ${key}` }, 'Set'),
      reset,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void mutate(
        () => call('PUT', `/quotas/${seg(rule)}/${seg(key)}`, { used: usedValue(this.input.value, this.unit) }),
        error,
        refreshSoon,
      ).then((ok) => {
        if (ok) this.input.value = '';
      });
    });
    this.el = h(
      'li',
      { class: 'quota-key', 'data-key': key },
      h('span', { class: 'key' }, key),
      this.bar,
      this.text,
      form,
      error.el,
    );
  }

  update(u: QuotaUsage): void {
    this.unit = u.unit;
    const share = u.limit > 0 ? u.used / u.limit : 1;
    this.bar.setAttribute('aria-valuemax', String(u.limit));
    this.bar.setAttribute('aria-valuenow', String(u.used));
    this.bar.setAttribute('aria-valuetext', `${formatAmount(u.used, u.unit)} of ${formatAmount(u.limit, u.unit)}`);
    this.bar.classList.toggle('over', u.used >= u.limit);
    this.bar.classList.toggle('near', u.used < u.limit && share >= 0.8);
    // CSSOM, not a style attribute: the CSP allows the one and forbids the other.
    this.fillEl.style.width = `${Math.min(100, share * 100).toFixed(2)}%`;
    const pending = u.pending > 0 ? ` (+${formatAmount(u.pending, u.unit)} in flight)` : '';
    setText(
      this.text,
      `${formatAmount(u.used, u.unit)} of ${formatAmount(u.limit, u.unit)} · ${Math.round(share * 100)}%${pending}`,
    );
    if (document.activeElement !== this.input && this.input.value === '')
      this.input.placeholder = u.unit === 'bytes' ? '9MiB' : '100';
  }
}

/** What to send as `used`: a count for request quotas, the size text as typed for byte quotas. */
function usedValue(text: string, unit: string): string | number {
  const t = text.trim();
  return unit === 'requests' && /^\d+$/.test(t) ? Number(t) : t;
}

/** Run a change; show the API's refusal beside the control; refresh on success. */
async function mutate(action: () => Promise<unknown>, error: FieldError, refreshSoon: () => void): Promise<boolean> {
  try {
    await action();
    error.clear();
    refreshSoon();
    return true;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    error.show(err.describe());
    return false;
  }
}
