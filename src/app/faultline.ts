import type { Server } from 'node:net';
import { FaultlineError, ScenarioError, formatProblem, formatWarning, type Problem } from '../errors.js';
import type { HostPort, Settings } from '../config/settings.js';
import { formatHostPort, upstreamLabel } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import { createLogEvents, fanOut } from '../log/proxy-log.js';
import { listen } from '../net/listen.js';
import { loadTlsIdentity, type TlsIdentity, type TlsSource } from '../net/tls.js';
import type { ProxyEvents } from '../proxy/events.js';
import type { ProxyContext, RuleSetRef } from '../proxy/context.js';
import { createProxyServer, drain } from '../proxy/server.js';
import { createUpstream } from '../proxy/upstream.js';
import { warmUpResponseParser } from '../proxy/parser-warmup.js';
import { emptyRuleSet } from '../scenario/empty.js';
import type { RuleSet } from '../scenario/types.js';
import { watchScenarios } from '../scenario/watch.js';
import { createAdminServer } from '../admin/server.js';
import { healthRoutes, type Readiness } from '../admin/health.js';
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
import { Gate } from '../guard/gate.js';
import { GuardMetrics } from '../metrics/guard-metrics.js';
import { guardRoutes } from '../admin/guards.js';
import { createSessions } from './sessions.js';
import { sessionRoutes } from '../admin/sessions.js';

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
  /** The new set's warnings, formatted like `faultline validate` prints them. */
  warnings: string[];
}

/** A running faultline: the proxy, the admin listener, the live rule set. */
export interface Faultline {
  readonly proxyAddress: HostPort;
  readonly adminAddress: HostPort;
  readonly rules: RuleSetRef;
  /** The quota engine and its store (admin routes read and change usage through them). */
  readonly quota: QuotaEngine;
  readonly quotaStore: QuotaStore;
  /** `https` when the proxy listener serves TLS, else `http`. */
  readonly scheme: 'http' | 'https';
  /** SHA-256 fingerprint of the listener's certificate now served; null without TLS. */
  tlsFingerprint(): string | null;
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
  logWarnings(log, initial, 'load');
  const quotaParts = await createQuota(settings, { log, now, rules: () => rules.current });
  const guardMetrics = new GuardMetrics();
  const gate = new Gate({
    log,
    now,
    dryRun: settings.dryRun,
    requireHeartbeatMs: settings.requireHeartbeatMs,
    maxInjectedShare: settings.maxInjectedShare,
    signals: guardMetrics,
  });
  const metrics = createMetrics({
    rules: () => rules.current,
    register: (registry) => {
      quotaParts.register(registry);
      guardMetrics.register(registry);
    },
  });
  metrics.bindRuleSet(initial);
  gate.bind(initial);
  let cluster: ClusterSync | null = null;
  // Every swap goes through here, so the per-rule metric counters are bound (and the overrides
  // shared by other replicas applied) before a request sees the set.
  const replace = (next: RuleSet): void => {
    cluster?.overlay(next);
    metrics.bindRuleSet(next);
    gate.bind(next);
    rules.current = next;
  };
  const compileRequest = async (text: string): Promise<RuleSet> =>
    (await loader()).compileRuleSetFromText(text, '<request>', { ...loadOptions, previous: rules.current });
  // undici's HTTP/1.1 parser pays its one-time optimizing compile now, not during the first transfers.
  if (settings.upstreamHttp2 !== 'h2c') await warmUpResponseParser();
  const upstream = createUpstream(settings.upstream, {
    timeoutMs: settings.upstreamTimeoutMs,
    insecure: settings.upstreamInsecure,
    http2: settings.upstreamHttp2,
  });
  const events: ProxyEvents = fanOut([
    createLogEvents(log, { accessLog: settings.accessLog, oneLine: settings.logFormat === 'pretty' }),
    metrics.proxy,
    gate.events,
  ]);
  const quotaStore = quotaParts.store;
  const quota = quotaParts.engine;
  if (settings.store !== 'memory')
    cluster = (await import('./cluster.js')).createClusterSync(settings.store, {
      log,
      current: () => rules.current,
      compile: compileRequest,
      replace,
    });
  const sessionParts = await createSessions({
    store: settings.store,
    max: settings.maxSessions,
    now,
    ...(options.random === undefined ? {} : { random: options.random }),
    quotaStore,
    log,
  });
  const sessions = sessionParts.registry;
  const sessionSync = sessionParts.sync;
  const ctx: ProxyContext = {
    ruleSetFor: (req) => sessions.ruleSetFor(req, rules.current),
    gate: (ex, rule, set) => gate.allows(rule, ex, set.random),
    upstream,
    events,
    marker: settings.marker,
    now,
    drainLimit: settings.drainLimit,
    quota,
  };

