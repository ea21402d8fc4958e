import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { firstSegments } from '../../src/scenario/rule-index.js';
import { compileRuleSetFromText } from '../../src/scenario/load.js';

describe('first-segment index', () => {
  it('finds the literal first segments a match is limited to', () => {
    expect(firstSegments({ path: ['/svc-0/items'] })).toEqual(['svc-0']);
    expect(firstSegments({ path: ['/files/**', '/health'] })).toEqual(['files', 'health']);
    expect(firstSegments({ path: ['/a/*/b'] })).toEqual(['a']);
    expect(firstSegments({ pathRegex: { source: '^/v2/', flags: '' } })).toEqual(['v2']);
    for (const open of [
      { path: ['/**'] },
      { path: ['/fi*/x'] },
      { path: ['/{a,b}/x'] },
      { path: ['/'] },
      { pathRegex: { source: '^/v\\d+/', flags: '' } },
      { pathRegex: { source: '^/API/', flags: 'i' } },
      { pathRegex: { source: '^/api', flags: '' } },
      { method: ['GET'] },
    ]) {
      expect(firstSegments(open as never), JSON.stringify(open)).toBeNull();
    }
    expect(firstSegments(undefined)).toBeNull();
  });

  it('selects exactly the first rule whose match holds, as trying every rule in order would', () => {
    const kinds = [
      '{ path: /svc-N/items }',
      '{ path: /files-N/** }',
      '{ pathRegex: ^/vN/ }',
      '{ path: [/a-N/*/b, /health-N] }',
      '{ path: /** , method: DELETE }',
      '{ pathRegex: "^/v\\\\d+/x" }',
      '{ headers: { x-n: "N" } }',
    ];
    let text = 'version: 1\nrules:\n';
    for (let n = 0; n < 35; n++)
      text += `  - name: r-${n}\n    match: ${(kinds[n % kinds.length] as string).replace(/N/g, String(n % 5))}\n    fault: { status: 503 }\n`;
    const set = compileRuleSetFromText(text, 'idx.yaml');
    const paths = [
      '/',
      '/svc-1/items',
      '/svc-3/items',
      '/files-2/a/b',
      '/files-2',
      '/v0/x',
      '/v4/x',
      '/a-3/q/b',
      '/health-1',
      '/v12/x',
      '/other',
      '*',
    ];
    const methods = ['GET', 'PUT', 'DELETE'];
    for (let i = 0; i < 300; i++) {
      const path = paths[i % paths.length] as string;
      const req = { method: methods[i % methods.length], headers: { 'x-n': String(i % 7) } } as unknown as IncomingMessage;
      const expected = set.rules.find((r) => r.matches(req, path, ''))?.name ?? null;
      expect(set.select(req, path, '', 0)?.name ?? null, `${req.method} ${path}`).toBe(expected);
    }
  });
});
