/**
 * The faultline console: four panels fed by polling the admin API (GET /rules, GET /quotas) and
 * GET /metrics every couple of seconds, while the tab is visible. Changes go through the same
 * routes the CLI uses. Built by src/console/build.mjs into dist/console/app.js.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { ApiError, call, hasToken, onTokenNeeded, setToken } from './api.js';
import { byId, setText } from './dom.js';
import { formatClock } from './format.js';
import { InspectorPanel, type ConsoleInfo } from './inspector.js';
import { QuotasPanel } from './quotas.js';
import { RulesPanel } from './rules.js';
import { TrafficPanel } from './traffic.js';

/** Seconds between readings: `?refresh=5` in the address; at least 0.5 s, default 2 s. */
function refreshMs(): number {
  const asked = Number(new URLSearchParams(location.search).get('refresh') ?? '2');
  return Number.isFinite(asked) ? Math.min(60, Math.max(0.5, asked)) * 1000 : 2000;
}

const INTERVAL = refreshMs();
const status = byId('status');
const where = byId('where');
const auth = byId('auth');
const authForm = byId<HTMLFormElement>('auth-form');
const tokenInput = byId<HTMLInputElement>('token');
const authError = byId('auth-error');
const forget = byId<HTMLButtonElement>('forget');

let timer: number | null = null;
let ticking = false;
let again = false;
let info: ConsoleInfo | null = null;

const rules = new RulesPanel(byId('rules-body'));
const traffic = new TrafficPanel(byId('traffic-body'));
const quotas = new QuotasPanel(byId('quotas-body'), () => void tick());
const inspector = new InspectorPanel(byId('inspector-body'));

interface Panel {
  refresh(): Promise<void>;
  readonly error: HTMLElement;
}

const panels: Panel[] = [
  { refresh: () => rules.refresh(), error: byId('rules-error') },
  { refresh: () => traffic.refresh(), error: byId('traffic-error') },
  { refresh: () => quotas.refresh(), error: byId('quotas-error') },
  { refresh: loadInfo, error: byId('inspector-error') },
];

async function loadInfo(): Promise<void> {
  if (info !== null) return;
  info = await call<ConsoleInfo>('GET', '/console/info');
  inspector.setInfo(info);
  const proxy = info.proxy === null ? '' : `proxy :${info.proxy.port} → `;
  setText(where, `${proxy}${info.upstream}`);
}

/** One reading of every panel; a panel that fails says why and keeps what it showed. */
async function tick(): Promise<void> {
  if (ticking) {
    again = true;
    return;
  }
  ticking = true;
  if (timer !== null) clearTimeout(timer);
  const results = await Promise.allSettled(panels.map((p) => p.refresh()));
  let down = false;
  let locked = false;
  results.forEach((r, i) => {
    const { error } = panels[i] as Panel;
    if (r.status === 'fulfilled') {
      error.hidden = true;
      return;
    }
    const err: unknown = r.reason;
    const e = err instanceof ApiError ? err : null;
    down ||= e?.problem.status === 0;
    locked ||= e?.problem.status === 401;
    setText(error, e === null ? String(err) : e.describe());
    error.hidden = false;
    if (e === null) console.error(err);
  });
  // `down` and `locked` are set inside the forEach callback above, which the checker does not follow.
  /* eslint-disable @typescript-eslint/no-unnecessary-condition */
  setStatus(down ? 'down' : locked ? 'locked' : 'live');
  if (!locked && hasToken()) auth.hidden = true;
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  forget.hidden = !hasToken();
  ticking = false;
  if (again) {
    again = false;
    void tick();
  } else schedule();
}

function schedule(): void {
  if (timer !== null) clearTimeout(timer);
  timer = document.hidden ? null : window.setTimeout(() => void tick(), INTERVAL);
}

function setStatus(state: 'live' | 'locked' | 'down'): void {
  status.dataset.state = state;
  setText(
    status,
    state === 'live'
      ? `live · ${formatClock(new Date())}`
      : state === 'locked'
        ? 'needs the admin token'
        : 'faultline is not answering',
  );
}

onTokenNeeded(() => {
  if (!auth.hidden) return;
  auth.hidden = false;
  authError.hidden = !hasToken();
  setText(authError, hasToken() ? 'That token was refused (401). Check --admin-token.' : '');
  tokenInput.focus();
});

authForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const value = tokenInput.value.trim();
  if (value === '') return;
  setToken(value);
  tokenInput.value = '';
  auth.hidden = true;
  void tick();
});

forget.addEventListener('click', () => {
  setToken(null);
  forget.hidden = true;
  info = null;
  void tick();
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void tick();
});

void tick();
