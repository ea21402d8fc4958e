import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/*
 * ReDoS check for regular expressions from scenario files, with recheck (an automaton-based
 * checker that proves a pattern linear or finds an attack string). A pattern whose matching time
 * can grow faster than linearly with the input is refused at validation: faultline matches it on
 * every request, on the one event loop every client shares.
 *
 * recheck ships a native build of its checker per platform; it is run once per new pattern as a
 * short-lived process (~60-600 ms, nothing left running). Where there is no native build, recheck's
 * JavaScript build runs in this process instead (slower). Results are remembered per pattern, so a
 * reload only checks what changed.
 */

/** Longest a check may take; a pattern that cannot be shown safe in time is refused. */
const CHECK_TIMEOUT_MS = 5_000;
const CACHE_LIMIT = 1_000;
const cache = new Map<string, string | null>();

interface Verdict {
  readonly status: string;
  readonly complexity: string;
  readonly attack: string;
  readonly error: string;
}

/** Why `source`/`flags` may stall the matcher, or null when it is linear. */
export function redosProblem(source: string, flags: string): string | null {
  const key = `${flags}/${source}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const problem = describe(check(source, flags));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, problem);
  return problem;
}

function describe(v: Verdict): string | null {
  if (v.status === 'safe') return null;
  if (v.status === 'vulnerable') {
    const example = v.attack === '' ? '' : ` (for example ${v.attack})`;
    const hint = v.complexity.includes('exponential')
      ? 'avoid a repetition inside a repetition, like (a+)+, and alternatives that overlap, like (a|a)*'
      : 'anchor it with ^, and prefer a narrow class like [^/]* to .*';
    return `regular expression can take ${v.complexity} time on some inputs${example}, stalling every request (ReDoS): ${hint}`;
  }
  return `regular expression could not be shown safe from ReDoS (${v.error || 'no answer'}): simplify it`;
}

function check(source: string, flags: string): Verdict {
  return checkNative(source, flags) ?? checkInProcess(source, flags);
}

const requireHere = createRequire(import.meta.url);
const PLATFORMS: Readonly<Record<string, string>> = { linux: 'linux', darwin: 'macos', win32: 'windows' };

/** recheck's native checker for this platform (an optional dependency of recheck), or null. */
function nativeChecker(): string | null {
  const os = PLATFORMS[process.platform];
  if (os === undefined) return null;
  try {
    const dir = dirname(requireHere.resolve(`recheck-${os}-${process.arch}/package.json`));
    return join(dir, os === 'windows' ? 'recheck.exe' : 'recheck');
  } catch {
    return null;
  }
}

function checkNative(source: string, flags: string): Verdict | null {
  const binary = nativeChecker();
  if (binary === null) return null;
  // `source` is what RegExp#source gives back, so it is already escaped for a /literal/.
  const literal = `/${new RegExp(source, flags).source}/${flags}`;
  const run = spawnSync(binary, ['--random-seed', '0', '--timeout', `${CHECK_TIMEOUT_MS}ms`, literal], {
    encoding: 'utf8',
    timeout: CHECK_TIMEOUT_MS * 2,
    windowsHide: true,
  });
  // Exit status 0 for safe, 1 for vulnerable: the report says which.
  if (typeof run.stdout !== 'string') return null;
  // The report is `Field : value` lines (coloured on a terminal); recheck is pinned to one version.
  const fields = new Map<string, string>();
  for (const line of run.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  const status = fields.get('status');
  if (status === undefined) return null;
  return {
    status,
    complexity: fields.get('complexity') ?? '',
    attack: fields.get('attack string') ?? '',
    error: fields.get('error') ?? '',
  };
}

interface RecheckResult {
  status: string;
  complexity?: { type: string; degree?: number };
  attack?: { pattern: string };
  error?: { kind: string };
}

function checkInProcess(source: string, flags: string): Verdict {
  const { checkSync } = requireHere('recheck') as {
    checkSync(this: void, source: string, flags: string, params: Record<string, unknown>): RecheckResult;
  };
  const r = checkSync(source, flags, { timeout: CHECK_TIMEOUT_MS, randomSeed: 0 });
  const c = r.complexity;
  const complexity = c === undefined ? '' : c.type === 'polynomial' ? `${ordinal(c.degree ?? 2)} degree polynomial` : c.type;
  return { status: r.status, complexity, attack: r.attack?.pattern ?? '', error: r.error?.kind ?? '' };
}

function ordinal(n: number): string {
  return n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}
