import bytes from 'bytes-iec';
import { FaultlineError, formatProblem } from '../errors.js';
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

const FOR_OPTION: OptionSpec = {
  name: 'for',
  kind: 'string',
  value: 'DURATION',
  help: "revert to the file's value after this long (e.g. 5m; at most 24h)",
};

const REPORT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'since',
    kind: 'string',
    value: 'DURATION',
    help: 'only the last DURATION, e.g. 10m (default: since start, at most 1h)',
  },
  { name: 'format', kind: 'string', value: 'FORMAT', values: ['md', 'json'], help: 'Markdown (default) or JSON' },
];

/** The options each command takes besides the common ones. */
function optionsOf(command: string): readonly OptionSpec[] {
  if (command === 'set') return [PROBABILITY_OPTION, FOR_OPTION, ...COMMON_OPTIONS];
  if (command === 'enable' || command === 'disable') return [FOR_OPTION, ...COMMON_OPTIONS];
  if (command === 'report') return [...REPORT_OPTIONS, ...COMMON_OPTIONS];
  return COMMON_OPTIONS;
}

const HELP: Record<string, string> = {
  enable: `Usage: faultline enable NAME [--for DURATION] [options]\n\nEnables a rule at once (its window, if any, starts counting now). With --for (e.g. 5m) it goes\nback to what its scenario file says when the time is up.\n\nOptions:\n${optionsHelp(optionsOf('enable'))}`,
  disable: `Usage: faultline disable NAME [--for DURATION] [options]\n\nDisables a rule at once: matching requests pass through. With --for (e.g. 5m) it goes back to\nwhat its scenario file says when the time is up.\n\nOptions:\n${optionsHelp(optionsOf('disable'))}`,
  set: `Usage: faultline set NAME --probability P [--for DURATION] [options]\n\nOverrides a rule's probability at once (P like 25% or 0.25; "default" drops the override).\nThe override lasts until the rule changes in its scenario file, or, with --for, that long.\n\nOptions:\n${optionsHelp(optionsOf('set'))}`,
  quotas: `Usage: faultline quotas [options]\n\nLists quota usage per rule and key (used, limit, in-flight reservations, tracked objects).\nByte counts are shown in IEC units (KiB, MiB, ...); --json gives exact bytes.\n\n${COMMON_HELP}`,
  rules: `Usage: faultline rules [options]\n\nLists the live rules: name, state, kind, trigger, matched and injected counts, source.\n\n${COMMON_HELP}`,
  quota: `Usage: faultline quota set RULE KEY USED [options]\n       faultline quota reset [RULE [KEY]] [options]\n\nset: sets a key's usage (USED like 9MiB for a bytes quota, a count for a requests quota), e.g. to\nstart a test near the limit. reset: forgets usage of everything, of one rule, or of one key.\n\n${COMMON_HELP}`,
  resume: `Usage: faultline resume [GUARD] [options]\n\nResumes the rules a tripped guard stopped (every tripped guard's, without GUARD).\n\n${COMMON_HELP}`,
  heartbeat: `Usage: faultline heartbeat [options]\n\nTells a faultline started with --require-heartbeat that the controller is alive: injection stays\non for one more interval. Call it from the job running the experiment, more often than the interval.\n\n${COMMON_HELP}`,
  guards: `Usage: faultline guards [options]\n\nLists the guards (state, trips, the figures of the last trip), dry run, heartbeat and share limits.\n\n${COMMON_HELP}`,
  report: `Usage: faultline report [--since DURATION] [--format md|json] [options]\n\nThe experiment report: per rule the requests matched and injected (and would-have-injected in a\ndry run), guard trips, upstream errors and latency percentiles before, during and after injection.\n\nOptions:\n${optionsHelp(optionsOf('report'))}`,
  reload: `Usage: faultline reload [options]\n\nRe-reads the scenario files; on problems they are listed and the previous rules keep serving.\n\n${COMMON_HELP}`,
};

