import { mediaType } from './headers.js';
import type { CorsProbe, Exchange, Finding, HeaderPair, InspectResult, Severity, Timings } from './types.js';

const PREVIEW_CHARS = 2048;
const PREVIEW_LINES = 24;
const JSON_PREVIEW_CHARS = 4096;
/** C0 controls other than tab/newline, and the replacement character of undecodable bytes. */
const UNPRINTABLE = /[\0-\x08\x0b-\x1f\x7f\ufffd]/g;

/** The stable JSON shape of `--json` (and of the web console's API). */
export interface InspectJson {
  ok: boolean;
  counts: Record<Severity, number>;
  findings: Finding[];
  exchanges: Array<{
    request: { method: string; url: string; headers: HeaderPair[]; bodyBytes: number };
    response: {
      httpVersion: string;
      status: number;
      statusText: string;
      headers: HeaderPair[];
      bodyBytes: number;
      /** Octets after the message ended as framed (a framing defect when > 0). */
      extraBytes: number;
      bodyTruncated: boolean;
      bodyPreview: string;
      complete: boolean;
      timedOut: boolean;
      protocolError: string | null;
    };
    timings: Timings;
  }>;
  corsProbe: CorsProbe | null;
}

/** Plain data for JSON: the captured body becomes a text preview. */
export function toJson(result: InspectResult): InspectJson {
  return {
    ok: result.counts.error === 0,
    counts: result.counts,
    findings: result.findings,
    exchanges: result.exchanges.map(({ request, response, timings }) => ({
      request,
      response: {
        httpVersion: response.httpVersion,
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        bodyBytes: response.bodyBytes,
        extraBytes: response.framing.extraBytes,
        bodyTruncated: response.bodyTruncated,
        bodyPreview: response.text.slice(0, JSON_PREVIEW_CHARS),
        complete: response.complete,
        timedOut: response.timedOut,
        protocolError: response.protocolError,
      },
      timings,
    })),
    corsProbe: result.corsProbe,
  };
}

export function formatJson(result: InspectResult): string {
  return `${JSON.stringify(toJson(result), null, 2)}\n`;
}

/** curl -v style exchange, then the findings, aligned and severity-tagged. */
export function formatText(result: InspectResult): string {
  const lines: string[] = [];
  const many = result.exchanges.length > 1;
  result.exchanges.forEach((ex, i) => {
    if (many) lines.push(`* [${i + 1}/${result.exchanges.length}] ${ex.request.method} ${ex.request.url}`);
    lines.push(...exchangeLines(ex), '');
  });
  if (result.corsProbe !== null) lines.push(corsProbeLine(result.corsProbe), '');
  lines.push(...findingLines(result.findings, result.counts));
  return `${lines.join('\n')}\n`;
}

function exchangeLines({ request, response, timings }: Exchange): string[] {
  const url = new URL(request.url);
  const out = [`> ${request.method} ${url.pathname}${url.search} HTTP/1.1`];
  for (const [n, v] of request.headers) out.push(`> ${n}: ${v}`);
  out.push(request.bodyBytes > 0 ? `> (${request.bodyBytes} bytes of body)` : '>');
  out.push(`< HTTP/${response.httpVersion} ${response.status} ${response.statusText}`);
  for (const [n, v] of response.headers) out.push(`< ${n}: ${v}`);
  out.push('<');
  out.push(`  timing  ${timingText(timings)}`);
  out.push(`  body    ${bodySummary(response)}`);
  const preview = previewText(response.text, response.body.length);
  if (preview !== '') for (const l of preview.split('\n')) out.push(`  | ${l}`);
  return out;
}

function timingText(t: Timings): string {
  const f = (label: string, v: number | null): string => `${label} ${v === null ? '-' : `${v.toFixed(2)} ms`}`;
  const parts = [f('dns', t.dnsMs), f('connect', t.connectMs)];
  if (t.tlsMs !== null) parts.push(f('tls', t.tlsMs));
  parts.push(f('first byte', t.firstByteMs), f('total', t.totalMs));
  return parts.join('  ');
}

function bodySummary(r: Exchange['response']): string {
  const type = mediaType(r.headers) ?? 'no Content-Type';
  const notes: string[] = [];
  if (r.bodyTruncated) notes.push(`first ${r.body.length} kept`);
  if (r.timedOut) notes.push('incomplete: timed out');
  else if (!r.complete) notes.push('incomplete: connection closed early');
  if (r.framing.extraBytes > 0) notes.push(`${r.framing.extraBytes} bytes after the framed end`);
  if (r.protocolError !== null) notes.push(`strict parsers refuse: ${r.protocolError}`);
  return `${r.bodyBytes} bytes, ${type}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** At most PREVIEW_LINES / PREVIEW_CHARS, control characters shown as `·`; binary is not dumped. */
function previewText(text: string, captured: number): string {
  if (captured === 0 || text === '') return '';
  const unprintable = text.match(UNPRINTABLE)?.length ?? 0;
  if (text.includes('\0') || unprintable > text.length / 10) return '(binary)';
  const cut = text.slice(0, PREVIEW_CHARS).replace(UNPRINTABLE, '·').split('\n');
  const shown = cut.slice(0, PREVIEW_LINES);
  if (cut.length > PREVIEW_LINES || text.length > PREVIEW_CHARS) shown.push('…');
  return shown.join('\n');
}

function corsProbeLine(p: CorsProbe): string {
  if (p.error !== null) return `  cors probe  GET ${p.url} failed: ${p.error}`;
  return `  cors probe  GET ${p.url} -> ${p.status ?? '-'}, Access-Control-Allow-Origin: ${p.allowOrigin ?? '(none)'}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function findingLines(findings: readonly Finding[], counts: Record<Severity, number>): string[] {
  if (findings.length === 0) return ['Findings: none'];
  const out = [`Findings: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info`];
  const idWidth = Math.max(...findings.map((f) => f.id.length));
  const indent = ' '.repeat(2 + 7 + 2 + idWidth + 2);
  for (const f of findings) {
    out.push(`  ${f.severity.toUpperCase().padEnd(7)}  ${f.id.padEnd(idWidth)}  ${f.message}`);
    if (f.evidence !== undefined) out.push(`${indent}evidence: ${f.evidence}`);
    out.push(`${indent}why: ${f.why}`, `${indent}fix: ${f.fix}`);
    if (f.refs.length > 0) out.push(`${indent}see: ${f.refs.join(' ')}`);
  }
  return out;
}
