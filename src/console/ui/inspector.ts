import { ApiError, call } from './api.js';
import { FieldError, fill, h, setText, type Child } from './dom.js';
import { formatMs } from './format.js';

/** GET /console/info. */
export interface ConsoleInfo {
  upstream: string;
  proxy: { host: string; port: number } | null;
  inspectAnyHost: boolean;
  inspectTargets: string[] | null;
}

type Pair = [string, string];

interface Finding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  why: string;
  fix: string;
  refs: string[];
  evidence?: string;
}

/** The answer of POST /console/inspect: `faultline inspect --json`, plus where it connected. */
interface InspectReply {
  ok: boolean;
  counts: { error: number; warning: number; info: number };
  findings: Finding[];
  exchanges: {
    request: { method: string; url: string; headers: Pair[]; bodyBytes: number };
    response: {
      httpVersion: string;
      status: number;
      statusText: string;
      headers: Pair[];
      bodyBytes: number;
      extraBytes: number;
      bodyTruncated: boolean;
      bodyPreview: string;
      complete: boolean;
      timedOut: boolean;
      protocolError: string | null;
    };
    timings: { firstByteMs: number | null; totalMs: number };
  }[];
  target: { url: string; connectTo: string | null };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const FIELDS = ['url', 'method', 'headers', 'body'] as const;
type Field = (typeof FIELDS)[number];

/** A form that runs faultline's inspector from the server, and its findings. */
export class InspectorPanel {
  private readonly url: HTMLInputElement;
  private readonly method: HTMLSelectElement;
  private readonly headers: HTMLTextAreaElement;
  private readonly body: HTMLTextAreaElement;
  private readonly run: HTMLButtonElement;
  private readonly scope: HTMLElement;
  private readonly result: HTMLElement;
  private readonly errors: Record<Field, FieldError>;

  constructor(root: HTMLElement) {
    this.url = h('input', {
      id: 'inspect-url',
      name: 'url',
      type: 'url',
      required: true,
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'http://127.0.0.1:8080/upload/full/x',
    });
    this.method = h('select', { id: 'inspect-method', name: 'method' }, ...METHODS.map((m) => h('option', { value: m }, m)));
    this.headers = h('textarea', {
      id: 'inspect-headers',
      name: 'headers',
      rows: 3,
      spellcheck: 'false',
      placeholder: 'Origin: https://app.example\nAccept: application/json',
    });
    this.body = h('textarea', { id: 'inspect-body', name: 'body', rows: 3, spellcheck: 'false' });
    this.run = h('button', { type: 'submit', id: 'inspect-run' }, 'Inspect');
    this.errors = {
      url: new FieldError(this.url),
      method: new FieldError(this.method),
      headers: new FieldError(this.headers),
      body: new FieldError(this.body),
    };
    this.scope = h('p', { class: 'note', id: 'inspect-scope' }, 'Only with the admin token when one is set.');
    this.result = h('div', { class: 'inspect-result', id: 'inspect-result', 'aria-live': 'polite' });
    const field = (label: string, control: HTMLElement, error: FieldError, cls = ''): HTMLElement =>
      h('div', { class: `field ${cls}` }, h('label', { for: control.id }, label), control, error.el);
    const form = h(
      'form',
      { class: 'inspect-form', novalidate: true },
      h(
        'div',
        { class: 'inspect-line' },
        field('Method', this.method, this.errors.method, 'method'),
        field('URL', this.url, this.errors.url, 'grow'),
      ),
      field('Headers, one per line (Name: value)', this.headers, this.errors.headers),
      field('Body', this.body, this.errors.body),
      h('div', { class: 'actions' }, this.run),
      this.scope,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.inspect();
    });
    fill(root, h('div', { class: 'inspector' }, form, this.result));
  }

  /** Say what the inspector may reach, and prefill faultline's own address. */
  setInfo(info: ConsoleInfo): void {
    const lines: Child[] = info.inspectAnyHost
      ? ['Started with --inspect-any-host: the inspector may reach any host this faultline can.']
      : [
          'The inspector may only reach ',
          ...(info.inspectTargets ?? []).flatMap((t, i) => [i === 0 ? '' : ' or ', h('code', {}, t)]),
          '. Start faultline with ',
          h('code', {}, '--inspect-any-host'),
          ' to lift that.',
        ];
    fill(this.scope, ...lines, ' Redirects are shown, not followed.');
    if (this.url.value === '' && info.proxy !== null) {
      const host = info.proxy.host === '0.0.0.0' || info.proxy.host === '::' ? location.hostname : info.proxy.host;
      this.url.value = `http://${host.includes(':') ? `[${host}]` : host}:${info.proxy.port}/`;
    }
  }

