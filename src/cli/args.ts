import { parseArgs } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { FaultlineError } from '../errors.js';
import type { RawValue } from '../config/load.js';
import { SETTINGS, type SettingSpec } from '../config/spec.js';

/*
 * The one command-line behaviour every command shares: `-h`/`--help`, `--flag VALUE` or
 * `--flag=VALUE`, `--flag`/`--no-flag` for negatable booleans, enum values checked and listed,
 * and every mistake a FAULTLINE_USAGE error in our own words (node's parseArgs messages mention
 * its API). help.ts renders the same option specs, so what --help shows is what is parsed.
 */

export interface OptionSpec {
  /** The long name, without `--`. */
  readonly name: string;
  readonly short?: string;
  readonly kind: 'boolean' | 'string' | 'list';
  /** The value's placeholder in help, e.g. `HOST:PORT`. */
  readonly value?: string;
  /** The accepted values (checked here, listed in help). */
  readonly values?: readonly string[];
  /** A boolean that also has a `--no-NAME` form. */
  readonly negatable?: boolean;
  readonly help: string;
  readonly default?: string;
  /** A second help line (e.g. the environment variable). */
  readonly note?: string;
}

export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', kind: 'boolean', help: 'show this help' };

export interface ParsedLine {
  /** By long name: a string, a list of strings, or a boolean (false for `--no-NAME`). */
  readonly values: ReadonlyMap<string, string | boolean | readonly string[]>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

const usage = (message: string): FaultlineError => new FaultlineError('FAULTLINE_USAGE', message);

/** Parses `argv` against `options` (plus -h/--help). Throws FAULTLINE_USAGE errors. */
export function parseCommandLine(argv: readonly string[], options: readonly OptionSpec[]): ParsedLine {
  const all = options.some((o) => o.name === 'help') ? options : [...options, HELP_OPTION];
  const byName = new Map(all.map((o) => [o.name, o]));
  const values = new Map<string, string | boolean | readonly string[]>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const m = /^--no-([a-z][a-z-]*)(=.*)?$/.exec(arg);
    const negated = m === null ? undefined : byName.get(m[1] as string);
    if (m !== null && negated?.negatable === true) {
      if (m[2] !== undefined) throw usage(`--no-${negated.name} takes no value`);
      values.set(negated.name, false);
      continue;
    }
    const spec = arg.startsWith('--') ? byName.get(arg.slice(2)) : undefined;
    const next = argv[i + 1];
    // `--max-tracked-objects -5`: a value that starts with a dash is still this option's value
    // (node's parser refuses it as ambiguous); the value's own check then says what is wrong with it.
    if (spec !== undefined && spec.kind !== 'boolean' && next !== undefined && /^-[^-]/.test(next)) {
      rest.push(`${arg}=${next}`);
      i++;
      continue;
    }
    rest.push(arg);
  }
  const config: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const o of all) {
    config[o.name] = { type: o.kind === 'boolean' ? 'boolean' : 'string' };
    if (o.kind === 'list') config[o.name]!.multiple = true;
    if (o.short !== undefined) config[o.name]!.short = o.short;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: config, strict: true, allowPositionals: true });
  } catch (err) {
    throw usage(usageMessage(err, all));
  }
  for (const [name, v] of Object.entries(parsed.values)) {
    if (v === undefined) continue;
    const spec = byName.get(name);
    if (spec?.values !== undefined && typeof v === 'string' && !spec.values.includes(v))
      throw usage(`--${name}: "${v}" is not one of ${spec.values.join(', ')}`);
    values.set(name, typeof v === 'object' ? v.map(String) : v);
  }
  return { values, positionals: parsed.positionals, help: values.get('help') === true };
}

/** node's parseArgs errors in our words, one line, naming the option. */
export function usageMessage(err: unknown, options: readonly OptionSpec[] = []): string {
  const e = err as { code?: string; message?: string };
  const msg = (e.message ?? String(err)).split('\n')[0] ?? '';
  const flag = /'(-[^' ]+)/.exec(msg)?.[1] ?? '';
  const spec = options.find((o) => `--${o.name}` === flag || `-${o.short}` === flag);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag || msg}${suggestion(flag, options)} (see --help)`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && spec !== undefined) {
    if (spec.kind === 'boolean') return `--${spec.name} takes no value`;
    return `--${spec.name} needs a value (--${spec.name} ${spec.value ?? 'VALUE'})`;
  }
  // A command with its own option table (inspect): the same words, from node's message.
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== '') {
    if (msg.includes('does not take an argument')) return `${flag} takes no value`;
    if (msg.includes('ambiguous')) return `${flag} needs a value (one starting with a dash is written ${flag}=-VALUE)`;
    return `${flag} needs a value`;
  }
  return msg.replace(/\. To specify.*$/, '');
}

function suggestion(flag: string, options: readonly OptionSpec[]): string {
  if (!flag.startsWith('--') || options.length === 0) return '';
  const names = options.map((o) => o.name);
  const guess = closest(flag.slice(2), names);
  return distance(flag.slice(2), guess) <= 2 ? ` (did you mean --${guess}?)` : '';
}

/** A setting's value placeholder in help, by kind. */
const PLACEHOLDER: Readonly<Record<SettingSpec['kind'], string>> = {
  string: 'VALUE',
  url: 'URL',
  hostport: 'HOST:PORT',
  list: 'PATH',
  boolean: '',
  duration: 'DURATION',
  size: 'SIZE',
  enum: 'VALUE',
  integer: 'N',
  percent: 'PERCENT',
};

/** The settings table as option specs (for serve and demo). */
export function settingOptions(specs: readonly SettingSpec[]): OptionSpec[] {
  return specs.map((s): OptionSpec => {
    const base = {
      name: s.flag,
      kind: s.kind === 'boolean' ? ('boolean' as const) : s.kind === 'list' ? ('list' as const) : ('string' as const),
      help: s.help,
      note: `env ${s.env}`,
      ...(s.kind === 'boolean' ? { negatable: true } : { value: PLACEHOLDER[s.kind] }),
      ...(s.values === undefined ? {} : { values: s.values }),
    };
    return s.default === null ? base : { ...base, default: String(s.default) };
  });
}

export interface ParsedServeArgs {
  flags: Map<string, RawValue>;
  configFile: string | null;
  help: boolean;
  positionals: readonly string[];
}

export const CONFIG_OPTION: OptionSpec = {
  name: 'config',
  kind: 'string',
  value: 'FILE',
  help: 'YAML file with any of these settings',
  note: 'env FAULTLINE_CONFIG',
};

/**
 * Parse the flags of `serve`/`demo` from the settings table: every setting is `--flag VALUE`
 * (`--flag` / `--no-flag` for booleans, `--scenarios` repeatable). Unknown flags are usage errors.
 */
export function parseSettingArgs(argv: readonly string[], allowed: readonly SettingSpec[] = SETTINGS): ParsedServeArgs {
  const line = parseCommandLine(argv, [...settingOptions(allowed), CONFIG_OPTION]);
  const flags = new Map<string, RawValue>();
  for (const spec of allowed) {
    const v = line.values.get(spec.flag);
    if (v !== undefined) flags.set(spec.key, v);
  }
  const config = line.values.get('config');
  return { flags, configFile: typeof config === 'string' ? config : null, help: line.help, positionals: line.positionals };
}
