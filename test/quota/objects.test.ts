import { describe, expect, it } from 'vitest';
import {
  deleteChange,
  destinationPath,
  objectPath,
  transferChange,
  type ObjectChange,
  type Transfer,
} from '../../src/quota/objects.js';

/** A table of objects and the change applied to it (what the stores do), checking the predicted delta. */
function apply(objects: Record<string, number>, change: ObjectChange): Record<string, number> {
  const t = new Map(Object.entries(objects));
  const before = [...t.values()].reduce((a, b) => a + b, 0);
  if (change.outcome === 'ok') {
    for (const p of change.deletes) t.delete(p);
    for (const [p, size] of change.puts) t.set(p, size);
  }
  const after = [...t.values()].reduce((a, b) => a + b, 0);
  expect(after - before).toBe(change.delta);
  return Object.fromEntries([...t].sort(([a], [b]) => a.localeCompare(b)));
}

const copy = (from: string, to: string, depth0 = false): Transfer => ({ from, to, rename: false, depth0 });
const move = (from: string, to: string): Transfer => ({ from, to, rename: true, depth0: false });
const m = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));

describe('what a WebDAV server does to the stored objects', () => {
  it('COPY adds the destination at the tracked source size; the source stays', () => {
    const t = { '/f/a.bin': 6_000_000 };
    const change = transferChange(m(t), copy('/f/a.bin', '/f/b.bin'), true);
    expect(change.delta).toBe(6_000_000);
    expect(apply(t, change)).toEqual({ '/f/a.bin': 6_000_000, '/f/b.bin': 6_000_000 });
  });

  it('COPY onto an existing destination: Overwrite: T replaces it, Overwrite: F is refused and changes nothing', () => {
    const t = { '/a': 100, '/b': 30 };
    const refused = transferChange(m(t), copy('/a', '/b'), false);
    expect(refused.outcome).toBe('refused');
    expect(apply(t, refused)).toEqual(t);
    const c = transferChange(m(t), copy('/a', '/b'), true);
    expect(c.delta).toBe(70);
    expect(apply(t, c)).toEqual({ '/a': 100, '/b': 100 });
  });

  it('COPY of a collection copies every member (Depth: infinity); Depth: 0 only the resource itself', () => {
    const t = { '/d/x': 1, '/d/sub/y': 2, '/dx': 50 };
    expect(apply(t, transferChange(m(t), copy('/d', '/e'), true))).toEqual({
      '/d/sub/y': 2,
      '/d/x': 1,
      '/dx': 50,
      '/e/sub/y': 2,
      '/e/x': 1,
    });
    // A collection has no bytes of its own.
    expect(transferChange(m(t), copy('/d', '/f', true), true)).toMatchObject({ outcome: 'ok', delta: 0, puts: [] });
  });

  it('MOVE renames: no growth, the old path is free, the destination replaced', () => {
    const t = { '/old': 500, '/dst': 200 };
    const c = transferChange(m(t), move('/old', '/dst'), true);
    expect(c.delta).toBe(-200);
    const after = apply(t, c);
    expect(after).toEqual({ '/dst': 500 });
    expect(apply(after, deleteChange(m(after), '/dst'))).toEqual({});
  });

  it('MOVE with Overwrite: F onto an existing destination changes nothing', () => {
    expect(transferChange(m({ '/a': 1, '/b': 2 }), move('/a', '/b'), false).outcome).toBe('refused');
  });

  it('MOVE of a collection renames every member', () => {
    const t = { '/d/x': 1, '/d/s/y': 2 };
    expect(apply(t, transferChange(m(t), move('/d', '/e'), true))).toEqual({ '/e/s/y': 2, '/e/x': 1 });
  });

  it('an untracked source transfers nothing known; the destination it replaces is freed', () => {
    const t = { '/b': 7 };
    expect(apply(t, transferChange(m(t), copy('/unknown', '/b'), true))).toEqual({});
  });

  it('DELETE of a collection frees every object under it, and only those', () => {
    const t = { '/c/a': 1, '/c/b/c': 2, '/ca': 4 };
    expect(apply(t, deleteChange(m(t), '/c'))).toEqual({ '/ca': 4 });
    expect(deleteChange(m(t), '/missing')).toMatchObject({ delta: 0, deletes: [] });
    expect(apply(t, deleteChange(m(t), '/'))).toEqual({});
  });

  it('overlapping source and destination are refused', () => {
    const t = m({ '/d/x': 1 });
    expect(transferChange(t, copy('/d', '/d/inner'), true).outcome).toBe('refused');
    expect(transferChange(t, move('/d/x', '/d'), true).outcome).toBe('refused');
    expect(transferChange(t, copy('/d', '/d'), true).outcome).toBe('refused');
  });
});

describe('object paths', () => {
  it('a request path is decoded, dot segments resolved, the trailing slash dropped', () => {
    expect(objectPath('/dav/a%20b.txt')).toBe('/dav/a b.txt');
    expect(objectPath('/dav/a b.txt')).toBe('/dav/a b.txt');
    expect(objectPath('/dav/dir/')).toBe('/dav/dir');
    expect(objectPath('/dav/x/../y')).toBe('/dav/y');
    expect(objectPath('/')).toBe('/');
    expect(objectPath('//double')).toBe('//double');
    expect(objectPath('/bad%E0%A4%A')).toBe('/bad%E0%A4%A');
    expect(objectPath('/%C3%A9t%C3%A9')).toBe('/été');
  });

  it('a Destination is an absolute URI (its origin dropped) or a path, keyed like a request path', () => {
    expect(destinationPath('http://localhost:8080/dav/b.txt')).toBe('/dav/b.txt');
    expect(destinationPath('https://other.example/dav/a%20b/')).toBe('/dav/a b');
    expect(destinationPath('/dav/dir/')).toBe('/dav/dir');
    expect(destinationPath('/dav/%C3%A9t%C3%A9')).toBe(objectPath('/dav/%C3%A9t%C3%A9'));
    expect(destinationPath('not a uri')).toBeNull();
    expect(destinationPath('')).toBeNull();
    expect(destinationPath(undefined)).toBeNull();
  });
});