  let reloading: Promise<ReloadResult> = Promise.resolve({
    ok: true,
    problems: [],
    details: [],
    rules: 0,
    changes: null,
    warnings: [],
  });
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
      logWarnings(log, next, reason);
      log.info({ reason, rules: next.rules.length, files: next.files, seed: next.seed, ...changes }, 'scenarios reloaded');
      return {
        ok: true,
        problems: [],
        details: [],
        rules: next.rules.length,
        changes,
        warnings: next.warnings.map(formatWarning),
      };
    } catch (err) {
      metrics.reloaded(false);
      const details: Problem[] =
        err instanceof ScenarioError
          ? [...err.problems]
          : [{ file: settings.scenarios.join(', '), line: 1, column: 1, path: '', message: (err as Error).message }];
      const problems = details.map(formatProblem);
      for (const p of problems) log.error({ reason, problem: p }, 'scenario reload rejected; previous rules keep serving');
      return { ok: false, problems, details, rules: rules.current.rules.length, changes: null, warnings: [] };
    }
  };

  const tlsSource = tlsSourceOf(settings);
  const tls: TlsIdentity | null = tlsSource === null ? null : await loadTlsIdentity(tlsSource, log);
  const scheme = tls === null ? 'http' : 'https';
  const proxy = createProxyServer(
    ctx,
    upstream,
    settings.upstreamInsecure,
    (err) => log.warn({ error: err.message }, 'websocket upstream error'),
    {
      limits: settings,
      events: {
        connectionRefused(reason, remote) {
          metrics.listener.connectionRefused(reason, remote);
          log.debug({ reason, remote }, `proxy connection closed: ${reason.replace(/_/g, ' ')}`);
        },
      },
    },
    tls?.pair ?? null,
  );
  const adminRoutes: AdminRoute[] = [
    ...healthRoutes({ readiness: () => readiness }),
    metricsRoute(metrics),
    ...ruleRoutes({
      current: () => rules.current,
      now,
      compile: compileRequest,
      replace,
      reload,
      changed: (change) => cluster?.publish(change),
      guarding: gate,
      log,
    }),
    ...sessionRoutes({
      sessions,
      current: () => rules.current,
      now,
      quota: { store: () => quotaStore, periodOf: (q) => quota.periodOf(q) },
      ...(sessionSync === null ? {} : { created: (session) => sessionSync.created(session.spec) }),
      log,
    }),
    ...quotaRoutes({ current: () => rules.current, store: () => quotaStore, periodOf: (q) => quota.periodOf(q), log }),
    ...guardRoutes({ gate, now }),
    ...consoleRoutes({ settings, proxy }),
  ];
  const admin = createAdminServer(adminRoutes, settings.adminToken, log);
  let readiness: Readiness = 'starting';
  const servers: Server[] = [];
  try {
    const proxyAddress = await listen(proxy, settings.listen, 'the proxy');
    servers.push(proxy);
    if (tls !== null && 'setSecureContext' in proxy) tls.follow(proxy);
    readiness = 'ready';
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
    if (settings.scenarios.length === 0)
      log.warn('no scenario files given (--scenarios): every request passes through unchanged');
    log.info(
      {
        proxy: formatHostPort(proxyAddress),
        admin: formatHostPort(adminAddress),
        upstream: upstreamLabel(settings.upstream, settings.upstreamHttp2),
        rules: initial.rules.length,
        files: initial.files,
        seed: initial.seed,
      },
      `faultline listening on ${scheme}://${formatHostPort(proxyAddress)} -> ${upstreamLabel(settings.upstream, settings.upstreamHttp2)} (admin http://${formatHostPort(adminAddress)})`,
    );
    return {
      proxyAddress,
      adminAddress,
      rules,
      reload,
      quota,
      quotaStore,
      scheme,
      tlsFingerprint: () => tls?.fingerprint() ?? null,
      connections: () => new Promise((resolve) => proxy.getConnections((_err, n) => resolve(n))),
      async close(graceMs = settings.shutdownGraceMs) {
        watcher?.close();
        tls?.close();
        gate.close();
        // /readyz answers 503 from here on: the admin listener stays up until the proxy is drained.
        readiness = 'draining';
        await drain(proxy, graceMs);
        await drain(admin, Math.min(graceMs, 1000));
        await upstream.close();
        sessionParts.close();
        await Promise.all([quotaStore.close(), cluster?.close()]);
      },
    };
  } catch (err) {
    for (const s of servers) s.close();
    tls?.close();
    throw err;
  }
}

function tlsSourceOf(settings: Settings): TlsSource | null {
  if (settings.tlsCert !== null && settings.tlsKey !== null)
    return { kind: 'files', certFile: settings.tlsCert, keyFile: settings.tlsKey };
  if (settings.tlsSelfSigned)
    return { kind: 'self-signed', hosts: settings.tlsHosts, fingerprintFile: settings.tlsFingerprintFile };
  return null;
}

/** One warning line per scenario warning (an unknown method, an unreachable rule): the set serves anyway. */
function logWarnings(log: Logger, set: RuleSet, reason: string): void {
  for (const w of set.warnings)
    log.warn({ reason, file: w.file, line: w.line, column: w.column }, `scenario warning: ${formatWarning(w)}`);
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.') || host === 'localhost' || host === '::ffff:127.0.0.1';
}
