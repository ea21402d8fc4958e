import { watch, statSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/*
 * Signals that the scenario files may have changed; the caller reloads (and validates) them.
 *
 * What is watched, and why:
 *  - each given file, for writes in place;
 *  - each given directory, and the directory of each given file, because editors save by writing
 *    a temporary file and renaming it over the old one, and Kubernetes updates a mounted ConfigMap
 *    by pointing the `..data` symlink at a new directory (file.yaml -> ..data/file.yaml): neither
 *    changes the old file, both change directory entries.
 * Events are debounced (one save is several events). After each burst every watcher is set up
 * again, so a file that was replaced is watched under its new inode. Watchers are not persistent
 * and the timer is unref'd: a watcher never keeps the process alive.
 */

export interface ScenarioWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time before signalling, in ms (default 100). */
  readonly debounceMs?: number;
}

/** Which entry names in a directory matter: scenario files, a watched file, Kubernetes' `..` entries. */
type Interest = (name: string) => boolean;

const isScenarioFile: Interest = (name) => /\.ya?ml$/.test(name) && !name.startsWith('.');
const isKubernetesSwap: Interest = (name) => name.startsWith('..');

/** Calls `onChange` (debounced) whenever one of `paths` (files or directories) may have changed. */
export function watchScenarios(paths: readonly string[], onChange: () => void, options: WatchOptions = {}): ScenarioWatcher {
  const debounceMs = options.debounceMs ?? 100;
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const schedule = (): void => {
    if (closed) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
    timer.unref();
  };
  const fire = (): void => {
    timer = null;
    if (closed) return;
    arm();
    onChange();
  };
  const add = (target: string, interest: Interest | null): void => {
    try {
      const w = watch(target, { persistent: false }, (_event, name) => {
        // No name (some platforms) means "something changed here": assume it matters.
        if (interest === null || name === null || interest(name)) schedule();
      });
      // A watched file that disappears ends its watcher; the directory watch sees what replaces it.
      w.on('error', () => {
        w.close();
        schedule();
      });
      watchers.push(w);
    } catch {
      // Missing now (mid-swap, or not created yet): the directory watch covers it.
    }
  };
  const arm = (): void => {
    for (const w of watchers) w.close();
    watchers = [];
    const dirs = new Map<string, Interest[]>();
    const interest = (dir: string, i: Interest): void => {
      dirs.set(dir, [...(dirs.get(dir) ?? []), i]);
    };
    for (const p of paths) {
      const full = resolve(p);
      if (isDirectory(full)) {
        interest(full, isScenarioFile);
        interest(full, isKubernetesSwap);
      } else {
        add(full, null);
        const name = basename(full);
        interest(dirname(full), (n) => n === name);
        interest(dirname(full), isKubernetesSwap);
      }
    }
    for (const [dir, interests] of dirs) add(dir, (n) => interests.some((i) => i(n)));
  };

  arm();
  return {
    close(): void {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
