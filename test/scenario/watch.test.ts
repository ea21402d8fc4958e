import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it, expect } from 'vitest';
import { watchScenarios, type ScenarioWatcher } from '../../src/scenario/watch.js';

const open: ScenarioWatcher[] = [];
afterEach(() => {
  for (const w of open.splice(0)) w.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a watcher and returns a function that waits for the next change signal (or fails). */
function watching(paths: string[]): { count: () => number; next: (ms?: number) => Promise<void>; watcher: ScenarioWatcher } {
  let calls = 0;
  let wake: (() => void) | null = null;
  const watcher = watchScenarios(
    paths,
    () => {
      calls++;
      wake?.();
    },
    { debounceMs: 50 },
  );
  open.push(watcher);
  return {
    watcher,
    count: () => calls,
    next: (ms = 3000) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no change signalled')), ms);
        wake = () => {
          clearTimeout(t);
          wake = null;
          resolve();
        };
      }),
  };
}

const rules = (name: string): string => `version: 1\nrules:\n  - name: ${name}\n    fault: { status: 507 }\n`;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'faultline-watch-'));

describe('watchScenarios', () => {
  it('signals once, debounced, when a watched file is written in place', async () => {
    const dir = tmp();
    const file = join(dir, 'a.yaml');
    writeFileSync(file, rules('a'));
    const w = watching([file]);
    const changed = w.next();
    writeFileSync(file, rules('b'));
    writeFileSync(file, rules('c'));
    await changed;
    await sleep(150);
    expect(w.count()).toBe(1);
  });

  it('notices an editor replacing the file by rename, and keeps watching the new file', async () => {
    const dir = tmp();
    const file = join(dir, 'a.yaml');
    writeFileSync(file, rules('a'));
    const w = watching([file]);
    let changed = w.next();
    writeFileSync(join(dir, '.a.yaml.tmp'), rules('b'));
    renameSync(join(dir, '.a.yaml.tmp'), file);
    await changed;
    changed = w.next();
    writeFileSync(file, rules('c'));
    await changed;
  });

  it('ignores unrelated files next to a watched file', async () => {
    const dir = tmp();
    const file = join(dir, 'a.yaml');
    writeFileSync(file, rules('a'));
    const w = watching([file]);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    await sleep(200);
    expect(w.count()).toBe(0);
  });

  it('notices files added to a watched directory', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.yaml'), rules('a'));
    const w = watching([dir]);
    const changed = w.next();
    writeFileSync(join(dir, 'b.yaml'), rules('b'));
    await changed;
  });

  for (const watchDir of [false, true]) {
    it(`notices a Kubernetes ConfigMap update (..data symlink swap), watching the ${watchDir ? 'directory' : 'file'}`, async () => {
      // The kubelet's layout: dir/file.yaml -> ..data/file.yaml, dir/..data -> ..2026_01; an update
      // writes ..2026_02, points a new symlink at it and renames that over ..data atomically.
      const dir = tmp();
      mkdirSync(join(dir, '..2026_01'));
      writeFileSync(join(dir, '..2026_01', 'file.yaml'), rules('old'));
      symlinkSync('..2026_01', join(dir, '..data'));
      symlinkSync(join('..data', 'file.yaml'), join(dir, 'file.yaml'));
      mkdirSync(join(dir, '..2026_02'));
      writeFileSync(join(dir, '..2026_02', 'file.yaml'), rules('new'));

      const w = watching([watchDir ? dir : join(dir, 'file.yaml')]);
      let changed = w.next();
      symlinkSync('..2026_02', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      rmSync(join(dir, '..2026_01'), { recursive: true });
      await changed;

      // And the next update is noticed too.
      changed = w.next();
      mkdirSync(join(dir, '..2026_03'));
      writeFileSync(join(dir, '..2026_03', 'file.yaml'), rules('newer'));
      symlinkSync('..2026_03', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      await changed;
    });
  }

  it('survives a watched file disappearing and coming back', async () => {
    const dir = tmp();
    const file = join(dir, 'a.yaml');
    writeFileSync(file, rules('a'));
    const w = watching([file]);
    let changed = w.next();
    rmSync(file);
    await changed;
    changed = w.next();
    writeFileSync(file, rules('b'));
    await changed;
  });

  it('signals nothing after close() and holds nothing that keeps the process alive', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
    const dir = tmp();
    const file = join(dir, 'a.yaml');
    writeFileSync(file, rules('a'));
    const w = watching([file, dir]);
    writeFileSync(file, rules('b')); // a debounce timer is now pending
    await sleep(10);
    expect(process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length).toBeLessThanOrEqual(before);
    w.watcher.close();
    writeFileSync(file, rules('c'));
    await sleep(200);
    expect(w.count()).toBe(0);
  });
});
