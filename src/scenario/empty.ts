import { compileRuleSet, type CompileOptions } from './compile.js';
import type { RuleSet } from './types.js';

/**
 * A rule set with no rules: every request passes through. Apart from load.ts so that a proxy
 * started without scenario files never loads the YAML parser and the schema library.
 */
export function emptyRuleSet(options: CompileOptions = {}): RuleSet {
  return compileRuleSet([], options);
}
