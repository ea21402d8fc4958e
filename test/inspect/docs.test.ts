import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FINDINGS, FINDING_IDS, type FindingId } from '../../src/inspect/index.js';

/** The catalogue row docs/inspect.md must carry for `id`, exactly. */
function catalogueRow(id: FindingId): string {
  const e = FINDINGS[id];
  const links = e.refs.map((r) => `[${label(r)}](${r})`).join(', ');
  return `| \`${id}\` | ${e.severity} | ${e.rule} | ${e.fix} | ${links} |`;
}

function label(url: string): string {
  const m = /rfc(\d+)#section-(.+)$/.exec(url);
  if (m !== null) return `RFC ${m[1]} §${m[2]}`;
  if (url.includes('fetch.spec.whatwg.org')) return 'Fetch';
  if (url.includes('owasp')) return 'OWASP';
  if (url.includes('w3.org')) return 'Trace Context';
  return new URL(url).hostname;
}

describe('docs/inspect.md', () => {
  const doc = readFileSync(new URL('../../docs/inspect.md', import.meta.url), 'utf8');

  it.each(FINDING_IDS)('lists %s with its severity, rule, fix and references', (id) => {
    expect(doc).toContain(catalogueRow(id));
  });

  it('lists no finding the catalogue does not have', () => {
    const listed = [...doc.matchAll(/^\| `([a-z0-9-]+)` \| (?:error|warning|info) \|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...FINDING_IDS].sort());
  });
});
