import { AdminApiError, AdminClient, AdminUnreachableError, DEFAULT_ADMIN, adminBase } from './admin-client.js';
import { parseCommandLine, usageMessage, type OptionSpec, type ParsedLine } from './args.js';
import { optionsHelp } from './help.js';
import type { CommandIO } from './io.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'min', kind: 'string', value: 'N', help: 'each rule fired at least N times (default 1; 0 with only --ratio)' },
  {
    name: 'ratio',
    kind: 'string',
    value: 'R±T',
    help: 'each rule fired on R of the requests it matched, within T (10%±2%, 0.1+-0.02)',
  },
  { name: 'session', kind: 'string', value: 'ID', help: "verify a session's rules instead of the global ones" },
  {
    name: 'admin',
    kind: 'string',
    value: 'HOST:PORT',
    help: 'the admin listener',
    default: DEFAULT_ADMIN,
    note: 'env FAULTLINE_ADMIN',
  },
  { name: 'admin-token', kind: 'string', value: 'TOKEN', help: 'bearer token', note: 'env FAULTLINE_ADMIN_TOKEN' },
  { name: 'json', kind: 'boolean', help: "print the API's JSON answer" },
];

const VERIFY_HELP = `Usage: faultline verify RULE... [--min N] [--ratio R±T] [--session ID] [options]

Checks that each named rule fired as expected, so a chaos run that touched nothing fails the
build. Exit 0 when every rule did; exit 1 with one line per rule that did not, e.g.
  uploads-507 fired 0 times; it matched 0 requests: no request reached it

Options:
${optionsHelp(OPTIONS)}`;

/** `faultline verify`: exit 0 all fired as expected, 1 some did not (or the API refused), 2 usage / unreachable. */
export async function verifyCommand(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let line: ParsedLine;
  try {
    line = parseCommandLine(argv, OPTIONS);
  } catch (err) {
    io.err(`faultline verify: ${usageMessage(err, OPTIONS)}`);
    return 2;
  }
  if (line.help) {
    io.out(VERIFY_HELP);
    return 0;
  }
  const rules = line.positionals;
  if (rules.length === 0) {
    io.err('faultline verify: name at least one RULE (see --help)');
    return 2;
  }
  const values = line.values;
  const text = (k: string): string | undefined => {
    const v = values.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  let base: string;
  try {
    base = adminBase(text('admin') ?? env.FAULTLINE_ADMIN ?? DEFAULT_ADMIN);
  } catch (err) {
    io.err(`faultline verify: ${(err as Error).message}`);
    return 2;
  }
  const token = text('admin-token') ?? (env.FAULTLINE_ADMIN_TOKEN === '' ? undefined : env.FAULTLINE_ADMIN_TOKEN) ?? null;
  const query = new URLSearchParams();
  for (const rule of rules) query.append('rule', rule);
  const min = text('min');
  const ratio = text('ratio');
  if (min !== undefined) query.set('min', min);
  if (ratio !== undefined) query.set('ratio', ratio);
  try {
    const answer = await new AdminClient({ base, token }).verify(query, text('session') ?? null);
    if (values.get('json') === true) io.out(JSON.stringify(answer, null, 2));
    for (const r of answer.results) {
      if (r.ok) {
        if (values.get('json') !== true)
          io.out(`ok: ${r.rule} fired ${r.fired} of ${r.matched} matched (expected ${r.expected})`);
      } else io.err(r.message ?? `${r.rule}: not as expected`);
    }
    return answer.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof AdminApiError) {
      // A bad --min/--ratio is the API's 400: a usage error here.
      io.err(`faultline verify: ${err.message}`);
      return err.status === 400 ? 2 : 1;
    }
    if (err instanceof AdminUnreachableError) {
      io.err(`faultline verify: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
