import { readJsonObject } from '../admin/body.js';
import { sendAdminProblem, sendJson, type AdminRequest } from '../admin/router.js';
import { FaultlineError } from '../errors.js';
import { inspect, toJson, type HeaderPair, type InspectRequest } from '../inspect/index.js';
import { decideTarget, type TargetPolicy } from './target.js';

/** The fields of the form; a problem names the one it is about, so the page shows it there. */
type Field = 'url' | 'method' | 'headers' | 'body';

const KEYS = new Set(['url', 'method', 'headers', 'body']);
/** RFC 9110 §5.6.2 token, for the method and header names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TIMEOUT_MS = 10_000;

class FieldError extends Error {
  constructor(
    readonly field: Field,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `POST /console/inspect` `{ url, method?, headers?: [[name, value]...], body? }`: run the
 * inspector from the server, one exchange, no redirects followed (a Location could point anywhere),
 * and answer its JSON (the shape of `faultline inspect --json`) plus where it connected.
 */
export async function inspectRoute(ar: AdminRequest, policy: TargetPolicy): Promise<void> {
  const body = await readJsonObject(ar);
  if (body === null) return;
  let req: InspectRequest & { url: string };
  try {
    req = parseRequest(body);
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    return sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', err.message, { field: err.field });
  }
  const asked = new URL(req.url);
  const decision = await decideTarget(asked, policy);
  if (!decision.ok) return sendAdminProblem(ar, 'FAULTLINE_ADMIN_FORBIDDEN_TARGET', decision.reason, { field: 'url' });
  const headers: HeaderPair[] = [...(req.headers ?? [])];
  // Pinned to an address: the Host header still names what the user typed.
  if (decision.connectTo !== null && !headers.some(([n]) => n.toLowerCase() === 'host')) headers.unshift(['Host', asked.host]);
  try {
    const result = await inspect({ ...req, url: decision.url.href, headers }, { follow: false, timeoutMs: TIMEOUT_MS });
    sendJson(ar, 200, { ...toJson(result), target: { url: asked.href, connectTo: decision.connectTo } });
  } catch (err) {
    if (!(err instanceof FaultlineError)) throw err;
    // No response head: the target is down, reset, or too slow. Its code says which.
    if (err.code === 'FAULTLINE_USAGE') sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', err.message);
    else sendAdminProblem(ar, err.code, err.message);
  }
}

function parseRequest(body: Record<string, unknown>): InspectRequest & { url: string } {
  const unknown = Object.keys(body).filter((k) => !KEYS.has(k));
  if (unknown.length > 0)
    throw new FieldError('url', `unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (expected url, method, headers, body)`);
  const { url, method, headers, body: text } = body;
  if (typeof url !== 'string' || url.trim() === '') throw new FieldError('url', 'give the URL to inspect');
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new FieldError('url', `not an absolute URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new FieldError('url', `unsupported scheme "${parsed.protocol}" (http: or https:)`);
  if (parsed.username !== '' || parsed.password !== '')
    throw new FieldError('url', 'no credentials in the URL: send an Authorization header');
  const req: InspectRequest & { url: string } = { url: parsed.href };
  if (method !== undefined && method !== '') {
    if (typeof method !== 'string' || !TOKEN.test(method))
      throw new FieldError('method', `invalid method ${JSON.stringify(method)}`);
    req.method = method.toUpperCase();
  }
  if (headers !== undefined) req.headers = parseHeaders(headers);
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') throw new FieldError('body', 'the body must be a string');
    if (text !== '') req.body = text;
  }
  return req;
}

function parseHeaders(value: unknown): HeaderPair[] {
  if (!Array.isArray(value)) throw new FieldError('headers', 'headers: expected [["Name", "value"], ...]');
  return value.map((pair: unknown, i): HeaderPair => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string')
      throw new FieldError('headers', `header ${i + 1}: expected ["Name", "value"]`);
    const [name, v] = pair as [string, string];
    if (!TOKEN.test(name)) throw new FieldError('headers', `header ${i + 1}: invalid name "${name}"`);
    if (/[\r\n\0]/.test(v)) throw new FieldError('headers', `header ${name}: a CR, LF or NUL in the value`);
    return [name, v];
  });
}
