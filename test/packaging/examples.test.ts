import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/spec.js';
import { loadRuleSet } from '../../src/scenario/load.js';

/*
 * The examples are documentation people copy: these checks keep them consistent with faultline
 * (known settings, valid scenarios) and with themselves (ports, paths and names that must agree
 * across the Dockerfile, the compose file, Prometheus' config and the Kubernetes manifests).
 * docker-compose itself validates the compose file in test/packaging/compose-check.sh.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const ENV_NAMES = new Set(SETTINGS.map((s) => s.env));
const SCENARIO_DIR = '/etc/faultline/scenarios';

// Parsed compose/Kubernetes YAML: shapes the test walks freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Y = any;
const port = (hostPort: string): number => Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));

/** The Dockerfile's final-stage ENV settings, as name -> value. */
function dockerfileEnv(): Map<string, string> {
  const text = read('Dockerfile').replace(/\\\n/g, ' ');
  const env = new Map<string, string>();
  for (const line of text.split('\n').filter((l) => /^ENV\s/.test(l))) {
    for (const m of line.matchAll(/(FAULTLINE_\w+)=(\S+)/g)) env.set(m[1]!, m[2]!);
  }
  return env;
}

describe('Dockerfile', () => {
  it('sets only known settings, listens on the exposed ports, reads scenarios from the mount point', () => {
    const env = dockerfileEnv();
    for (const name of env.keys()) expect(ENV_NAMES, name).toContain(name);
    expect(env.get('FAULTLINE_SCENARIOS')).toBe(SCENARIO_DIR);
    const exposed = /^EXPOSE\s+(.+)$/m.exec(read('Dockerfile'))![1]!.split(/\s+/).map(Number);
    expect(exposed).toEqual([port(env.get('FAULTLINE_LISTEN')!), port(env.get('FAULTLINE_ADMIN')!)]);
    expect(env.get('FAULTLINE_ADMIN')).toMatch(/^0\.0\.0\.0:/);
    expect(read('Dockerfile')).toMatch(/^USER node$/m);
    expect(read('Dockerfile')).toMatch(/^ENTRYPOINT \["faultline"\]$/m);
  });
});

