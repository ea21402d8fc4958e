import { describe, expect, it } from 'vitest';
import { ObjectTable, destinationPath, type ObjectChange } from '../../src/quota/objects.js';

/** A table with these objects already stored. */
function table(objects: Record<string, number>): ObjectTable {
  const t = new ObjectTable();
  for (const [p, size] of Object.entries(objects)) t.apply(t.put(p, size));
  return t;
}

function contents(t: ObjectTable): Record<string, number> {
  return Object.fromEntries(t.under('/').sort(([a], [b]) => a.localeCompare(b)));
}

/** Apply and check that the predicted delta is what the table's total moved by. */
function applied(t: ObjectTable, change: ObjectChange): number {
  const before = t.bytes;
  t.apply(change);
  expect(t.bytes - before).toBe(change.outcome === 'ok' ? change.delta : 0);
  return change.delta;
}

describe('ObjectTable: what a WebDAV server stores', () => {
  it('PUT replaces an object: only growth counts', () => {
    const t = table({ '/a': 600 });
    expect(applied(t, t.put('/a', 400))).toBe(-200);
    expect(applied(t, t.put('/b', 100))).toBe(100);
    expect(t.bytes).toBe(500);
  });

  it('COPY adds the destination at the tracked source size; the source stays', () => {
    const t = table({ '/f/a.bin': 6_000_000 });
    const change = t.copy('/f/a.bin', '/f/b.bin', true);
    expect(change.delta).toBe(6_000_000);
    applied(t, change);
    expect(contents(t)).toEqual({ '/f/a.bin': 6_000_000, '/f/b.bin': 6_000_000 });
  });

  it('a COPY the server refused (never applied) stores nothing', () => {
    const t = table({ '/a': 10 });
    t.copy('/a', '/b', true); // computed for the reservation, then the quota or the server said no
    expect(contents(t)).toEqual({ '/a': 10 });
  });

  it('COPY onto an existing destination: Overwrite: T replaces it, Overwrite: F is 412 and changes nothing', () => {
    const t = table({ '/a': 100, '/b': 30 });
    const refused = t.copy('/a', '/b', false);
    expect(refused.outcome).toBe('precondition-failed');
    expect(applied(t, refused)).toBe(0);
    expect(contents(t)).toEqual({ '/a': 100, '/b': 30 });
    expect(applied(t, t.copy('/a', '/b', true))).toBe(70);
    expect(contents(t)).toEqual({ '/a': 100, '/b': 100 });
  });

  it('COPY of a collection copies every member (Depth: infinity); Depth: 0 only the resource itself', () => {
    const t = table({ '/d/x': 1, '/d/sub/y': 2, '/dx': 50 });
    expect(applied(t, t.copy('/d/', '/e', true))).toBe(3);
    expect(contents(t)).toEqual({ '/d/sub/y': 2, '/d/x': 1, '/dx': 50, '/e/sub/y': 2, '/e/x': 1 });
    expect(t.copy('/d', '/f', true, true).outcome).toBe('not-found'); // a collection has no bytes of its own
  });

  it('MOVE renames: no growth, the old path is free, the destination replaced', () => {
    const t = table({ '/old': 500, '/dst': 200 });
    expect(applied(t, t.move('/old', '/dst', true))).toBe(-200);
    expect(contents(t)).toEqual({ '/dst': 500 });
    // A DELETE of the new name frees the moved bytes; nothing is left under the old name.
    expect(applied(t, t.delete('/dst'))).toBe(-500);
    expect(t.bytes).toBe(0);
    expect(t.count).toBe(0);
  });

  it('MOVE with Overwrite: F onto an existing destination changes nothing', () => {
    const t = table({ '/a': 1, '/b': 2 });
    const c = t.move('/a', '/b', false);
    expect(c.outcome).toBe('precondition-failed');
    applied(t, c);
    expect(contents(t)).toEqual({ '/a': 1, '/b': 2 });
  });

  it('MOVE of a collection renames every member', () => {
    const t = table({ '/d/x': 1, '/d/s/y': 2 });
    expect(applied(t, t.move('/d', '/e/', true))).toBe(0);
    expect(contents(t)).toEqual({ '/e/s/y': 2, '/e/x': 1 });
  });

  it('DELETE of a collection frees every object under it, and only those', () => {
    const t = table({ '/c/a': 1, '/c/b/c': 2, '/ca': 4 });
    expect(applied(t, t.delete('/c/'))).toBe(-3);
    expect(contents(t)).toEqual({ '/ca': 4 });
    expect(applied(t, t.delete('/missing'))).toBe(0);
  });

  it('overlapping source and destination, or a missing source, change nothing', () => {
    const t = table({ '/d/x': 1 });
    expect(t.copy('/d', '/d/inner', true).outcome).toBe('precondition-failed');
    expect(t.move('/d/x', '/d', true).outcome).toBe('precondition-failed');
    expect(t.copy('/nope', '/x', true).outcome).toBe('not-found');
  });

  it('Destination headers: absolute URI or path, trailing slash ignored', () => {
    expect(destinationPath('http://localhost:8080/dav/b.txt')).toBe('/dav/b.txt');
    expect(destinationPath('/dav/dir/')).toBe('/dav/dir');
    expect(destinationPath('http://h/a%20b')).toBe('/a%20b');
    expect(destinationPath(undefined)).toBeNull();
  });
});
