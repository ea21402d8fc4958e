import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { ScenarioError, formatProblem } from '../../src/errors.js';
import { compileRuleSetFromText, emptyRuleSet, loadRuleSet } from '../../src/scenario/load.js';
import { parseScenarioText } from '../../src/scenario/parse.js';
import { req, ruleSet } from './helpers.js';

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-scn-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const file = (...names: string[]): string =>
  `version: 1\nrules:\n${names.map((n) => `  - name: ${n}\n    fault: { status: 507 }\n`).join('')}`;

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

describe('compiling faults', () => {
  it('compiles every fault kind into the FaultSpec of types.ts', () => {
    const set = ruleSet(
      [
        '  - name: s\n    fault: { status: 507, body: { error: "{path}" }, headers: { x-a: 1 }, retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT" }\n',
        '  - name: d\n    fault: { delay: { min: 100ms, max: 2s }, phase: response, replaceStatus: 502, body: plain }\n',
        '  - name: r\n    fault: { reset: { afterBytes: 1KiB } }\n',
        '  - name: h\n    fault: { hang: true }\n',
        '  - name: t\n    fault: { throttle: 64KiB/s }\n',
        '  - name: u\n    fault: { delay: 250ms, truncate: 10 }\n',
        '  - name: p\n    fault: { delay: 1s }\n',
        '  - name: g\n    fault: { grpc: { status: resource_exhausted, message: "quota exceeded", details: "CAg=" } }\n',
        '  - name: g2\n    fault: { delay: 1s, grpc: 14 }\n',
        '  - name: rg\n    fault: { replaceStatus: { grpc: UNAVAILABLE } }\n',
        '  - name: tm\n    fault: { truncate: { afterMessages: 3 } }\n',
        '  - name: tb\n    fault: { truncate: { bytes: 2KiB } }\n',
        '  - name: re\n    fault: { reset: { afterEvents: 2 } }\n',
      ].join(''),
    );
    const fault = (n: string): unknown => set.byName.get(n)?.fault;
    expect(fault('s')).toEqual({
      delay: null,
      kind: 'status',
      action: {
        kind: 'status',
        status: 507,
        body: { contentType: 'application/json', text: '{"error":"{path}"}', hasPlaceholders: true },
        dialect: { format: 'problem', code: null, message: null, preset: null },
        headers: [['x-a', '1']],
        retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT',
      },
    });
    expect(fault('d')).toEqual({
      delay: { minMs: 100, maxMs: 2000, phase: 'response' },
      kind: 'replaceStatus',
      action: {
        kind: 'replaceStatus',
        status: 502,
        body: { contentType: 'text/plain; charset=utf-8', text: 'plain', hasPlaceholders: false },
        dialect: { format: 'problem', code: null, message: null, preset: null },
        headers: [],
        retryAfter: null,
      },
    });
    expect(fault('r')).toEqual({
      delay: null,
      kind: 'reset',
      action: { kind: 'reset', after: { unit: 'bytes', count: 1024 }, code: 2, connection: false },
    });
    expect(fault('h')).toEqual({ delay: null, kind: 'hang', action: { kind: 'hang', durationMs: null } });
    expect(fault('t')).toEqual({
      delay: null,
      kind: 'throttle',
      action: { kind: 'throttle', requestBps: null, responseBps: 65536 },
    });
    expect(fault('u')).toEqual({
      delay: { minMs: 250, maxMs: 250, phase: 'request' },
      kind: 'truncate',
      action: { kind: 'truncate', after: { unit: 'bytes', count: 10 }, code: 2 },
    });
    expect(fault('p')).toEqual({ delay: { minMs: 1000, maxMs: 1000, phase: 'request' }, kind: 'delay', action: null });
    expect(fault('g')).toEqual({
      delay: null,
      kind: 'grpc',
      action: { kind: 'grpc', grpcStatus: 8, message: 'quota exceeded', details: 'CAg=' },
    });
    expect(fault('g2')).toEqual({
      delay: { minMs: 1000, maxMs: 1000, phase: 'request' },
      kind: 'grpc',
      action: { kind: 'grpc', grpcStatus: 14, message: null, details: null },
    });
    expect(fault('rg')).toEqual({
      delay: null,
      kind: 'replaceStatus',
      action: { kind: 'replaceStatus', grpcStatus: 14, message: null, details: null },
    });
    expect(fault('tm')).toEqual({
      delay: null,
      kind: 'truncate',
      action: { kind: 'truncate', after: { unit: 'messages', count: 3 }, code: 2 },
    });
    expect(fault('tb')).toEqual({
      delay: null,
      kind: 'truncate',
      action: { kind: 'truncate', after: { unit: 'bytes', count: 2048 }, code: 2 },
    });
    expect(fault('re')).toEqual({
      delay: null,
      kind: 'reset',
      action: { kind: 'reset', after: { unit: 'events', count: 2 }, code: 2, connection: false },
    });
  });

  it('compiles the HTTP/2 options of reset and truncate: an error code by name (any case) or number, and connection', () => {
    const set = ruleSet(
      [
        '  - name: a\n    fault: { reset: { code: CANCEL } }\n',
        '  - name: b\n    fault: { reset: { connection: true, code: enhance_your_calm } }\n',
        '  - name: c\n    fault: { reset: { afterBytes: 1KiB, code: 0 } }\n',
        '  - name: d\n    fault: { truncate: { bytes: 10, code: REFUSED_STREAM } }\n',
        '  - name: e\n    fault: { reset: { connection: true } }\n',
        '  - name: f\n    fault: { reset: { afterMessages: 2, code: CANCEL } }\n',
        '  - name: g\n    fault: { reset: { afterEvents: 2, connection: true } }\n',
        '  - name: h\n    fault: { truncate: { afterEvents: 1, code: CANCEL } }\n',
      ].join(''),
    );
    const action = (n: string): unknown => set.byName.get(n)?.fault.action;
    expect(action('a')).toEqual({ kind: 'reset', after: null, code: 8, connection: false });
    expect(action('b')).toEqual({ kind: 'reset', after: null, code: 11, connection: true });
    expect(action('c')).toEqual({ kind: 'reset', after: { unit: 'bytes', count: 1024 }, code: 0, connection: false });
    expect(action('d')).toEqual({ kind: 'truncate', after: { unit: 'bytes', count: 10 }, code: 7 });
    expect(action('e')).toEqual({ kind: 'reset', after: null, code: 2, connection: true });
    expect(action('f')).toEqual({ kind: 'reset', after: { unit: 'messages', count: 2 }, code: 8, connection: false });
    expect(action('g')).toEqual({ kind: 'reset', after: { unit: 'events', count: 2 }, code: 2, connection: true });
    expect(action('h')).toEqual({ kind: 'truncate', after: { unit: 'events', count: 1 }, code: 8 });
  });

  it('refuses an unknown HTTP/2 error code at file:line:column, with a did-you-mean for a near miss', async () => {
    const text = (fault: string) => `version: 1\nrules:\n  - name: a\n    fault: ${fault}\n`;
    const problems = (fault: string) =>
      problemsOf(Promise.resolve().then(() => compileRuleSetFromText(text(fault), '<request>')));
    expect(await problems('{ reset: { code: CANCELL } }')).toEqual([
      '<request>:4:29: rules[0].fault.reset.code: unknown HTTP/2 error code "CANCELL" (did you mean "CANCEL"?)',
    ]);
    expect(await problems('{ reset: { code: 14 } }')).toEqual([
      '<request>:4:29: rules[0].fault.reset.code: must be an HTTP/2 error code: a number 0-13 or one of NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, SETTINGS_TIMEOUT, STREAM_CLOSED, FRAME_SIZE_ERROR, REFUSED_STREAM, CANCEL, COMPRESSION_ERROR, CONNECT_ERROR, ENHANCE_YOUR_CALM, INADEQUATE_SECURITY, HTTP_1_1_REQUIRED',
    ]);
    expect((await problems('{ truncate: { bytes: 1KiB, code: teapot } }'))[0]).toMatch(
      /^<request>:4:\d+: rules\[0\]\.fault\.truncate\.code: unknown HTTP\/2 error code "teapot" \(expected a number 0-13 or one of: NO_ERROR, /,
    );
    expect(await problems('{ reset: { connection: yes } }')).toEqual([
      '<request>:4:35: rules[0].fault.reset.connection: must be true or false',
    ]);
    expect(await problems('{ reset: { code: 8, afterByte: 1 } }')).toEqual([
      '<request>:4:32: rules[0].fault.reset.afterByte: unknown key (did you mean "afterBytes"?)',
    ]);
  });

  it('compiles a quota', () => {
    const set = ruleSet(
      '  - name: q\n    when: { quota: { key: header:X-Tenant-Id, measure: bytes, limit: 10MiB, period: 1h, track: objects } }\n    fault: { status: 507 }\n',
    );
    expect(set.byName.get('q')?.quota).toEqual({
      key: { kind: 'header', name: 'x-tenant-id' },
      keyText: 'header:X-Tenant-Id',
      measure: 'bytes',
      limit: 10 * 1024 * 1024,
      periodMs: 3_600_000,
      track: 'objects',
      countOn: 'success',
      metricsPerKey: false,
    });
  });

  it('freezes the rule set, its rules and their data; only state is mutable', () => {
    const set = compileRuleSetFromText(file('a'), '<test>');
    const rule = set.rules[0];
    expect(Object.isFrozen(set)).toBe(true);
    expect(Object.isFrozen(set.rules)).toBe(true);
    expect(Object.isFrozen(rule)).toBe(true);
    expect(Object.isFrozen(rule?.fault.action)).toBe(true);
    expect(Object.isFrozen(rule?.state)).toBe(false);
    expect(rule?.line).toBe(3);
    expect(rule?.source).toBe('<test>');
  });

  it('reads headerFaults (any file) and marker (off if any file turns it off)', () => {
    const set = ruleSet('', { head: 'headerFaults: true\nmarker: false\n' });
    expect([set.headerFaults, set.marker]).toEqual([true, false]);
    const plain = emptyRuleSet();
    expect([plain.headerFaults, plain.marker, plain.rules.length]).toEqual([false, true, 0]);
    expect(plain.select(req(), '/', '', 0)).toBe(null);
  });

  it('accepts JSON (the admin API sends it)', () => {
    const set = compileRuleSetFromText(
      JSON.stringify({ version: 1, rules: [{ name: 'j', fault: { status: 507 } }] }),
      '<request>',
    );
    expect(set.rules.map((r) => [r.name, r.source])).toEqual([['j', '<request>']]);
  });

  it('reports problems of an in-memory document as a ScenarioError', async () => {
    expect(
      await problemsOf(
        Promise.resolve().then(() =>
          compileRuleSetFromText('version: 1\nrules:\n  - name: a\n    fault: { status: 1 }\n', '<request>'),
        ),
      ),
    ).toEqual(['<request>:4:22: rules[0].fault.status: must be an integer 200-599']);
  });

  it('parseScenarioText returns problems or a document', () => {
    const ok = parseScenarioText(file('a', 'b'), 'f.yaml');
    expect('doc' in ok && ok.doc.rulePositions.map((p) => p.line)).toEqual([3, 5]);
    expect('problems' in parseScenarioText('version: 1\nrulez: []\n', 'f.yaml')).toBe(true);
  });
});

describe('loadRuleSet', () => {
  it('returns an empty rule set for no paths', async () => {
    expect((await loadRuleSet([])).rules).toEqual([]);
  });

  it('expands a directory to its *.yaml and *.yml files, sorted, skipping others and dot files', async () => {
    const dir = tempDir({
      'b.yml': file('b'),
      'a.yaml': file('a'),
      'notes.txt': 'x',
      '.swap.yaml': 'broken: [',
      'sub/c.yaml': file('c'),
    });
    const set = await loadRuleSet([dir]);
    expect(set.rules.map((r) => r.name)).toEqual(['a', 'b']);
    expect(set.files).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yml')]);
    // A file named twice is loaded once.
    expect((await loadRuleSet([dir, join(dir, 'a.yaml')])).rules.length).toBe(2);
  });

  it('reports every problem of every file, and duplicate names across files at the second one', async () => {
    const dir = tempDir({
      'a.yaml': file('one', 'two'),
      'b.yaml': `version: 1\nseed: 1\nrules:\n  - name: two\n    fault: { status: 1 }\n`,
      'c.yaml': `version: 1\nseed: 2\nrules:\n  - name: two\n    fault: { status: 507 }\n`,
    });
    expect(await problemsOf(loadRuleSet([join(dir, 'missing.yaml'), dir]))).toEqual([
      `${join(dir, 'missing.yaml')}:1:1: cannot read: no such file or directory`,
      // Names and seeds are checked across files even when a file has other problems.
      `${join(dir, 'b.yaml')}:4:11: rules[0].name: duplicate rule name "two" (first defined at ${join(dir, 'a.yaml')}:5:11)`,
      `${join(dir, 'b.yaml')}:5:22: rules[0].fault.status: must be an integer 200-599`,
      `${join(dir, 'c.yaml')}:2:7: seed: conflicts with seed 1 in ${join(dir, 'b.yaml')} (one rule set has one seed)`,
      `${join(dir, 'c.yaml')}:4:11: rules[0].name: duplicate rule name "two" (first defined at ${join(dir, 'a.yaml')}:5:11)`,
    ]);
  });

  it('takes the seed from the files; two different seeds are a problem', async () => {
    const dir = tempDir({
      'a.yaml': `version: 1\nseed: 7\nrules: []\n`,
      'b.yaml': `version: 1\nrules:\n`,
      'c.yaml': `version: 1\nseed: 8\nrules: []\n`,
    });
    expect((await loadRuleSet([join(dir, 'a.yaml'), join(dir, 'b.yaml')])).seed).toBe(7);
    expect(await problemsOf(loadRuleSet([dir]))).toEqual([
      `${join(dir, 'c.yaml')}:2:7: seed: conflicts with seed 7 in ${join(dir, 'a.yaml')} (one rule set has one seed)`,
    ]);
  });
});

describe('reload carry-over', () => {
  const v1 =
    'version: 1\nrules:\n  - name: same\n    when: { every: 2 }\n    fault: { status: 507 }\n  - name: changed\n    fault: { status: 500 }\n  - name: gone\n    fault: { status: 500 }\n';
  const v2 =
    'version: 1\nrules:\n  - name: same\n    when:\n      every: 2\n    fault:\n      status: 507\n  - name: changed\n    fault: { status: 503 }\n  - name: added\n    fault: { status: 500 }\n';

  it('keeps the state of unchanged rules (however reformatted) and starts changed and new ones fresh', () => {
    const old = compileRuleSetFromText(v1, 'f.yaml', { now: () => 1000 });
    for (const r of old.rules) {
      r.state.matched = 7;
      r.state.injected = 3;
      r.state.enabled = false;
      r.state.probability = 0.5;
    }
    const next = compileRuleSetFromText(v2, 'f.yaml', { now: () => 5000, previous: old });
    expect(next.byName.get('same')?.state).toBe(old.byName.get('same')?.state);
    expect(next.byName.get('same')?.fingerprint).toBe(old.byName.get('same')?.fingerprint);
    for (const name of ['changed', 'added']) {
      expect(next.byName.get(name)?.state).toEqual({
        enabled: true,
        probability: null,
        enabledAt: 5000,
        matched: 0,
        injected: 0,
        active: 0,
        fired: 0,
      });
    }
    expect(next.byName.has('gone')).toBe(false);
    expect(next.loadedAt).toBe(5000);
  });

  it('treats an equivalent spelling as the same definition, and a different value as a change', () => {
    const a = ruleSet('  - name: r\n    when: { probability: 5% }\n    fault: { delay: 1s }\n');
    const b = ruleSet('  - name: r\n    when: { probability: 0.05 }\n    fault: { delay: 1000 }\n');
    const c = ruleSet('  - name: r\n    when: { probability: 0.06 }\n    fault: { delay: 1000 }\n');
    expect(a.rules[0]?.fingerprint).toBe(b.rules[0]?.fingerprint);
    expect(a.rules[0]?.fingerprint).not.toBe(c.rules[0]?.fingerprint);
  });
});

describe('compiling dialects (as:, format:)', () => {
  it('as: alone is a status fault with the preset status; status: or replaceStatus: keep the vendor body', () => {
    const set = ruleSet(
      [
        '  - name: c\n    fault: { as: ceph }\n',
        '  - name: m\n    fault: { as: minio, status: 500, retryAfter: 30 }\n',
        '  - name: w\n    fault: { replaceStatus: 507, as: webdav }\n',
        '  - name: f\n    fault: { status: 429, format: google-json, code: rateLimitExceeded }\n',
      ].join(''),
    );
    const action = (n: string): unknown => set.byName.get(n)?.fault.action;
    expect(action('c')).toEqual({
      kind: 'status',
      status: 403,
      body: null,
      dialect: { format: 'ceph-xml', code: 'QuotaExceeded', message: null, preset: 'ceph' },
      headers: [],
      retryAfter: null,
    });
    expect(action('m')).toMatchObject({
      kind: 'status',
      status: 500,
      retryAfter: '30',
      dialect: { format: 's3-xml', preset: 'minio' },
    });
    expect(action('w')).toMatchObject({
      kind: 'replaceStatus',
      status: 507,
      dialect: { format: 'sabredav-xml', preset: 'webdav' },
    });
    expect(action('f')).toMatchObject({
      dialect: { format: 'google-json', code: 'rateLimitExceeded', message: null, preset: null },
    });
  });

  it('as: with phase: response is refused like status: is', () => {
    expect(() => ruleSet('  - name: p\n    fault: { as: minio, delay: 1s, phase: response }\n')).toThrow(
      /phase: response waits for the upstream/,
    );
  });
});
