import bytes from 'bytes-iec';
import { formatProblem } from '../errors.js';
import type { RuleView } from '../admin/rule-view.js';
import { AdminApiError, AdminClient, AdminUnreachableError, DEFAULT_ADMIN, adminBase, type QuotaRow } from './admin-client.js';
import { parseCommandLine, type OptionSpec, type ParsedLine } from './args.js';
import { optionsHelp } from './help.js';
import type { CommandIO } from './io.js';

/*
 * `faultline rules | enable NAME | disable NAME | set NAME --probability P | reload`: a client
 * for the admin API of a running faultline. Exit codes: 0 done, 1 the API refused (unknown rule,
 * invalid scenarios, bad token), 2 a usage error or no answer from the admin listener.
 */

type AdminCommand = (argv: string[], io: CommandIO) => Promise<number>;
type Env = Readonly<Record<string, string | undefined>>;

const COMMON_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'admin',
    kind: 'string',
    value: 'HOST:PORT',
    help: 'the admin listener',
    default: DEFAULT_ADMIN,
    note: 'env FAULTLINE_ADMIN',
  },
  {
    name: 'admin-token',
    kind: 'string',
    value: 'TOKEN',
    help: 'bearer token, when faultline runs with one',
    note: 'env FAULTLINE_ADMIN_TOKEN (prefer it: a flag shows in the process list)',
  },
  { name: 'json', kind: 'boolean', help: "print the API's JSON answer" },
];

const PROBABILITY_OPTION: OptionSpec = {
  name: 'probability',
  kind: 'string',
  value: 'P',
  help: 'the new probability (25% or 0.25, or default)',
};

const COMMON_HELP = `Options:\n${optionsHelp(COMMON_OPTIONS)}`;

const HELP: Record<string, string> = {
  rules: `Usage: faultline rules [options]\n\nLists the live rules: name, state, kind, trigger, matched and injected counts, source.\n\n${COMMON_HELP}`,
  enable: `Usage: faultline enable NAME [options]\n\nEnables a rule at once (its window, if any, starts counting now).\n\n${COMMON_HELP}`,
  disable: `Usage: faultline disable NAME [options]\n\nDisables a rule at once: matching requests pass through.\n\n${COMMON_HELP}`,
  set: `Usage: faultline set NAME --probability P [options]\n\nOverrides a rule's probability at once (P like 25% or 0.25; "default" drops the override).\nThe override lasts until the rule changes in its scenario file.\n\nOptions:\n${optionsHelp([PROBABILITY_OPTION, ...COMMON_OPTIONS])}`,
  quotas: `Usage: faultline quotas [options]\n\nLists quota usage per rule and key (used, limit, in-flight reservations, tracked objects).\nByte counts are shown in IEC units (KiB, MiB, ...); --json gives exact bytes.\n\n${COMMON_HELP}`,
  quota: `Usage: faultline quota set RULE KEY USED [options]\n       faultline quota reset [RULE [KEY]] [options]\n\nset: sets a key's usage (USED like 9MiB for a bytes quota, a count for a requests quota), e.g. to\nstart a test near the limit. reset: forgets usage of everything, of one rule, or of one key.\n\n${COMMON_HELP}`,
  reload: `Usage: faultline reload [options]\n\nRe-reads the scenario files; on problems they are listed and the previous rules keep serving.\n\n${COMMON_HELP}`,
};

interface Parsed {
  client: AdminClient;
  json: boolean;
  name: string | null;
  /** Every positional argument (name included). */
  args: string[];
  probability: string | null;
  /** Where the token came from, for the message when the API refuses it; null: no token given. */
  tokenFrom: string | null;
}

/** How many positional arguments a command takes: [at least, at most]. */
type Arity = readonly [number, number];

class UsageError extends Error {}

