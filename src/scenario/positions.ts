import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/*
 * From a path inside the parsed data (`['rules', 2, 'fault', 'status']`) back to where it was
 * written, using the node ranges the `yaml` package keeps. A path that leads to a missing key
 * stops at its parent (a missing `name` is reported where the rule starts).
 */

export type DataPath = readonly PropertyKey[];

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** `rules[2].fault.status`; keys that are not plain words are quoted: `headers["x y"]`. */
export function formatPath(path: DataPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(seg))) out += out === '' ? String(seg) : `.${String(seg)}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/**
 * Where `path` was written. `atKey`: point at the key itself rather than its value (unknown keys,
 * bad header names).
 */
export function locate(doc: Document, lines: LineCounter, path: DataPath, atKey = false): Position {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      if (atKey && i === path.length - 1) {
        offset = rangeStart(pair.key) ?? offset;
        break;
      }
      // `key:` with nothing after it has no value node: point at the key.
      next = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    const start = rangeStart(next);
    if (start === undefined) break;
    node = next;
    offset = start;
  }
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0] ?? undefined;
}
