import type { Logger } from '../log/logger.js';
import { RuntimeSync, type RuleOverride, type RuntimeChange, type RuntimeState } from '../cluster/runtime-sync.js';
import type { RuleSet } from '../scenario/types.js';
import { asError } from '../errors.js';

export interface ClusterSync {
  /** Share a change made through this replica's admin API. */
  publish(change: RuntimeChange): void;
  /** Re-apply the shared overrides to a rule set about to go live (after a file reload). */
  overlay(set: RuleSet): void;
  close(): Promise<void>;
}

/**
 * Runtime changes across replicas (only with a Redis store). How they combine with files:
 * - enable/disable and probability overrides are shared by rule name and stay in force on every
 *   replica, across file reloads, until changed again through the API;
 * - a rule set sent to `PUT /rules` replaces the rules on every replica, until that replica's
 *   next file reload (files stay per replica);
 * - quota usage needs no message: it lives in the shared store.
 */
export function createClusterSync(
  url: string,
  deps: { log: Logger; current: () => RuleSet; compile: (text: string) => Promise<RuleSet>; replace: (set: RuleSet) => void },
): ClusterSync {
  const { log } = deps;
  let overrides: Readonly<Record<string, RuleOverride>> = {};
  let rulesVersion = 0;
  const overlay = (set: RuleSet): void => {
    for (const [name, o] of Object.entries(overrides)) {
      const rule = set.byName.get(name);
      if (rule === undefined) continue;
      if (o.enabled !== undefined && rule.state.enabled !== o.enabled) {
        rule.state.enabled = o.enabled;
        if (o.enabled) rule.state.enabledAt = Date.now();
      }
      if (o.probability !== undefined && rule.quota === null) rule.state.probability = o.probability;
    }
  };
  const apply = (state: RuntimeState): void => {
    overrides = state.overrides;
    if (state.rules !== null && state.rules.version > rulesVersion) {
      rulesVersion = state.rules.version;
      deps.compile(state.rules.text).then(
        (set) => deps.replace(set), // replace() overlays the overrides
        (err: unknown) =>
          log.error(
            { error: asError(err).message },
            'shared rule set from another replica does not compile here; keeping the current rules',
          ),
      );
    } else {
      overlay(deps.current());
    }
    log.info({ version: state.version }, 'runtime changes applied from the shared store');
  };
  const sync = new RuntimeSync(url, {
    apply,
    onError: (err) => log.warn({ error: err.message }, 'runtime sync: shared store unavailable'),
  });
  return {
    publish(change) {
      sync
        .publish(change)
        .catch((err: unknown) =>
          log.warn({ error: asError(err).message, change: change.kind }, 'runtime change not shared: the store is unavailable'),
        );
    },
    overlay,
    close: () => sync.close(),
  };
}
