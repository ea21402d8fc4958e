import type { Logger } from '../log/logger.js';

/** Attempts per notification, the wait before the second (doubling), and each attempt's timeout. */
const ATTEMPTS = 3;
const FIRST_BACKOFF_MS = 250;
const TIMEOUT_MS = 3000;

/**
 * The URL as logs may show it: scheme, host and path. Credentials, query and fragment are where
 * webhook secrets live (Slack, Teams and most chat hooks put a token in the path too, so the
 * path is shown only as its first segment).
 */
function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const first = url.pathname.split('/')[1] ?? '';
    return `${url.origin}/${first}${url.pathname.split('/').length > 2 ? '/…' : ''}`;
  } catch {
    return '<invalid url>';
  }
}

/**
 * POST `payload` as JSON to a trip webhook: up to 3 attempts (a network error or a non-2xx
 * answer is retried after 250 ms, then 500 ms), each bounded by 3 s. Never throws; one log line
 * for the outcome, without the URL's secrets. Credentials in the URL become a Basic header (fetch
 * refuses URLs that carry them).
 */
export async function notifyWebhook(raw: string, payload: unknown, log: Logger): Promise<boolean> {
  const url = new URL(raw);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'faultline-guard' };
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const body = JSON.stringify(payload);
  const where = redactUrl(raw);
  let last = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        log.info({ webhook: where, attempt, status: res.status }, 'guard trip reported to webhook');
        return true;
      }
      last = `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      last = cause?.code ?? (err as Error).name;
    }
    if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, FIRST_BACKOFF_MS * 2 ** (attempt - 1)).unref());
  }
  log.warn({ webhook: where, attempts: ATTEMPTS, last }, 'guard trip webhook failed; giving up');
  return false;
}
