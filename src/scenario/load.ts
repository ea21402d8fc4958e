import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ScenarioError, type Problem } from '../errors.js';
import type { RuleSet } from './types.js';
import { compileRuleSet, type CompileOptions } from './compile.js';
import { checkAcrossFiles } from './across.js';
import { scenarioWarnings } from './warnings.js';
import { parseScenarioText, type Declared, type ScenarioDocument } from './parse.js';

/*
 *   paths ──expand──▶ files ──read+parse──▶ documents ──cross-file checks──▶ compile ──▶ RuleSet
 *
 * Any problem anywhere stops the load with a ScenarioError carrying all of them, so a reload with
 * a broken file leaves the previous rule set serving.
 */

export type LoadOptions = CompileOptions;

export interface ScenarioFiles {
  /** The files read, in load order: each path given, a directory as its *.yaml/*.yml files, sorted. */
  readonly files: readonly string[];
  /** The files that validated on their own. */
  readonly docs: readonly ScenarioDocument[];
  /** Every problem of every file, in file order, then by position. */
  readonly problems: readonly Problem[];
  /** What loads but deserves a look (unknown methods, unreachable rules), over the valid files. */
  readonly warnings: readonly Problem[];
}

const SCENARIO_FILE = /\.ya?ml$/;

/** Reads and validates the files behind `paths` without compiling them (`faultline validate` uses it). */
export async function readScenarioFiles(paths: readonly string[]): Promise<ScenarioFiles> {
  const problems: Problem[] = [];
  // Problems are reported in the order the paths were given, unreadable ones included.
  const order = new Map<string, number>();
  const files = await expandPaths(paths, problems, (f) => order.set(f, order.size));
  const docs: ScenarioDocument[] = [];
  const declared: Declared[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.push(fileProblem(file, `cannot read: ${errorText(err)}`));
      continue;
    }
    const result = parseScenarioText(text, file);
    declared.push(result.declared);
    if ('doc' in result) docs.push(result.doc);
    else problems.push(...result.problems);
  }
  problems.push(...checkAcrossFiles(declared));
  problems.sort((a, b) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.line - b.line || a.column - b.column);
  // Warnings only for files without problems: a broken file's warnings would be noise beside them.
  const bad = new Set(problems.map((p) => p.file));
  return { files, docs, problems, warnings: scenarioWarnings(docs.filter((d) => !bad.has(d.file))) };
}

/**
 * Loads, validates and compiles the scenario files behind `paths` (files, or directories of
 * `*.yaml`/`*.yml` files). Throws a ScenarioError with every problem of every file.
 * No paths: an empty rule set.
 */
export async function loadRuleSet(paths: readonly string[], options: LoadOptions = {}): Promise<RuleSet> {
  const { docs, problems } = await readScenarioFiles(paths);
  if (problems.length > 0) throw new ScenarioError(problems);
  return compileRuleSet(docs, options);
}

/** The same for one in-memory document (the admin API's `PUT /rules` passes `file = '<request>'`). */
export function compileRuleSetFromText(text: string, file: string, options: LoadOptions = {}): RuleSet {
  const result = parseScenarioText(text, file);
  const problems = [...('problems' in result ? result.problems : []), ...checkAcrossFiles([result.declared])];
  if (problems.length > 0 || !('doc' in result))
    throw new ScenarioError(problems.sort((a, b) => a.line - b.line || a.column - b.column));
  return compileRuleSet([result.doc], options);
}

/** A rule set with no rules: every request passes through. */
export { emptyRuleSet } from './empty.js';

async function expandPaths(paths: readonly string[], problems: Problem[], listed: (file: string) => void): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = resolve(file);
    if (!seen.has(key)) {
      files.push(file);
      listed(file);
    }
    seen.add(key);
  };
  for (const path of paths) {
    try {
      if (!(await stat(path)).isDirectory()) {
        add(path);
        continue;
      }
      // Dot entries are skipped: editor swap files, and Kubernetes' `..data` directories.
      const names = (await readdir(path)).filter((n) => SCENARIO_FILE.test(n) && !n.startsWith('.')).sort();
      if (names.length === 0) {
        listed(path);
        problems.push(fileProblem(path, 'no *.yaml or *.yml files in this directory'));
      }
      for (const name of names) add(join(path, name));
    } catch (err) {
      listed(path);
      problems.push(fileProblem(path, `cannot read: ${errorText(err)}`));
    }
  }
  return files;
}

function fileProblem(file: string, message: string): Problem {
  return { file, line: 1, column: 1, path: '', message };
}

function errorText(err: unknown): string {
  if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return 'no such file or directory';
  return err instanceof Error ? err.message : String(err);
}
