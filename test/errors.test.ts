import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

describe('the error catalogue and the README agree', () => {
  // The README's table, and docs/errors.md (where the reference is moving) when it exists.
  const errorsDoc = new URL('../docs/errors.md', import.meta.url);
  const readme =
    readFileSync(new URL('../README.md', import.meta.url), 'utf8') +
    (existsSync(errorsDoc) ? readFileSync(errorsDoc, 'utf8') : '');
  const documented = new Set([...readme.matchAll(/^\| `(FAULTLINE_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  it('every code is documented', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(documented, code).toContain(code);
  });
  it('every documented code exists', () => {
    for (const code of documented) expect(Object.keys(ERROR_CODES), code).toContain(code);
  });
});
