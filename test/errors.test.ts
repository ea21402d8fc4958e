import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

describe('the error catalogue and the docs agree', () => {
  // The README's table, and any table in docs/*.md (a feature documents its own codes there).
  const docsDir = new URL('../docs/', import.meta.url);
  const docs = readdirSync(docsDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => readFileSync(new URL(f, docsDir), 'utf8'));
  const texts = [readFileSync(new URL('../README.md', import.meta.url), 'utf8'), ...docs];
  const documented = new Set(texts.flatMap((t) => [...t.matchAll(/^\| `(FAULTLINE_[A-Z_]+)` \|/gm)].map((m) => m[1])));
  it('every code is documented', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(documented, code).toContain(code);
  });
  it('every documented code exists', () => {
    for (const code of documented) expect(Object.keys(ERROR_CODES), code).toContain(code);
  });
});