function parse(command: string, argv: string[], env: Env, arity: Arity): Parsed | 'help' {
  let line: ParsedLine;
  try {
    line = parseCommandLine(argv, command === 'set' ? [PROBABILITY_OPTION, ...COMMON_OPTIONS] : COMMON_OPTIONS);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (line.help) return 'help';
  const values = line.values;
  const positionals = [...line.positionals];
  if (positionals.length < arity[0] || positionals.length > arity[1]) {
    throw new UsageError(
      arity[1] === 0
        ? `unexpected argument "${positionals[0]}" (see --help)`
        : arity[1] === 1
          ? 'give exactly one rule NAME (see --help)'
          : `wrong number of arguments (see --help)`,
    );
  }
  const probability = str(values.get('probability')) ?? null;
  if (command === 'set' && probability === null)
    throw new UsageError('give --probability P, e.g. --probability 25% (see --help)');
  const flagAdmin = str(values.get('admin'));
  let base: string;
  try {
    base = adminBase(flagAdmin ?? env.FAULTLINE_ADMIN ?? DEFAULT_ADMIN);
  } catch (err) {
    throw new UsageError(`${flagAdmin === undefined ? 'FAULTLINE_ADMIN' : '--admin'}: ${(err as Error).message}`);
  }
  const flagToken = str(values.get('admin-token'));
  const envToken = env.FAULTLINE_ADMIN_TOKEN === '' ? undefined : env.FAULTLINE_ADMIN_TOKEN;
  const token = flagToken ?? envToken ?? null;
  return {
    client: new AdminClient({ base, token }),
    json: values.get('json') === true,
    name: positionals[0] ?? null,
    args: positionals,
    probability,
    tokenFrom: flagToken !== undefined ? '--admin-token' : envToken !== undefined ? 'FAULTLINE_ADMIN_TOKEN' : null,
  };
}

function str(v: string | boolean | readonly string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Wraps a command body with flag parsing, help and the exit-code policy. */
function command(name: string, arity: Arity, env: Env, body: (p: Parsed, io: CommandIO) => Promise<void>): AdminCommand {
  return async (argv, io) => {
    let tokenFrom: string | null = null;
    try {
      const parsed = parse(name, argv, env, arity);
      if (parsed === 'help') {
        io.out(HELP[name] as string);
        return 0;
      }
      tokenFrom = parsed.tokenFrom;
      await body(parsed, io);
      return 0;
    } catch (err) {
      if (err instanceof UsageError) io.err(`faultline ${name}: ${err.message}`);
      else if (err instanceof AdminUnreachableError) io.err(`faultline ${name}: ${err.message}`);
      else if (err instanceof AdminApiError) {
        io.err(`faultline ${name}: ${err.status === 401 || err.status === 403 ? tokenMessage(tokenFrom) : err.message}`);
        return 1;
      } else throw err;
      return 2;
    }
  };
}

/** A refused token and a missing one are different mistakes: say which one this is. */
function tokenMessage(tokenFrom: string | null): string {
  return tokenFrom === null
    ? 'the admin API requires a token: set FAULTLINE_ADMIN_TOKEN (or give --admin-token TOKEN) to the one faultline runs with'
    : `the admin API refused the token from ${tokenFrom}: it is not the one faultline runs with`;
}

const NONE: Arity = [0, 0];
const ONE: Arity = [1, 1];

const QUOTA_ARGS: Arity = [1, 4];

/** Bytes in IEC units (`9MiB`, the spelling a scenario file or `quota set` takes); a request count as is. */
function amount(n: number, unit: QuotaRow['unit']): string {
  return unit === 'bytes' ? (bytes.format(n, { mode: 'binary', decimalPlaces: 1 }) ?? String(n)) : String(n);
}

/** Quota usage as a table: rule, key, used / limit, percent, pending, objects. */
export function formatQuotaTable(rows: readonly QuotaRow[]): string {
  if (rows.length === 0) return 'no quota usage yet';
  const table = [['RULE', 'KEY', 'USED', 'LIMIT', 'FULL', 'PENDING', 'OBJECTS']];
  for (const q of rows)
    table.push([
      q.rule,
      q.key,
      amount(q.used, q.unit),
      amount(q.limit, q.unit),
      `${Math.round((q.used / q.limit) * 100)}%`,
      String(q.pending ?? 0),
      String(q.objects ?? 0),
    ]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => (row[i] as string).length)));
  return table
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  '))
    .join('\n');
}

