import { parseArgs } from 'node:util';
import { FaultlineError } from '../errors.js';
import type { RawValue } from '../config/load.js';
import { SETTINGS, type SettingSpec } from '../config/spec.js';

export interface ParsedServeArgs {
  flags: Map<string, RawValue>;
  configFile: string | null;
  help: boolean;
  positionals: string[];
}

/**
 * Parse the flags of `serve`/`demo` from the settings table: every setting is `--flag VALUE`
 * (`--flag` / `--no-flag` for booleans, `--scenarios` repeatable). Unknown flags are usage errors.
 */
export function parseSettingArgs(argv: readonly string[], allowed: readonly SettingSpec[] = SETTINGS): ParsedServeArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    config: { type: 'string' },
    help: { type: 'boolean' },
  };
  const booleans = new Map<string, SettingSpec>();
  for (const spec of allowed) {
    if (spec.kind === 'boolean') booleans.set(spec.flag, spec);
    else options[spec.flag] = spec.kind === 'list' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  const flags = new Map<string, RawValue>();
  const rest: string[] = [];
  // Booleans are taken out first: node's parseArgs on Node 20 has no --no-x form.
  for (const arg of argv) {
    const m = /^--(no-)?([a-z-]+)(?:=(.*))?$/.exec(arg);
    const spec = m === null ? undefined : booleans.get(m[2] as string);
    if (m === null || spec === undefined) {
      rest.push(arg);
      continue;
    }
    const negated = m[1] !== undefined;
    const text = m[3];
    if (negated && text !== undefined) throw new FaultlineError('FAULTLINE_USAGE', `--no-${spec.flag} takes no value`);
    flags.set(spec.key, text === undefined ? !negated : text);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new FaultlineError('FAULTLINE_USAGE', usageMessage(err));
  }
  for (const spec of allowed) {
    const v = parsed.values[spec.flag];
    if (v === undefined || typeof v === 'boolean') continue;
    flags.set(spec.key, typeof v === 'string' ? v : v.map(String));
  }
  const config = parsed.values.config;
  return {
    flags,
    configFile: typeof config === 'string' ? config : null,
    help: parsed.values.help === true,
    positionals: parsed.positionals,
  };
}

/** node's parseArgs messages, made one line and user-facing. */
export function usageMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = (e.message ?? String(err)).split('\n')[0] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(msg)?.[1] ?? msg;
    return `unknown option ${flag} (see --help)`;
  }
  return msg.replace(/\. To specify.*$/, '');
}
