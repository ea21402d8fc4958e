import { parseArgs } from 'node:util';
import { FaultlineError } from '../errors.js';
import {
  formatJson,
  formatJunit,
  formatText,
  inspect,
  type HeaderPair,
  type InspectOptions,
  type InspectRequest,
} from '../inspect/index.js';
import { usageMessage } from './args.js';

export const INSPECT_HELP = `Usage: faultline inspect URL [options]
       faultline inspect --status N [options]

Perform one HTTP request, print the exchange (request, response head, timing, body preview), then
list what is wrong with its error semantics. Exit code: 0 no errors, 1 errors found, 2 the request
could not be made or the command line is wrong.

Options:
  -X, --request METHOD    method (default GET, or POST with --data)
  -H, --header 'N: v'     add a request header (repeatable); an Origin header enables the CORS check
  -d, --data BODY         request body
      --follow            follow redirects and show the chain
      --max-redirects N   redirects to follow before giving up (default 20)
      --timeout T         per request, e.g. 5000, 500ms, 10s (default 10s)
      --no-cors-probe     do not GET the origin's / to compare CORS headers
      --status N          inspect faultline's own injected answer for status N
      --format F          text (default), json, or junit (JUnit XML: one test case per finding id)
      --json              the same as --format json
  -h, --help              show this help
`;

/** What `--status N` needs: a running target that answers every request the way a rule injecting N would. */
export interface InspectDeps {
  startStatusTarget: (status: number) => Promise<{ url: string; close: () => Promise<void> }>;
}

interface InspectIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const OPTIONS = {
  request: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  follow: { type: 'boolean' },
  'max-redirects': { type: 'string' },
  timeout: { type: 'string' },
  'no-cors-probe': { type: 'boolean' },
  status: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Format = 'text' | 'json' | 'junit';
const FORMATS: readonly Format[] = ['text', 'json', 'junit'];

interface Parsed {
  help: boolean;
  format: Format;
  status: number | null;
  url: string | null;
  request: Omit<InspectRequest, 'url'>;
  options: InspectOptions;
}

const usage = (message: string): FaultlineError => new FaultlineError('FAULTLINE_USAGE', message);

function parseHeader(raw: string): HeaderPair {
  const colon = raw.indexOf(':');
  if (colon <= 0) throw usage(`-H "${raw}": expected 'Name: value'`);
  return [raw.slice(0, colon).trim(), raw.slice(colon + 1).trim()];
}

function parseInteger(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw usage(`${flag} "${raw}": expected an integer from ${min} to ${max}`);
  return Number(raw);
}

function parseTimeout(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(raw.trim());
  const value = m === null ? NaN : Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  if (!(value > 0)) throw usage(`--timeout "${raw}": expected a positive duration such as 5000, 500ms or 10s`);
  return value;
}

function parse(argv: readonly string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    throw usage(usageMessage(err));
  }
  const v = parsed.values;
  const status = v.status === undefined ? null : parseInteger('--status', v.status, 200, 599);
  const [url, extra] = parsed.positionals;
  if (extra !== undefined) throw usage(`one URL expected, got also "${extra}"`);
  // `localhost:8080/x` would read as scheme "localhost:": the scheme was left out, as with curl.
  if (url !== undefined && /^(localhost|\[[\da-f:.]+\]|[\w-]+(\.[\w-]+)+)(:\d+)?([/?#]|$)/i.test(url))
    throw usage(`"${url}" is not a URL: did you mean http://${url.replace(/^\/+/, '')} ?`);
  if (v.help !== true) {
    if (status === null && url === undefined) throw usage('a URL is required (or --status N; see --help)');
    if (status !== null && url !== undefined) throw usage('--status inspects faultline itself and takes no URL');
  }
  const request: Omit<InspectRequest, 'url'> = { headers: (v.header ?? []).map(parseHeader) };
  if (v.request !== undefined) request.method = v.request;
  if (v.data !== undefined) request.body = v.data;
  const options: InspectOptions = { follow: v.follow === true, corsProbe: v['no-cors-probe'] !== true };
  if (v['max-redirects'] !== undefined) options.maxRedirects = parseInteger('--max-redirects', v['max-redirects'], 0, 1000);
  if (v.timeout !== undefined) options.timeoutMs = parseTimeout(v.timeout);
  const format = (v.format ?? (v.json === true ? 'json' : 'text')) as Format;
  if (!FORMATS.includes(format)) throw usage(`--format "${v.format}": expected text, json or junit`);
  if (v.json === true && format !== 'json') throw usage(`--json and --format ${format} disagree`);
  return { help: v.help === true, format, status, url: url ?? null, request, options };
}

/**
 * `faultline inspect`: returns the exit code (0 no error findings, 1 error findings, 2 usage error
 * or request impossible, with one line on `io.err` naming the problem).
 */
export async function inspectCommand(argv: string[], io: InspectIO, deps: InspectDeps): Promise<number> {
  let target: { url: string; close: () => Promise<void> } | null = null;
  // Known before parsing, so a usage error (FAULTLINE_USAGE) is reported as JSON too.
  let json = argv.includes('--json');
  try {
    const p = parse(argv);
    json = p.format === 'json';
    if (p.help) {
      io.out(INSPECT_HELP);
      return 0;
    }
    let url = p.url ?? '';
    const request = { ...p.request };
    if (p.status !== null) {
      target = await deps.startStatusTarget(p.status);
      url = target.url;
      // 507 is about storing a representation (RFC 4918 §11.5): ask the way that makes it meaningful.
      request.method ??= p.status === 507 ? 'PUT' : 'GET';
    }
    const result = await inspect({ url, ...request }, p.options);
    io.out(p.format === 'json' ? formatJson(result) : p.format === 'junit' ? formatJunit(result) : formatText(result));
    return result.counts.error > 0 ? 1 : 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof FaultlineError ? err.code : 'FAULTLINE_INTERNAL';
    if (json) io.out(`${JSON.stringify({ ok: false, error: { code, message } }, null, 2)}\n`);
    io.err(`faultline inspect: ${message}`);
    return 2;
  } finally {
    if (target !== null) await target.close().catch(() => undefined);
  }
}
