import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/errors.js';
import { compileRuleSetFromText } from '../../src/scenario/load.js';
import { redosProblem } from '../../src/scenario/redos.js';
import { api } from '../admin/api.js';
import { request } from '../helpers/http.js';
import { scenarioFile, startDemoUpstream, startProxy } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

function problemsOf(yaml: string): string[] {
  try {
    compileRuleSetFromText(yaml, 'redos.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('regular expressions that could stall the matcher are refused at validation', () => {
  it.each([
    ['^/(a+)+$', 'exponential'],
    ['^/(a|a)*$', 'exponential'],
    ['^/(\\w+\\s?)*$', 'exponential'],
    ['/a.*b.*c$', 'polynomial'],
  ])('pathRegex %s: file:line:column and the reason', (pattern, complexity) => {
    const problems = problemsOf(
      `version: 1\nrules:\n  - name: r\n    match:\n      pathRegex: '${pattern}'\n    fault: { status: 507 }\n`,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^redos\.yaml:5:18: rules\[0\]\.match\.pathRegex: regular expression can take .+ time/);
    expect(problems[0]).toContain(complexity);
    expect(problems[0]).toContain('ReDoS');
  });

  it('checks header and query regexes too', () => {
    const problems = problemsOf(
      'version: 1\nrules:\n  - name: r\n    match:\n      headers: { x-a: "/^(x+x+)+y$/" }\n      query: { q: "/(a|aa)+$/" }\n    fault: { status: 507 }\n',
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^redos\.yaml:5:\d+: rules\[0\]\.match\.headers\.x-a: .*exponential/);
    expect(problems[1]).toMatch(/^redos\.yaml:6:\d+: rules\[0\]\.match\.query\.q: .*exponential/);
  });

  it.each([
    '^/v\\d+/',
    '^/files/[^/]+/(.*)$',
    '^/(?:[a-z0-9-]+/)*[a-z0-9-]+\\.json$',
    '^/(\\w+)/\\1$',
    '^/v[12]/',
    '^/files/.*\\.tmp$',
  ])('accepts the linear pattern %s', (pattern) => {
    expect(redosProblem(pattern, '')).toBeNull();
  });
});

describe('over the wire', () => {
  it('PUT /rules with a catastrophic pattern answers 422 and the old rules keep serving', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const proxy = await startProxy(demo.url);
    cleanups.push(() => proxy.close());
    const r = await api(proxy.admin, 'PUT', '/rules', {
      body: "version: 1\nrules:\n  - name: slow\n    match: { pathRegex: '^/(a+)+$' }\n    fault: { status: 507 }\n",
      headers: { 'content-type': 'application/yaml' },
    });
    expect(r.status).toBe(422);
    expect(r.text).toContain('ReDoS');
    const reply = await request(`${proxy.url}/${'a'.repeat(28)}!`, { timeoutMs: 2000 });
    expect(reply.status).toBe(404); // passed through to the demo upstream, promptly
  });

  it('a scenario file with one is refused at start with its position', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const file = scenarioFile(
      "version: 1\nrules:\n  - name: slow\n    match: { pathRegex: '^/(a+)+$' }\n    fault: { status: 507 }\n",
    );
    await expect(startProxy(demo.url, { flags: { scenarios: [file] } })).rejects.toThrow(
      new RegExp(`${file}:4:\\d+: rules\\[0\\]\\.match\\.pathRegex: .*ReDoS`),
    );
  });
});
