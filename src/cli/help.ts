import { SETTINGS, type SettingSpec } from '../config/spec.js';
import { CONFIG_OPTION, HELP_OPTION, settingOptions, type OptionSpec } from './args.js';

export const MAIN_HELP = `faultline — a fault-injecting HTTP reverse proxy

Usage: faultline <command> [options]

Commands:
  serve            run the proxy in front of --upstream URL
  demo             run the proxy in front of the built-in demo upstream (what npm start does)
  demo-upstream    run only the built-in demo upstream
  validate PATH... check scenario files
  inspect URL      perform a request and review its error semantics
  rules            list rules (admin API client); enable NAME, disable NAME, set NAME --probability P
                   (enable, disable and set take --for 5m: the change reverts to the file after that)
  reload           re-read scenario files (admin API client)
  quotas           list quota usage; quota set RULE KEY SIZE; quota reset [RULE [KEY]]
  guards           list guards, dry run, heartbeat and share limits; resume [GUARD] after a trip
  heartbeat        keep injection on under --require-heartbeat (dead-man switch)
  report           experiment report: matched, injected, trips, upstream health [--since 10m] [--format md|json]
  verify RULE...   exit 1 unless each rule fired as expected (--min N, --ratio R±T, --session ID)
  version          print the version

Run 'faultline <command> --help' (or -h) for a command's options.`;

/**
 * Options as help lines: `-h, --help`, `--listen HOST:PORT`, `--[no-]marker`, the values an enum
 * takes and the default, then a note line (the environment variable) when there is one.
 */
export function optionsHelp(options: readonly OptionSpec[]): string {
  const all = options.some((o) => o.name === 'help') ? options : [...options, HELP_OPTION];
  return all
    .map((o) => {
      const long =
        o.kind === 'boolean' ? (o.negatable === true ? `--[no-]${o.name}` : `--${o.name}`) : `--${o.name} ${o.value ?? 'VALUE'}`;
      const flag = `${o.short === undefined ? '    ' : `-${o.short}, `}${long}`;
      const extra = [
        o.values === undefined ? '' : `one of: ${o.values.join(', ')}`,
        o.default === undefined ? '' : `default ${o.default}`,
      ].filter((x) => x !== '');
      const text = `${o.help}${extra.length === 0 ? '' : ` (${extra.join('; ')})`}`;
      const line = `  ${flag.padEnd(32)} ${text}`;
      return o.note === undefined ? line : `${line}\n  ${''.padEnd(32)} ${o.note}`;
    })
    .join('\n');
}

export function settingsHelp(specs: readonly SettingSpec[] = SETTINGS): string {
  return optionsHelp([...settingOptions(specs), CONFIG_OPTION]);
}

export const SERVE_HELP = (): string => `Usage: faultline serve --upstream URL [options]

Runs the proxy. Every option can also be set as an environment variable or a key in the config
file; precedence is flag > env > file > default.

Options:
${settingsHelp()}`;

export const DEMO_HELP = (): string => `Usage: faultline demo [options]

Starts the built-in demo upstream on a free loopback port and the proxy in front of it, with
scenarios/demo.yaml unless --scenarios is given. Takes the serve options except --upstream.

Options:
${settingsHelp(SETTINGS.filter((s) => s.key !== 'upstream'))}`;

export const DEMO_UPSTREAM_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'listen',
    kind: 'string',
    value: 'HOST:PORT',
    help: 'where to listen',
    default: '127.0.0.1:8090',
    note: 'env FAULTLINE_LISTEN',
  },
];

export const DEMO_UPSTREAM_HELP = `Usage: faultline demo-upstream [--listen HOST:PORT]

Runs only the built-in demo upstream:
  GET  /status/:code   that status with its standard headers and a diagnostic JSON body
  ANY  /echo           the request as JSON
  GET  /bytes/:n       n bytes, streamed
  GET  /events/:n      n Server-Sent Events, one every 10 ms
  PUT|POST /upload/*   reads and counts the body, answers 201 with the byte count
  DELETE /upload/*     204
  ANY  /delay/:ms      answers after ms milliseconds

Options:
${optionsHelp(DEMO_UPSTREAM_OPTIONS)}`;

export const VERSION_HELP = `Usage: faultline version (or faultline --version)

Prints faultline's version.

Options:
${optionsHelp([])}`;
