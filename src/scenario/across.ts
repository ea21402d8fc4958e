import type { Problem } from '../errors.js';
import type { Declared } from './parse.js';

/**
 * The checks no single file can make: rule names are unique across all loaded files (the second
 * one is reported), and all files that give a seed give the same one.
 */
export function checkAcrossFiles(files: readonly Declared[]): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, { file: string; line: number; column: number }>();
  let seed: { value: number; file: string } | null = null;
  for (const d of files) {
    for (const n of d.names) {
      const prev = first.get(n.name);
      if (prev === undefined) {
        first.set(n.name, { file: d.file, line: n.line, column: n.column });
        continue;
      }
      const where = prev.file === d.file ? `line ${prev.line}` : `${prev.file}:${prev.line}:${prev.column}`;
      problems.push({
        file: d.file,
        line: n.line,
        column: n.column,
        path: `rules[${n.index}].name`,
        message: `duplicate rule name "${n.name}" (first defined at ${where})`,
      });
    }
    if (d.seed === null) continue;
    if (seed === null) seed = { value: d.seed.value, file: d.file };
    else if (seed.value !== d.seed.value) {
      problems.push({
        file: d.file,
        line: d.seed.line,
        column: d.seed.column,
        path: 'seed',
        message: `conflicts with seed ${seed.value} in ${seed.file} (one rule set has one seed)`,
      });
    }
  }
  return problems;
}
