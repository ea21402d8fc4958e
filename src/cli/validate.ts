import { formatProblem, formatWarning } from '../errors.js';
import { readScenarioFiles } from '../scenario/load.js';
import { parseCommandLine, type OptionSpec } from './args.js';
import { optionsHelp } from './help.js';

/*
 * `faultline validate PATH...`: the same checks `serve` runs before it starts, without starting.
 * Exit codes: 0 every file is valid, 1 some file has problems (or warnings, with --strict),
 * 2 the command line is wrong.
 */

export interface ValidateIO {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

const OPTIONS: readonly OptionSpec[] = [
  { name: 'strict', kind: 'boolean', help: 'treat warnings as problems (exit 1 when there is any)' },
];

export const VALIDATE_USAGE = `Usage: faultline validate [--strict] PATH...

Checks scenario files (each PATH a file, or a directory of *.yaml / *.yml files) the way
\`faultline serve\` does, and prints every problem as
  file:line:column: path: message
or, for a valid file, one summary line. Warnings (a method no registry knows, a rule an earlier
rule makes unreachable) are printed as
  file:line:column: warning: path: message
and do not stop \`serve\`. Exits 0 if all are valid, 1 if not, 2 on a usage error.

Options:
${optionsHelp(OPTIONS)}`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Runs `faultline validate` with the arguments after `validate`; resolves to the exit code. */
export async function validateCommand(argv: readonly string[], io: ValidateIO): Promise<number> {
  let line;
  try {
    line = parseCommandLine(argv, OPTIONS);
  } catch (err) {
    io.err(`faultline validate: ${(err as Error).message}\n\n${VALIDATE_USAGE}`);
    return 2;
  }
  if (line.help) {
    io.out(VALIDATE_USAGE);
    return 0;
  }
  const paths = line.positionals;
  const strict = line.values.get('strict') === true;
  if (paths.length === 0) {
    io.err(`faultline validate: give at least one scenario file or directory\n\n${VALIDATE_USAGE}`);
    return 2;
  }

  const { files, docs, problems, warnings } = await readScenarioFiles(paths);
  const bad = new Set(problems.map((p) => p.file));
  const warned = new Map<string, number>();
  for (const w of warnings) warned.set(w.file, (warned.get(w.file) ?? 0) + 1);
  for (const doc of docs) {
    if (bad.has(doc.file)) continue;
    const enabled = doc.data.rules.filter((r) => r.enabled).length;
    const w = warned.get(doc.file);
    io.out(
      `${doc.file}: ok, ${plural(doc.data.rules.length, 'rule')} (${enabled} enabled)${w === undefined ? '' : `, ${plural(w, 'warning')}`}`,
    );
  }
  for (const w of warnings) io.err(formatWarning(w));
  for (const p of problems) io.err(formatProblem(p));
  if (problems.length === 0 && (warnings.length === 0 || !strict)) return 0;
  if (problems.length === 0) {
    io.err(`${plural(warnings.length, 'warning')} (--strict: treated as problems)`);
    return 1;
  }
  const checked = new Set([...files, ...bad]).size;
  io.err(`${plural(problems.length, 'problem')} in ${plural(bad.size, 'file')} (of ${checked} checked)`);
  return 1;
}
