import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { validateCommand } from '../../src/cli/validate.js';

/*
 * Every broken file in fixtures/broken/ is validated on its own; the messages, exactly as users see
 * them, are compared with fixtures/broken.golden.txt. After an intended change of wording, rewrite
 * the golden file with:  UPDATE_GOLDEN=1 npx vitest run --config test/vitest.config.ts test/scenario/golden
 */

const DIR = fileURLToPath(new URL('./fixtures/broken/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('./fixtures/broken.golden.txt', import.meta.url));

async function messagesFor(name: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io = { out: (s: string) => lines.push(`OUT ${s}`), err: (s: string) => lines.push(s) };
  const code = await validateCommand([DIR + name], io);
  return { code, lines: lines.map((l) => l.replaceAll(DIR, '')) };
}

describe('error messages of broken scenario files (golden)', () => {
  const names = readdirSync(DIR)
    .filter((n) => n.endsWith('.yaml'))
    .sort();

  it('has at least 15 distinct broken files', () => {
    expect(names.length).toBeGreaterThanOrEqual(15);
  });

  it('reports every problem at file:line:column, exactly as recorded', async () => {
    const sections: string[] = [];
    for (const name of names) {
      const { code, lines } = await messagesFor(name);
      // Each file is invalid, and says so with exit code 1 and no "ok" line.
      expect(code, name).toBe(1);
      expect(
        lines.some((l) => l.startsWith('OUT ')),
        name,
      ).toBe(false);
      sections.push(`## ${name}\n${lines.join('\n')}\n`);
    }
    const actual = sections.join('\n');
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN, actual);
    expect(actual).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
