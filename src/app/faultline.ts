import type { Server } from 'node:net';
import { FaultlineError, ScenarioError, formatProblem, type Problem } from '../errors.js';
import type { HostPort, Settings } from '../config/settings.js';
import { formatHostPort } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import { createLogEvents, fanOut } from '../log/proxy-log.js';
import { listen } from '../net/listen.js';
import type { ProxyEvents } from '../proxy/events.js';
import type { ProxyContext, RuleSetRef } from '../proxy/context.js';
import { createProxyServer, drain } from '../proxy/server.js';
import { createUpstream } from '../proxy/upstream.js';
import { HTTP1_WIRE } from '../proxy/wire.js';
import { emptyRuleSet } from '../scenario/empty.js';
import type { RuleSet } from '../scenario/types.js';
import { watchScenarios } from '../scenario/watch.js';
import { createAdminServer } from '../admin/server.js';
import { healthRoutes } from '../admin/health.js';
import type { AdminRoute } from '../admin/router.js';
import { metricsRoute } from '../admin/metrics-route.js';
import { diffRuleSets, type RuleSetDiff } from '../admin/rule-diff.js';
import { ruleRoutes } from '../admin/rules.js';
import { createMetrics } from '../metrics/metrics.js';
import type { QuotaEngine } from '../quota/engine.js';
import { quotaRoutes } from '../admin/quotas.js';
import { consoleRoutes } from '../console/routes.js';
import { createQuota } from './quota.js';
import type { ClusterSync } from './cluster.js';
import type { QuotaStore } from '../quota/store.js';

export interface StartOptions {
  log: Logger;
  /** Clock for rule windows and quotas (tests inject one). */
  now?: () => number;
  /** Seeded random source factory for rule sets (tests inject one). */
  random?: (seed: number) => () => number;
  /** Watch scenario files and reload on change (default true). */
  watch?: boolean;
}

export interface ReloadResult {
  ok: boolean;
  /** Each problem formatted as `file:line:column: path: message`. */
  problems: string[];
  /** The same problems, structured (the admin API answers with these). */
  details: readonly Problem[];
  rules: number;
  /** What the reload changed; null when it failed. */
  changes: RuleSetDiff | null;
}

/** A running faultline: the proxy, the admin listener, the live rule set. */
export interface Faultline {
  readonly proxyAddress: HostPort;
  readonly adminAddress: HostPort;
  readonly rules: RuleSetRef;
  /** The quota engine and its store (admin routes read and change usage through them). */
  readonly quota: QuotaEngine;
  readonly quotaStore: QuotaStore;
  /** Open client connections to the proxy listener. */
  connections(): Promise<number>;
  /** Re-read the scenario files; on any problem the previous rules keep serving. */
  reload(reason: string): Promise<ReloadResult>;
  /** Stop accepting, let in-flight requests finish within the grace period, close everything. */
  close(graceMs?: number): Promise<void>;
}