describe('examples/compose', () => {
  const compose: Y = parse(read('examples/compose/docker-compose.yml'));
  const fl: Y = compose.services.faultline;

  it('faultline forwards to a service of the file, on the port that service listens on', () => {
    const upstream = new URL(fl.environment.FAULTLINE_UPSTREAM);
    const app: Y = compose.services[upstream.hostname];
    expect(app, `service ${upstream.hostname}`).toBeDefined();
    expect(app.command.join(' ')).toContain(`:${upstream.port}`);
    expect(app.expose.map(String)).toContain(upstream.port);
    // the image's HEALTHCHECK asks faultline's admin listener: a demo upstream needs its own
    expect(app.healthcheck.test.join(' ')).toContain(`:${upstream.port}/`);
  });

  it('faultline uses known settings, a token, and the mounted scenario directory', () => {
    for (const name of Object.keys(fl.environment)) expect(ENV_NAMES, name).toContain(name);
    expect(fl.environment.FAULTLINE_ADMIN_TOKEN).toBeTruthy();
    expect(fl.environment.FAULTLINE_SCENARIOS).toBe(SCENARIO_DIR);
    expect(fl.volumes).toContain(`./scenarios:${SCENARIO_DIR}:ro`);
    expect(fl.depends_on.app.condition).toBe('service_healthy');
  });

  it('Prometheus scrapes the admin listener of the faultline service', () => {
    expect(compose.services.prometheus.volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const prom: Y = parse(read('examples/compose/prometheus.yml'));
    const job: Y = prom.scrape_configs.find((j: Y) => j.job_name === 'faultline');
    expect(job.metrics_path).toBe('/metrics');
    expect(job.static_configs[0].targets).toEqual([`faultline:${port(dockerfileEnv().get('FAULTLINE_ADMIN')!)}`]);
  });

  it('its scenarios load', async () => {
    const set = await loadRuleSet([join(ROOT, 'examples/compose/scenarios')]);
    expect(set.rules.map((r) => r.name)).toContain('uploads-507');
  });
});

describe('examples/kubernetes', () => {
  const docs = (file: string): Y[] => parseAllDocuments(read(`examples/kubernetes/${file}`)).map((d) => d.toJS());
  const kustomization: Y = parse(read('examples/kubernetes/kustomization.yaml'));
  const all: Y[] = kustomization.resources.flatMap((f: string) => docs(f));
  const find = (kind: string): Y => all.find((d) => d.kind === kind);
  const deployment = find('Deployment');
  const pod: Y = deployment.spec.template.spec;
  const fl: Y = pod.containers.find((c: Y) => c.name === 'faultline');
  const env = new Map<string, Y>(fl.env.map((e: Y) => [e.name, e]));
  const containerPort = (c: Y, name: string): number => c.ports.find((p: Y) => p.name === name).containerPort;

  it('lists files that exist', () => {
    for (const f of kustomization.resources) expect(existsSync(join(ROOT, 'examples/kubernetes', f)), f).toBe(true);
  });

  it('the sidecar uses known settings and forwards to the app container over the pod loopback', () => {
    for (const name of env.keys()) expect(ENV_NAMES, name).toContain(name);
    const upstream = new URL(env.get('FAULTLINE_UPSTREAM').value);
    expect(upstream.hostname).toBe('127.0.0.1');
    const app = pod.containers.find((c: Y) => c.name !== 'faultline');
    expect(containerPort(app, 'app')).toBe(Number(upstream.port));
    expect(port(env.get('FAULTLINE_LISTEN').value)).toBe(containerPort(fl, 'proxy'));
  });

  it('probes /healthz and /readyz on the admin port, which listens on all interfaces', () => {
    expect(env.get('FAULTLINE_ADMIN').value).toBe(`0.0.0.0:${containerPort(fl, 'admin')}`);
    expect(fl.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    expect(fl.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(fl.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
  });

  it('the admin token comes from the Secret', () => {
    const ref = env.get('FAULTLINE_ADMIN_TOKEN').valueFrom.secretKeyRef;
    const secret = all.find((d) => d.kind === 'Secret' && d.metadata.name === ref.name);
    expect(secret.stringData[ref.key]).toBeTruthy();
  });

  it('mounts the ConfigMap as a directory (no subPath, so updates arrive) where FAULTLINE_SCENARIOS points', () => {
    const mount = fl.volumeMounts.find((m: Y) => m.mountPath === env.get('FAULTLINE_SCENARIOS').value);
    expect(mount.subPath).toBeUndefined();
    const volume = pod.volumes.find((v: Y) => v.name === mount.name);
    expect(volume.configMap.name).toBe(find('ConfigMap').metadata.name);
  });

  it('gives the drain time to finish: grace period > preStop + FAULTLINE_SHUTDOWN_GRACE', () => {
    const preStop = Number(fl.lifecycle.preStop.exec.command[1]);
    const grace = Number(/^(\d+)s$/.exec(env.get('FAULTLINE_SHUTDOWN_GRACE').value)![1]);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + grace);
  });

  it('the Service targets the proxy port of the sidecar', () => {
    const service = find('Service');
    expect(service.spec.ports[0].targetPort).toBe('proxy');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  it('the ConfigMap holds scenarios that load together', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-k8s-'));
    try {
      for (const [name, text] of Object.entries(find('ConfigMap').data as Record<string, string>))
        await writeFile(join(dir, name), text);
      const set = await loadRuleSet([dir]);
      expect(set.rules.map((r) => r.name).sort()).toEqual(['slow-reads', 'uploads-507']);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('examples/load', () => {
  it('its scenario loads', async () => {
    const set = await loadRuleSet([join(ROOT, 'examples/load/scenario.yaml')]);
    expect(set.rules.map((r) => r.name)).toEqual(['uploads-507', 'reads-503']);
  });
});
