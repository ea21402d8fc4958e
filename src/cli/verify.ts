import { parseArgs } from 'node:util';
import { AdminApiError, AdminClient, AdminUnreachableError, DEFAULT_ADMIN, adminBase } from './admin-client.js';
import { usageMessage } from './args.js';
import type { CommandIO } from './io.js';

const VERIFY_HELP = `Usage: faultline verify RULE... [--min N] [--ratio R±T] [--session ID] [options]

Checks that each named rule fired as expected, so a chaos run that touched nothing fails the
build. Exit 0 when every rule did; exit 1 with one line per rule that did not, e.g.
  uploads-507 fired 0 times; it matched 0 requests: no request reached it

Options:
  --min N               each rule fired at least N times (default 1; 0 with only --ratio)
  --ratio R±T           each rule fired on R of the requests it matched, within T (10%±2%, 0.1+-0.02)
  --session ID          verify a session's rules instead of the global ones
  --admin HOST:PORT     the admin listener (env FAULTLINE_ADMIN, default ${DEFAULT_ADMIN})
  --admin-token TOKEN   bearer token (env FAULTLINE_ADMIN_TOKEN)
  --json                print the API's JSON answer
  -h, --help            this help`;

/** `faultline verify`: exit 0 all fired as expected, 1 some did not (or the API refused), 2 usage / unreachable. */
export async function verifyCommand(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let rules: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      options: {
        min: { type: 'string' },
        ratio: { type: 'string' },
        session: { type: 'string' },
        admin: { type: 'string' },
        'admin-token': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values;
    rules = parsed.positionals;
  } catch (err) {
    io.err(`faultline verify: ${usageMessage(err)}`);
    return 2;
  }
  if (values.help === true) {
    io.out(VERIFY_HELP);
    return 0;
  }
  if (rules.length === 0) {
    io.err('faultline verify: name at least one RULE (see --help)');
    return 2;
  }
  const text = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
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
    if (values.json === true) io.out(JSON.stringify(answer, null, 2));
    for (const r of answer.results) {
      if (r.ok) {
        if (values.json !== true) io.out(`ok: ${r.rule} fired ${r.fired} of ${r.matched} matched (expected ${r.expected})`);
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