  private async inspect(): Promise<void> {
    for (const f of FIELDS) this.errors[f].clear();
    const headers = this.parseHeaders();
    if (headers === null) return;
    this.run.disabled = true;
    this.run.setAttribute('aria-busy', 'true');
    setText(this.result, 'Running…');
    try {
      const reply = await call<InspectReply>('POST', '/console/inspect', {
        url: this.url.value.trim(),
        method: this.method.value,
        headers,
        body: this.body.value,
      });
      this.show(reply);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const f = err.problem.field;
      if (f !== null && (FIELDS as readonly string[]).includes(f)) {
        this.errors[f as Field].show(err.describe());
        fill(this.result);
      } else fill(this.result, h('p', { class: 'verdict bad', role: 'alert' }, err.describe()));
    } finally {
      this.run.disabled = false;
      this.run.removeAttribute('aria-busy');
    }
  }

  private parseHeaders(): Pair[] | null {
    const out: Pair[] = [];
    const lines = this.headers.value.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] ?? '').trim();
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.errors.headers.show(`line ${i + 1}: expected "Name: value"`);
        return null;
      }
      out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    return out;
  }

  private show(reply: InspectReply): void {
    const ex = reply.exchanges[reply.exchanges.length - 1];
    if (ex === undefined) return fill(this.result);
    const { request, response, timings } = ex;
    const c = reply.counts;
    const clean = c.error === 0 && c.warning === 0;
    const verdict = clean
      ? `Clean: no errors or warnings${c.info > 0 ? ` (${c.info} info)` : ''}.`
      : [plural(c.error, 'error'), plural(c.warning, 'warning'), plural(c.info, 'info')].filter((s) => s !== '').join(', ');
    const wire: string[] = [];
    const url = new URL(request.url);
    wire.push(`> ${request.method} ${url.pathname}${url.search} HTTP/1.1`, ...request.headers.map(([n, v]) => `> ${n}: ${v}`));
    if (request.bodyBytes > 0) wire.push(`> [${request.bodyBytes} body bytes]`);
    wire.push(
      '',
      `< HTTP/${response.httpVersion} ${response.status} ${response.statusText}`,
      ...response.headers.map(([n, v]) => `< ${n}: ${v}`),
    );
    if (response.bodyPreview !== '') wire.push('', response.bodyPreview + (response.bodyTruncated ? '\n[…]' : ''));
    const notes: string[] = [
      `first byte ${formatMs(timings.firstByteMs)}`,
      `total ${formatMs(timings.totalMs)}`,
      `${response.bodyBytes} body bytes`,
    ];
    if (!response.complete) notes.push(response.timedOut ? 'timed out' : 'ended early');
    if (reply.target.connectTo !== null) notes.push(`connected to ${reply.target.connectTo}`);
    fill(
      this.result,
      h(
        'p',
        { class: 'status-line' },
        h('span', { class: `status s${Math.floor(response.status / 100)}xx` }, `${response.status} ${response.statusText}`),
        ' ',
        h('span', { class: 'muted' }, `${request.method} ${reply.target.url}`),
      ),
      h('p', { class: `verdict ${clean ? 'ok' : c.error > 0 ? 'bad' : 'warn'}`, id: 'inspect-verdict' }, verdict),
      reply.findings.length === 0 ? null : h('ul', { class: 'findings' }, ...reply.findings.map(finding)),
      h('p', { class: 'muted' }, notes.join(' · ')),
      h('details', { open: true }, h('summary', {}, 'Exchange'), h('pre', { class: 'wire', tabindex: 0 }, wire.join('\n'))),
    );
  }
}

function plural(n: number, word: string): string {
  return n === 0 ? '' : `${n} ${word}${n === 1 || word === 'info' ? '' : 's'}`;
}

/** "RFC 9111 §4.2.1" for an rfc-editor.org section link, the host name otherwise. */
function refLabel(url: string): string {
  const m = /rfc(\d+)#section-(.+)$/.exec(url);
  if (m !== null) return `RFC ${m[1]} §${m[2]}`;
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function finding(f: Finding): HTMLElement {
  return h(
    'li',
    { class: `finding sev-${f.severity}` },
    h('span', { class: 'sev' }, f.severity),
    h(
      'div',
      {},
      h('code', {}, f.id),
      ' ',
      f.message,
      h('p', { class: 'why' }, f.why),
      h('p', { class: 'why fix' }, h('strong', {}, 'Fix: '), f.fix),
      f.evidence === undefined ? null : h('p', { class: 'evidence' }, h('code', {}, f.evidence)),
      f.refs.length === 0
        ? null
        : h(
            'p',
            { class: 'why refs' },
            ...f.refs.flatMap((r, i) => [
              i === 0 ? '' : ' · ',
              h('a', { href: r, target: '_blank', rel: 'noopener noreferrer' }, refLabel(r)),
            ]),
          ),
    ),
  );
}
