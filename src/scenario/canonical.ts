import { isRecord } from './is-record.js';

/** JSON with sorted keys: the same definition, however written (5% or 0.05, key order), prints the same. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  // JSON.stringify(undefined) is undefined at run time, whatever its declared type says.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  return JSON.stringify(v) ?? 'null';
}
