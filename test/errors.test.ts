import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

describe('the error catalogue and docs/errors.md agree', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(FAULTLINE_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  it('every code is documented', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(documented, code).toContain(code);
  });
  it('every documented code exists', () => {
    for (const code of documented) expect(Object.keys(ERROR_CODES), code).toContain(code);
  });
});
