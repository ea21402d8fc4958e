/*
 * What a WebDAV (RFC 4918) server does to its stored bytes, as plain data: given the table of
 * tracked object paths and sizes, the change each method would make. Both quota stores carry out
 * the same changes (the memory store directly, the Redis store in one Lua script), and the engine
 * computes one before forwarding to reserve the growth. A change is applied only once the server
 * said yes (2xx): a refused or failed COPY stores nothing.
 *
 *   DELETE /dir          every object at or under /dir/ goes (§9.6.1: DELETE of a collection is recursive)
 *   COPY   /a → /b       b (and b/…) goes, then a's objects are added under b (Depth: infinity)
 *   MOVE   /a → /b       the same, but a's objects are renamed: no growth, b's old bytes are freed
 *   Overwrite: F and an existing destination → 412 (§10.6), nothing changes
 *
 * Paths are decoded URL paths (objectPath); a trailing slash names the same resource.
 */

/** What a request would do to the table. `delta` is the change in stored bytes (negative frees). */
export interface ObjectChange {
  /** `refused`: the server will not do it (412 for Overwrite: F, 403/409 for overlapping paths). */
  readonly outcome: 'ok' | 'refused';
  readonly delta: number;
  /** Paths removed, then objects written (path, size), in that order. */
  readonly deletes: readonly string[];
  readonly puts: readonly (readonly [string, number])[];
}

/** A COPY or MOVE: `rename` for MOVE; `depth0` for a COPY with `Depth: 0` (the resource, not its members). */
export interface Transfer {
  readonly from: string;
  readonly to: string;
  readonly rename: boolean;
  readonly depth0: boolean;
}

const REFUSED: ObjectChange = { outcome: 'refused', delta: 0, deletes: [], puts: [] };

const ORIGIN = 'http://object.invalid';

/**
 * The key of a request path: percent-decoded (`/a%20b` and `/a b` are one object, as every WebDAV
 * server sees them), dot segments resolved, without a trailing slash. A malformed escape keeps the
 * path as written.
 */
export function objectPath(raw: string): string {
  let p = raw;
  if (p.includes('%') || p.includes('/.')) {
    p = new URL(ORIGIN + (p.startsWith('/') ? p : `/${p}`)).pathname;
    try {
      p = decodeURIComponent(p);
    } catch {
      // a malformed escape: keyed as written
    }
  }
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/**
 * The object a `Destination` header names (an absolute URI, whose origin is dropped, or an absolute
 * path), keyed like a request path; null when it names none.
 */
export function destinationPath(destination: string | undefined): string | null {
  if (destination === undefined || destination === '') return null;
  try {
    const path = destination.startsWith('/') ? destination : new URL(destination).pathname;
    return objectPath(path);
  } catch {
    return null;
  }
}

/** Is `path` the object `root` or under it? */
export function isUnder(path: string, root: string): boolean {
  return path === root || root === '/' || (path.startsWith(root) && path.charCodeAt(root.length) === 0x2f);
}

function under(objects: ReadonlyMap<string, number>, root: string): [string, number][] {
  const found: [string, number][] = [];
  for (const entry of objects) if (isUnder(entry[0], root)) found.push(entry);
  return found;
}

/** DELETE: the object, or the collection and everything under it. */
export function deleteChange(objects: ReadonlyMap<string, number>, path: string): ObjectChange {
  const gone = under(objects, path);
  return { outcome: 'ok', delta: 0 - sum(gone), deletes: gone.map(([p]) => p), puts: [] };
}

/**
 * COPY or MOVE. A source the table does not know (never uploaded through the quota, or forgotten)
 * transfers nothing known; the destination it replaces is still freed.
 */
export function transferChange(objects: ReadonlyMap<string, number>, t: Transfer, overwrite: boolean): ObjectChange {
  const { from, to } = t;
  // Source and destination may not overlap (Apache mod_dav answers 403, nginx 409): nothing changes.
  if (isUnder(to, from) || isUnder(from, to)) return REFUSED;
  const replaced = under(objects, to);
  if (replaced.length > 0 && !overwrite) return REFUSED;
  const sources = t.depth0 ? under(objects, from).filter(([p]) => p === from) : under(objects, from);
  const puts = sources.map(([p, size]): [string, number] => [to + p.slice(from.length), size]);
  const deletes = replaced.map(([p]) => p);
  if (t.rename) deletes.push(...sources.map(([p]) => p));
  const delta = (t.rename ? 0 : sum(sources)) - sum(replaced);
  return { outcome: 'ok', delta, deletes, puts };
}

function sum(entries: readonly (readonly [string, number])[]): number {
  let n = 0;
  for (const [, size] of entries) n += size;
  return n;
}
