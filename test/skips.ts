import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SKIP_DIR_ENV } from './helpers/requires.js';

/*
 * vitest globalSetup: gives the test workers a directory to record skips in (helpers/requires.ts)
 * and, when the run ends, prints one line per missing system program, the files it skipped, and
 * the one apt-get line that installs them all.
 */

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-skips-'));
  process.env[SKIP_DIR_ENV] = dir;
  return () => {
    const byProgram = new Map<string, { debianPackage: string; files: Set<string> }>();
    for (const name of readdirSync(dir)) {
      const r = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { program: string; debianPackage: string; file: string };
      const entry = byProgram.get(r.program) ?? { debianPackage: r.debianPackage, files: new Set<string>() };
      entry.files.add(r.file);
      byProgram.set(r.program, entry);
    }
    rmSync(dir, { recursive: true, force: true });
    if (byProgram.size === 0) return;
    const lines = [...byProgram].sort().map(([program, e]) => {
      const files = [...e.files].sort();
      return `  skipped: ${program} not found (Debian package ${e.debianPackage}): ${files.length} test file(s): ${files.join(', ')}`;
    });
    const packages = [...new Set([...byProgram.values()].map((e) => e.debianPackage))].sort();
    process.stdout.write(
      `\nSome tests need system programs that are not installed:\n${lines.join('\n')}\n  install them (Debian/Ubuntu): sudo apt-get install -y ${packages.join(' ')}\n`,
    );
  };
}