interface Parsed {
  client: AdminClient;
  json: boolean;
  name: string | null;
  /** Every positional argument (name included). */
  args: string[];
  probability: string | null;
  since: string | null;
  format: 'md' | 'json';
  /** `--for`: the change reverts after this duration. */
  for: string | null;
  /** Where the token came from, for the message when the API refuses it; null: no token given. */
  tokenFrom: string | null;
}

/** How many positional arguments a command takes: [at least, at most]. */
type Arity = readonly [number, number];

/** A wrong command line: the catalogue's FAULTLINE_USAGE, like every other command's. */
class UsageError extends FaultlineError {
  constructor(message: string) {
    super('FAULTLINE_USAGE', message);
  }
}

function parse(command: string, argv: string[], env: Env, arity: Arity): Parsed | 'help' {
  let line: ParsedLine;
  try {
    line = parseCommandLine(argv, optionsOf(command));
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
          ? arity[0] === 0
            ? 'give at most one NAME (see --help)'
            : 'give exactly one rule NAME (see --help)'
          : `wrong number of arguments (see --help)`,
    );
  }
  const probability = str(values.get('probability')) ?? null;
  const format = str(values.get('format')) ?? 'md';
  if (format !== 'md' && format !== 'json') throw new UsageError(`--format: expected md or json, got "${format}"`);
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
    since: str(values.get('since')) ?? null,
    format,
    for: str(values.get('for')) ?? null,
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
const OPTIONAL_ONE: Arity = [0, 1];

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
      r.stoppedBy !== null
        ? `stopped (guard ${r.stoppedBy})`
        : r.dryRun
          ? `${r.state}, dry run`
          : r.revertsInMs === undefined
            ? r.state
            : `${r.state} (reverts in ${formatRemaining(r.revertsInMs)})`,
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
  const revert = r.revertsInMs === undefined ? '' : `; reverts to its file's values in ${formatRemaining(r.revertsInMs)}`;
  return `${r.name}: ${r.state}${p}${revert}`;
}

/** 299500 → `5m`, 65000 → `1m 5s`, 900 → `1s`. */
function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', sec > 0 || total === 0 ? `${sec}s` : ''].filter((x) => x !== '').join(' ');
}

/** The admin client commands, reading FAULTLINE_ADMIN / FAULTLINE_ADMIN_TOKEN from `env`. */
export function createAdminCommands(env: Env): Record<string, AdminCommand> {
  const toggle = (name: 'enable' | 'disable'): AdminCommand =>
    command(name, ONE, env, async (p, io) => {
      const rule = await p.client.patchRule(p.name as string, {
        enabled: name === 'enable',
        ...(p.for === null ? {} : { for: p.for }),
      });
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
      const rule = await p.client.patchRule(p.name as string, { probability, ...(p.for === null ? {} : { for: p.for }) });
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
          throw new UsageError('give RULE KEY USED, e.g. quota set tenant-storage-quota alice 9MiB');
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
    resume: command('resume', OPTIONAL_ONE, env, async (p, io) => {
      const answer = await p.client.resume(p.name ?? undefined);
      const what = answer.resumed.length === 0 ? 'no guard was tripped' : `resumed: ${answer.resumed.join(', ')}`;
      io.out(p.json ? JSON.stringify(answer, null, 2) : what);
    }),
    heartbeat: command('heartbeat', NONE, env, async (p, io) => {
      const answer = await p.client.heartbeat();
      if (p.json) io.out(JSON.stringify(answer, null, 2));
      else if (!answer.required) io.out('faultline runs without --require-heartbeat: the heartbeat changes nothing');
      else io.out(`injection on until ${answer.expiresAt ?? '?'}`);
    }),
    guards: command('guards', NONE, env, async (p, io) => {
      io.out(JSON.stringify(await p.client.guards(), null, 2));
    }),
    report: command('report', NONE, env, async (p, io) => {
      io.out((await p.client.report(p.since, p.json ? 'json' : p.format)).trimEnd());
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

/** For src/cli/main.ts: `faultline rules | enable | disable | set | reload | resume | heartbeat | guards | report` and the quota commands. */
export const ADMIN_COMMANDS: Record<string, (argv: string[], io: CommandIO) => Promise<number>> = createAdminCommands(
  process.env,
);
