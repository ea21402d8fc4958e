import type { Severity } from '../types.js';

/** One finding of the catalogue: everything but what was observed. */
export interface CatalogueEntry {
  readonly severity: Severity;
  /** When it fires, in one sentence (the docs' "rule" column). */
  readonly rule: string;
  /** One sentence: why it matters to clients. */
  readonly why: string;
  /** One line: what to change. */
  readonly fix: string;
  /** Links to the sections that decide it. */
  readonly refs: readonly string[];
}

/** A link to one section of an RFC on rfc-editor.org. */
export function rfc(n: number, section: string): string {
  return `https://www.rfc-editor.org/rfc/rfc${n}#section-${section}`;
}

export const FETCH_CORS = 'https://fetch.spec.whatwg.org/#http-cors-protocol';
export const OWASP_ERRORS = 'https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html';
