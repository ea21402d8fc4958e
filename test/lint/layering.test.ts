import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The layering check is only worth something if breaking the architecture fails it. Each case
// plants a small tree under a scratch src/ and runs the project's own dependency-cruiser config on it.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function plant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-layering-'));
  scratch.push(dir);
  cpSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function cruise(dir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(depcruise, ['src', '--config', '.dependency-cruiser.cjs'], { cwd: dir }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, out: stdout + stderr });
    });
  });
}

describe('layering check (npm run lint)', () => {
  it('passes a tree that keeps the rules', async () => {
    const dir = plant({
      'src/cli/main.ts': "import { handle } from '../proxy/handler.js';\nhandle();\n",
      'src/proxy/handler.ts': "import type { Rule } from '../scenario/types.js';\nexport function handle(_r?: Rule): void {}\n",
      'src/scenario/types.ts': 'export interface Rule { name: string }\n',
    });
    const { code, out } = await cruise(dir);
    expect(out).toContain('no dependency violations');
    expect(code).toBe(0);
  });

  it('fails on a planted import cycle', async () => {
    const dir = plant({
      'src/cli/main.ts': "import { a } from '../app/a.js';\na();\n",
      'src/app/a.ts': "import { b } from './b.js';\nexport const a = (): number => b();\n",
      'src/app/b.ts': "import { a } from './a.js';\nexport const b = (): number => (a === undefined ? 1 : 0);\n",
    });
    const { code, out } = await cruise(dir);
    expect(out).toContain('no-cycles');
    expect(code).not.toBe(0);
  });

  it('fails on a planted proxy/ → admin/ import', async () => {
    const dir = plant({
      'src/cli/main.ts': "import { handle } from '../proxy/handler.js';\nhandle();\n",
      'src/proxy/handler.ts': "import { route } from '../admin/router.js';\nexport function handle(): void { route(); }\n",
      'src/admin/router.ts': 'export function route(): void {}\n',
    });
    const { code, out } = await cruise(dir);
    expect(out).toContain('proxy-knows-no-control-plane');
    expect(code).not.toBe(0);
  });

  it('fails when scenario/ imports a runtime part, or a fault kind calls into the proxy', async () => {
    const dir = plant({
      'src/cli/main.ts':
        "import { compile } from '../scenario/compile.js';\nimport { slow } from '../faults/slow.js';\ncompile();\nslow();\n",
      'src/scenario/compile.ts': "import { count } from '../metrics/count.js';\nexport function compile(): void { count(); }\n",
      'src/metrics/count.ts': 'export function count(): void {}\n',
      'src/faults/slow.ts': "import { forward } from '../proxy/core.js';\nexport function slow(): void { forward(); }\n",
      'src/proxy/core.ts': 'export function forward(): void {}\n',
    });
    const { code, out } = await cruise(dir);
    expect(out).toContain('vocabulary-is-pure');
    expect(out).toContain('faults-and-quota-see-proxy-types-only');
    expect(code).not.toBe(0);
  });
});
