import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

describe('the error catalogue and the README (and docs/) agree', () => {
  const docs = new URL('../docs/', import.meta.url);
  const pages = existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')) : [];
  const readme = [new URL('../README.md', import.meta.url), ...pages.map((f) => new URL(f, docs))]
    .map((u) => readFileSync(u, 'utf8'))
    .join('\n');
  const documented = new Set([...readme.matchAll(/^\| `(FAULTLINE_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  it('every code is documented', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(documented, code).toContain(code);
  });
  it('every documented code exists', () => {
    for (const code of documented) expect(Object.keys(ERROR_CODES), code).toContain(code);
  });
});
