import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_IDS, inspect, type InspectRequest } from '../../src/inspect/index.js';
import { BROKEN, CORRECT, type CorpusCase } from './corpus.js';
import { plain, startServer, type Route, type TestServer } from './server.js';

let server: TestServer;

beforeAll(async () => {
  // The origin's / carries CORS headers, as the CORS probe expects of a success response.
  const routes: Record<string, Route> = { '/': plain(200, { 'access-control-allow-origin': '*' }, 'home') };
  for (const c of [...CORRECT, ...BROKEN]) routes[`/${c.name}`] = c.route;
  server = await startServer(routes);
});
afterAll(() => server.close());

async function run(c: CorpusCase): Promise<string[]> {
  const req: InspectRequest = { url: `${server.url}/${c.name}`, headers: c.headers ?? [] };
  if (c.method !== undefined) req.method = c.method;
  const result = await inspect(req, { timeoutMs: 3000, ...c.options });
  for (const f of result.findings) {
    expect(f.fix.length).toBeGreaterThan(10);
    expect(f.refs.length).toBeGreaterThan(0);
  }
  return result.findings.map((f) => f.id).sort();
}

describe('the corpus', () => {
  it('has at least 40 broken and 10 correct error responses', () => {
    expect(BROKEN.length).toBeGreaterThanOrEqual(40);
    expect(CORRECT.length).toBeGreaterThanOrEqual(10);
    expect(new Set([...CORRECT, ...BROKEN].map((c) => c.name)).size).toBe(CORRECT.length + BROKEN.length);
  });

  it.each(CORRECT)('correct: $name has no findings', async (c) => {
    expect(await run(c)).toEqual([]);
  });

  it.each(BROKEN)('broken: $name → $ids', async (c) => {
    expect(await run(c)).toEqual([...c.ids].sort());
  });

  it('reports every id of the catalogue in some case', () => {
    const covered = new Set(BROKEN.flatMap((c) => c.ids));
    // too-many-redirects needs --follow: request.test.ts covers it.
    expect(FINDING_IDS.filter((id) => !covered.has(id))).toEqual(['too-many-redirects']);
  });
});

describe('what the findings say', () => {
  it('names the values it saw', async () => {
    const r = await inspect({ url: `${server.url}/retry-after-decimal` });
    expect(r.findings[0]).toMatchObject({ id: 'retry-after-invalid', severity: 'error', evidence: '1.5' });
    const short = await inspect({ url: `${server.url}/cl-short` });
    expect(short.findings[0]?.message).toMatch(/^Content-Length is 500 but the connection closed after \d+ bytes of body$/);
    expect(short.exchanges[0]?.response.complete).toBe(false);
  });

  it('reports conflicting lengths as a finding with exit-1 severity, not as an unreachable server', async () => {
    const r = await inspect({ url: `${server.url}/cl-conflict` });
    expect(r.findings[0]).toMatchObject({ id: 'content-length-invalid', severity: 'error' });
    expect(r.exchanges[0]?.response.status).toBe(500);
  });

  it('links each reference to an RFC section or a standard', async () => {
    const r = await inspect({ url: `${server.url}/te-and-cl` });
    expect(r.findings[0]?.refs).toContain('https://www.rfc-editor.org/rfc/rfc9112#section-6.2');
  });

  it('records the probe it made for the CORS check', async () => {
    const r = await inspect({ url: `${server.url}/cors-missing`, headers: [['Origin', 'https://app.example']] });
    expect(r.corsProbe).toEqual({ url: `${server.url}/`, status: 200, allowOrigin: '*', error: null });
    const off = await inspect(
      { url: `${server.url}/cors-missing`, headers: [['Origin', 'https://app.example']] },
      { corsProbe: false },
    );
    expect(off.findings).toEqual([]);
  });
});
