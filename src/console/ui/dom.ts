/** The few DOM helpers the panels share. No innerHTML anywhere: every text goes in as text. */

type AttrValue = string | number | boolean | null | undefined;
export type Child = Node | string | null | undefined | false;

/** An element with attributes (false/null/undefined: absent; true: present) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs))
    if (value !== false && value !== null && value !== undefined) el.setAttribute(name, String(value));
  return el;
}

export function append(el: Element, children: readonly Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
}

/** Replace an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Set text only when it changed (keeps the DOM quiet between polls). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

// The caller names the element type index.html gives that id; this is the one checked cast.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

let ids = 0;
/** A fresh id for aria-describedby / label links. */
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}

/**
 * The error line next to a control: empty and hidden until an error is shown, then read out
 * (role=alert) and tied to the control with aria-describedby / aria-invalid.
 */
export class FieldError {
  readonly el: HTMLElement;

  constructor(private readonly control: HTMLElement | null) {
    this.el = h('span', { class: 'field-error', id: uid('err'), role: 'alert', hidden: true });
    if (control !== null) control.setAttribute('aria-describedby', this.el.id);
  }

  show(message: string): void {
    setText(this.el, message);
    this.el.hidden = false;
    this.control?.setAttribute('aria-invalid', 'true');
  }

  clear(): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    this.el.textContent = '';
    this.control?.removeAttribute('aria-invalid');
  }
}