/** The rules as a table: name, state, kind, trigger, matched, injected, source. */
export function formatRulesTable(rules: readonly RuleView[]): string {
  if (rules.length === 0) return 'no rules (every request passes through)';
  const rows = [['NAME', 'STATE', 'KIND', 'TRIGGER', 'MATCHED', 'INJECTED', 'SOURCE']];
  for (const r of rules)
    rows.push([
      r.name,
      r.state,
      r.code === null ? r.kind : `${r.kind} ${r.code}`,
      r.trigger,
      String(r.matched),
      String(r.injected),
      `${r.source}:${r.line}`,
    ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  '))
    .join('\n');
}

function showRule(r: RuleView): string {
  const p = r.probability === null ? '' : `, ${r.trigger}${r.probabilityOverridden ? ' (set at run time)' : ''}`;
  return `${r.name}: ${r.state}${p}`;
}

/** The admin client commands, reading FAULTLINE_ADMIN / FAULTLINE_ADMIN_TOKEN from `env`. */
export function createAdminCommands(env: Env): Record<string, AdminCommand> {
  const toggle = (name: 'enable' | 'disable'): AdminCommand =>
    command(name, ONE, env, async (p, io) => {
      const rule = await p.client.patchRule(p.name as string, { enabled: name === 'enable' });
      io.out(p.json ? JSON.stringify(rule, null, 2) : showRule(rule));
    });
  return {
    rules: command('rules', NONE, env, async (p, io) => {
      const listing = await p.client.rules();
      io.out(p.json ? JSON.stringify(listing, null, 2) : formatRulesTable(listing.rules));
    }),
    enable: toggle('enable'),
    disable: toggle('disable'),
    set: command('set', ONE, env, async (p, io) => {
      const probability = p.probability === 'default' ? null : p.probability;
      const rule = await p.client.patchRule(p.name as string, { probability });
      io.out(p.json ? JSON.stringify(rule, null, 2) : showRule(rule));
    }),
    quotas: command('quotas', NONE, env, async (p, io) => {
      const listing = await p.client.quotas();
      io.out(p.json ? JSON.stringify(listing, null, 2) : formatQuotaTable(listing.quotas));
    }),
    quota: command('quota', QUOTA_ARGS, env, async (p, io) => {
      const [action, rule, key, used] = p.args;
      if (action === 'set') {
        if (rule === undefined || key === undefined || used === undefined)
          throw new UsageError('give RULE KEY USED, e.g. quota set tenant-quota alice 9MiB');
        const row = await p.client.setQuota(rule, key, used);
        io.out(
          p.json
            ? JSON.stringify(row, null, 2)
            : row.unit === 'bytes'
              ? `${row.rule} ${row.key}: ${amount(row.used, row.unit)} of ${amount(row.limit, row.unit)} used`
              : `${row.rule} ${row.key}: ${row.used} of ${row.limit} requests used`,
        );
        return;
      }
      if (action === 'reset') {
        if (used !== undefined) throw new UsageError('reset takes at most RULE and KEY');
        const answer = await p.client.resetQuota(rule, key);
        io.out(p.json ? JSON.stringify(answer, null, 2) : `reset ${answer.reset} key(s)`);
        return;
      }
      throw new UsageError(`unknown quota action "${action ?? ''}": use set or reset (see --help)`);
    }),
    reload: command('reload', NONE, env, async (p, io) => {
      try {
        const answer = await p.client.reload();
        const c = answer.changes;
        const what =
          c === null
            ? ''
            : ` (added ${c.added.length}, removed ${c.removed.length}, changed ${c.changed.length}, unchanged ${c.unchanged})`;
        io.out(p.json ? JSON.stringify(answer, null, 2) : `reloaded: ${answer.rules} rules${what}`);
        if (!p.json) for (const w of answer.warnings ?? []) io.err(w);
      } catch (err) {
        // Every problem on its own line, as `faultline validate` prints them.
        if (!(err instanceof AdminApiError) || err.problems.length === 0) throw err;
        for (const problem of err.problems) io.err(formatProblem(problem));
        throw new AdminApiError(
          err.status,
          `${err.problems.length} problem(s) in the scenario files; the previous rules keep serving`,
          err.code,
          err.problems,
        );
      }
    }),
  };
}

/** For src/cli/main.ts: `faultline rules | enable | disable | set | reload`. */
export const ADMIN_COMMANDS: Record<string, (argv: string[], io: CommandIO) => Promise<number>> = createAdminCommands(
  process.env,
);
