import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCli, type Served } from '../helpers/cli.js';
import { documentationFiles, parseMarkdown, readDoc, ROOT, type CodeBlock } from './markdown.js';

/*
 * The documentation's curl commands, run for real: every `curl` line of a README.md shell block
 * that talks to the demo (localhost:8080, the admin listener localhost:8081), and every shell
 * block in docs/ marked `<!-- runs against: faultline demo ARGS -->`, is run in order against a
 * fresh `faultline demo` (the built CLI, with those ARGS) and must answer the status written in
 * its comment: `# 507`, or `# 201 or 507` where a probability decides. Variable assignments
 * earlier in the block (`auth="..."`, `export X=...`) are run before each line.
 */

const DEMO_HOST = /localhost:808[01]\b/;
const MARKER = /^runs against: faultline (demo\b.*)$/;
const EXPECTED = /\s#\s*(\d{3}(?:\s+or\s+\d{3})*)\b[^#]*$/;

interface Command {
  line: number;
  /** The block's variable assignments above this line. */
  prelude: string[];
  shell: string;
  expected: number[];
}

const ASSIGNMENT = /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*=/;

interface Suite {
  file: string;
  args: string[];
  blocks: { startLine: number; commands: Command[]; missing: string[] }[];
}

function isShell(block: CodeBlock): boolean {
  return block.info === 'sh' || block.info === 'bash' || block.info === 'shell';
}

/** The demo blocks of one file, grouped by the demo they run against. */
function suitesOf(file: string): Suite[] {
  const suites = new Map<string, Suite>();
  for (const block of parseMarkdown(readDoc(file)).blocks) {
    if (!isShell(block)) continue;
    const marked = block.marker === null ? null : MARKER.exec(block.marker);
    const talksToDemo = block.lines.some((l) => /\bcurl\b/.test(l) && DEMO_HOST.test(l));
    if (marked === null && !(file === 'README.md' && talksToDemo)) continue;
    const args = (marked?.[1] ?? 'demo').split(/\s+/);
    const key = args.join(' ');
    const suite = suites.get(key) ?? { file, args, blocks: [] };
    suites.set(key, suite);
    const commands: Command[] = [];
    const missing: string[] = [];
    const prelude: string[] = [];
    block.lines.forEach((text, i) => {
      if (ASSIGNMENT.test(text)) prelude.push(text);
      if (!/\bcurl\b/.test(text) || !DEMO_HOST.test(text)) return;
      const line = block.startLine + i;
      const m = EXPECTED.exec(text);
      if (m === null) {
        missing.push(`${file}:${line}: a curl line without its expected status (# NNN): ${text.trim()}`);
        return;
      }
      commands.push({
        line,
        prelude: [...prelude],
        shell: text.slice(0, m.index).trim(),
        expected: m[1]!.split(/\s+or\s+/).map(Number),
      });
    });
    suite.blocks.push({ startLine: block.startLine, commands, missing });
  }
  return [...suites.values()];
}

/**
 * Run one documented line with the demo's real ports; resolves with the HTTP status curl saw
 * (curl's own options go right after `curl`, so the line may start with a pipe into it).
 */
function run(c: Command, demo: Served): Promise<{ status: number; stderr: string }> {
  const line = c.shell
    .replace(/localhost:8080\b/g, `127.0.0.1:${demo.proxyPort}`)
    .replace(/localhost:8081\b/g, `127.0.0.1:${demo.adminPort}`)
    .replace(/\bcurl /, `curl -s -o /dev/null -w '%{http_code}' --max-time 20 `);
  const command = [...c.prelude, line].join('\n');
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { cwd: ROOT, timeout: 30_000 }, (_err, stdout, stderr) =>
      resolve({ status: Number(stdout.trim().slice(-3)), stderr }),
    );
  });
}

const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasCurl) console.warn('skipped: the documentation command tests need curl (Debian package: curl)');

const suites = documentationFiles().flatMap(suitesOf);

describe('the documentation has demo commands to run', () => {
  it('README.md has a quick start whose first command answers 507', () => {
    const readme = suites.find((s) => s.file === 'README.md' && s.args.join(' ') === 'demo');
    expect(readme).toBeDefined();
    const first = readme!.blocks[0]!.commands[0]!;
    expect(first.expected).toEqual([507]);
    expect(readme!.blocks.flatMap((b) => b.commands).length).toBeGreaterThan(10);
  });
  it('every curl line that talks to the demo states the status it gets', () => {
    expect(suites.flatMap((s) => s.blocks.flatMap((b) => b.missing))).toEqual([]);
  });
});

for (const suite of suites) {
  describe.skipIf(!hasCurl)(`${suite.file}: faultline ${suite.args.join(' ')}`, () => {
    let demo: Served;
    beforeAll(async () => {
      demo = await serveCli([...suite.args, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    });
    afterAll(async () => {
      await demo?.stop();
    });
    for (const block of suite.blocks) {
      it(`the block at line ${block.startLine} answers as documented`, { timeout: 60_000 }, async () => {
        const wrong: string[] = [];
        for (const c of block.commands) {
          const { status, stderr } = await run(c, demo);
          if (!c.expected.includes(status))
            wrong.push(
              `${suite.file}:${c.line}: expected ${c.expected.join(' or ')}, got ${status}: ${c.shell} ${stderr.trim()}`,
            );
        }
        expect(wrong).toEqual([]);
      });
    }
  });
}