/** Start faultline from validated settings. Throws ScenarioError / FaultlineError on bad input. */
export async function startFaultline(settings: Settings, options: StartOptions): Promise<Faultline> {
  const { log } = options;
  const now = options.now ?? Date.now;
  if (settings.upstream === null)
    throw new FaultlineError(
      'FAULTLINE_CONFIG_INVALID',
      'no upstream: give --upstream URL (or FAULTLINE_UPSTREAM, or upstream: in the config file)',
    );
  const loadOptions = { now, ...(options.random === undefined ? {} : { random: options.random }) };
  // The scenario loader (YAML parser, schema library: ~20 MiB) is loaded only when there is
  // something to load: a pass-through proxy without scenarios never pays for it.
  const loader = (): Promise<typeof import('../scenario/load.js')> => import('../scenario/load.js');
  const initial =
    settings.scenarios.length === 0 ? emptyRuleSet() : await (await loader()).loadRuleSet(settings.scenarios, loadOptions);
  const rules: RuleSetRef = { current: initial };
  const quotaParts = await createQuota(settings, { log, now, rules: () => rules.current });
  const metrics = createMetrics({ rules: () => rules.current, register: (registry) => quotaParts.register(registry) });
  metrics.bindRuleSet(initial);
  let cluster: ClusterSync | null = null;
  // Every swap goes through here, so the per-rule metric counters are bound (and the overrides
  // shared by other replicas applied) before a request sees the set.
  const replace = (next: RuleSet): void => {
    cluster?.overlay(next);
    metrics.bindRuleSet(next);
    rules.current = next;
  };
  const compileRequest = async (text: string): Promise<RuleSet> =>
    (await loader()).compileRuleSetFromText(text, '<request>', { ...loadOptions, previous: rules.current });
  const upstream = createUpstream(settings.upstream, {
    timeoutMs: settings.upstreamTimeoutMs,
    insecure: settings.upstreamInsecure,
  });
  const events: ProxyEvents = fanOut([createLogEvents(log, settings.accessLog), metrics.proxy]);
  const quotaStore = quotaParts.store;
  const quota = quotaParts.engine;
  if (settings.store !== 'memory')
    cluster = (await import('./cluster.js')).createClusterSync(settings.store, {
      log,
      current: () => rules.current,
      compile: compileRequest,
      replace,
    });
  const ctx: ProxyContext = {
    ruleSetFor: () => rules.current,
    gate: () => true,
    upstream,
    events,
    marker: settings.marker,
    now,
    drainLimit: settings.drainLimit,
    quota,
    wire: HTTP1_WIRE,
  };

  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, problems: [], details: [], rules: 0, changes: null });
  const reload = (reason: string): Promise<ReloadResult> => {
    reloading = reloading.then(() => doReload(reason));
    return reloading;
  };
  const doReload = async (reason: string): Promise<ReloadResult> => {
    try {
      const next: RuleSet = await (await loader()).loadRuleSet(settings.scenarios, { ...loadOptions, previous: rules.current });
      const changes = diffRuleSets(rules.current, next);
      replace(next);
      metrics.reloaded(true);
      log.info({ reason, rules: next.rules.length, files: next.files, seed: next.seed, ...changes }, 'scenarios reloaded');
      return { ok: true, problems: [], details: [], rules: next.rules.length, changes };
    } catch (err) {
      metrics.reloaded(false);
      const details: Problem[] =
        err instanceof ScenarioError
          ? [...err.problems]
          : [{ file: settings.scenarios.join(', '), line: 1, column: 1, path: '', message: (err as Error).message }];
      const problems = details.map(formatProblem);
      for (const p of problems) log.error({ reason, problem: p }, 'scenario reload rejected; previous rules keep serving');
      return { ok: false, problems, details, rules: rules.current.rules.length, changes: null };
    }
  };

  const proxy = createProxyServer(ctx, upstream, settings.upstreamInsecure, (err) =>
    log.warn({ err: { message: err.message } }, 'websocket upstream error'),
  );
  const adminRoutes: AdminRoute[] = [
    ...healthRoutes({ ready: () => proxyListening }),
    metricsRoute(metrics),
    ...ruleRoutes({
      current: () => rules.current,
      now,
      compile: compileRequest,
      replace,
      reload,
      changed: (change) => cluster?.publish(change),
      log,
    }),
    ...quotaRoutes({ current: () => rules.current, store: () => quotaStore, periodOf: (q) => quota.periodOf(q), log }),
    ...consoleRoutes({ settings, proxy }),
  ];
  const admin = createAdminServer(adminRoutes, settings.adminToken, log);
  let proxyListening = false;
  const servers: Server[] = [];
  try {
    const proxyAddress = await listen(proxy, settings.listen, 'the proxy');
    servers.push(proxy);
    proxyListening = true;
    const adminAddress = await listen(admin, settings.admin, 'the admin listener');
    servers.push(admin);
    const watcher =
      options.watch === false || settings.scenarios.length === 0
        ? null
        : watchScenarios(settings.scenarios, () => void reload('file change'));
    if (settings.adminToken === null && !isLoopback(adminAddress.host)) {
      log.warn(
        { admin: formatHostPort(adminAddress) },
        'the admin listener is reachable beyond this machine and has no token: anyone who reaches it can change the rules (set --admin-token / FAULTLINE_ADMIN_TOKEN)',
      );
    }
    log.info(
      {
        proxy: formatHostPort(proxyAddress),
        admin: formatHostPort(adminAddress),
        upstream: settings.upstream.href,
        rules: initial.rules.length,
        files: initial.files,
        seed: initial.seed,
      },
      `faultline listening on http://${formatHostPort(proxyAddress)} -> ${settings.upstream.href} (admin http://${formatHostPort(adminAddress)})`,
    );
    return {
      proxyAddress,
      adminAddress,
      rules,
      reload,
      quota,
      quotaStore,
      connections: () => new Promise((resolve) => proxy.getConnections((_err, n) => resolve(n))),
      async close(graceMs = settings.shutdownGraceMs) {
        watcher?.close();
        proxyListening = false;
        await Promise.all([drain(proxy, graceMs), drain(admin, Math.min(graceMs, 1000))]);
        await upstream.close();
        await Promise.all([quotaStore.close(), cluster?.close()]);
      },
    };
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.') || host === 'localhost' || host === '::ffff:127.0.0.1';
}
