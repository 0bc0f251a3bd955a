/**
 * docker-compose.yml, checked without a Docker engine: the services the issue asks for, start order by
 * health, every mounted or built path present in the repository, the processors' environment made of
 * variables their config schema knows (and valid for it), and Grafana/Prometheus wired to the files and
 * names the dashboards are generated against.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLICKHOUSE_PLUGIN } from '../../dashboards/datasources.js';
import { PROCESSOR_JOB } from '../../processors/metrics/metric-names.js';
import { GRAFANA_DASHBOARDS_PATH } from '../../dashboards/provisioning.js';
import { DASHBOARDS_DIR } from '../../dashboards/render-files.js';
import { CONFIG_VARIABLES, loadConfig } from '../../processors/config.js';

interface Service {
  image?: string;
  build?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** Compose's `${NAME:-default}` as compose would fill it with nothing set. */
const withDefaults = (value: string) => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

function mounts(service: Service): { source: string; target: string }[] {
  return (service.volumes ?? []).map((v) => {
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
}

describe('docker-compose.yml', () => {
  it('runs Kafka, ClickHouse, the processors, Prometheus, Alertmanager and Grafana, with the simulator as a profile', () => {
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'clickhouse', 'grafana', 'kafka', 'processors', 'prometheus', 'simulator']);
    expect(services.kafka!.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.simulator!.profiles).toEqual(['simulator']);
    for (const [name, s] of Object.entries(services)) expect(s.image ?? s.build, name).toBeDefined();
  });

  it('starts a service only after the services it depends on are healthy or started', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services, `${name} -> ${dependency}`).toHaveProperty(dependency);
        if (condition === 'service_healthy') expect(services[dependency]!.healthcheck, `${dependency} needs a healthcheck`).toBeDefined();
      }
    }
    expect(services.processors!.depends_on).toMatchObject({ kafka: { condition: 'service_healthy' }, clickhouse: { condition: 'service_healthy' } });
  });

  it('mounts and builds only paths that exist in the repository', () => {
    const local = Object.values(services).flatMap((s) => [...mounts(s).map((m) => m.source).filter((p) => p.startsWith('.')), ...(s.build ? [s.build, `${s.build}/Dockerfile`] : [])]);
    expect(local.length).toBeGreaterThan(4);
    for (const path of local) expect(existsSync(path), path).toBe(true);
  });

  it('gives the processors and the simulator only variables the config schema declares, with valid values', () => {
    for (const name of ['processors', 'simulator']) {
      const env = services[name]!.environment!;
      for (const variable of Object.keys(env)) expect(CONFIG_VARIABLES, `${name}: ${variable}`).toContain(variable);
      expect(() => loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, withDefaults(String(v))]))), name).not.toThrow();
    }
  });

  it('the processors image is built and started the way the README does it', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^RUN npm install$/m);
    expect(dockerfile).toMatch(/^CMD \["npm", "start"\]$/m);
    expect(readFileSync('README.md', 'utf8')).toContain('npm install');
  });

  it('Grafana gets the ClickHouse plugin, the provisioning and the generated dashboards where the provider looks', () => {
    const grafana = services.grafana!;
    expect(grafana.environment!.GF_PLUGINS_PREINSTALL_SYNC).toContain(CLICKHOUSE_PLUGIN);
    expect(mounts(grafana)).toEqual(
      expect.arrayContaining([
        { source: './infra/grafana/provisioning', target: '/etc/grafana/provisioning' },
        { source: `./${DASHBOARDS_DIR}`, target: GRAFANA_DASHBOARDS_PATH },
      ]),
    );
    // The datasource's password is an environment reference Grafana expands; ClickHouse creates the user with the same one.
    expect(grafana.environment!.GRAFANA_CLICKHOUSE_PASSWORD).toBe(services.clickhouse!.environment!.GRAFANA_CLICKHOUSE_PASSWORD);
  });

  it('Prometheus scrapes the processors’ metrics port under the job name the dashboards use', () => {
    const prometheus = parse(readFileSync('infra/prometheus/prometheus.yml', 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const job = prometheus.scrape_configs.find((j) => j.job_name === PROCESSOR_JOB);
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual([`processors:${services.processors!.environment!.METRICS_PORT}`]);
    expect(mounts(services.prometheus!)).toContainEqual({ source: './infra/prometheus', target: '/etc/prometheus' });
  });
});
