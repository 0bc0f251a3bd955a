/**
 * The alerting configuration as Prometheus and Alertmanager read it: committed rules match the
 * generator, promtool accepts the rules and passes their unit tests, every rule is tested firing and
 * silent, every runbook link has its section, and Alertmanager routes each team and severity.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RULE_FILES } from '../../alerting/rule-files.js';
import type { RuleGroup } from '../../alerting/alert-rule.js';
import { OPS_BINARIES, runTool } from '../support/ops-tools.js';
import { PROJECT_ROOT } from '../support/tsx-child.js';

const PROMETHEUS_DIR = resolve(PROJECT_ROOT, 'infra/prometheus');
const RULE_PATHS = [RULE_FILES.business, RULE_FILES.pipeline];
const TEST_PATHS = [RULE_FILES.businessTests, 'infra/prometheus/tests/ecom-pipeline.test.yml'];
const ALERTMANAGER_CONFIG = resolve(PROJECT_ROOT, 'infra/alertmanager/alertmanager.yml');

const read = (path: string) => readFileSync(resolve(PROJECT_ROOT, path), 'utf8');
const rules = () => RULE_PATHS.flatMap((path) => (parse(read(path)) as { groups: RuleGroup[] }).groups.flatMap((g) => g.rules));

interface PromtoolTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

describe('alert rules', () => {
  it('are what `npm run alerts` generates from the catalog and policy', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'alerting/write-rules.ts', '--check'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('pass promtool check rules', () => {
    const result = runTool(OPS_BINARIES.promtool, ['check', 'rules', ...RULE_PATHS], PROJECT_ROOT);
    expect(result.output).toMatch(/SUCCESS: 10 rules found[\s\S]*SUCCESS: 5 rules found/);
    expect(result.status).toBe(0);
  });

  it.each(TEST_PATHS)('pass their promtool unit tests in %s', (path) => {
    const result = runTool(OPS_BINARIES.promtool, ['test', 'rules', resolve(PROJECT_ROOT, path)], PROMETHEUS_DIR);
    expect(result.output).toContain('SUCCESS');
    expect(result.status, result.output).toBe(0);
  });

  it('each have a test where they fire and one where they stay silent', () => {
    const cases = TEST_PATHS.flatMap((path) => (parse(read(path)) as PromtoolTests).tests.flatMap((t) => t.alert_rule_test ?? []));
    for (const { alert } of rules()) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => c.exp_alerts.length > 0), `${alert} fires in a test`).toBe(true);
      expect(mine.some((c) => c.exp_alerts.length === 0), `${alert} stays silent in a test`).toBe(true);
    }
  });

  it('each carry severity, team, summary, description and a runbook section that exists', () => {
    const anchors = new Set([...read('docs/runbook.md').matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replaceAll(' ', '-')));
    for (const rule of rules()) {
      expect(rule.labels.severity, rule.alert).toMatch(/^(critical|warning)$/);
      expect(rule.labels.team, rule.alert).toMatch(/^(business|platform)$/);
      expect(rule.annotations.summary, rule.alert).not.toBe('');
      // The value, or for processor-down (whose value is always 0) the instance.
      expect(rule.annotations.description, rule.alert).toMatch(/\{\{ \$(value|labels\.instance)/);
      const [file, anchor] = rule.annotations.runbook_url.split('#');
      expect(file).toBe('docs/runbook.md');
      expect(anchors.has(anchor!), `${rule.alert}: runbook section #${anchor}`).toBe(true);
    }
  });
});

describe('Prometheus and Alertmanager configuration', () => {
  it('passes promtool check config', () => {
    // promtool insists that the scrape token file exists; in compose Prometheus writes it at start.
    const dir = mkdtempSync(join(tmpdir(), 'ecom-prometheus-'));
    cpSync(PROMETHEUS_DIR, dir, { recursive: true });
    const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8'));
    const token = join(dir, 'processors.token');
    writeFileSync(token, 'a-token-for-the-check');
    config.scrape_configs[0].authorization.credentials_file = token;
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const result = runTool(OPS_BINARIES.promtool, ['check', 'config', 'prometheus.yml'], dir);
    rmSync(dir, { recursive: true, force: true });
    expect(result.status, result.output).toBe(0);
  });

  it('passes amtool check-config', () => {
    const result = runTool(OPS_BINARIES.amtool, ['check-config', ALERTMANAGER_CONFIG]);
    expect(result.output).toContain('1 inhibit rules');
    expect(result.status, result.output).toBe(0);
  });

  it.each([
    ['business', 'critical', 'business-pager'],
    ['business', 'warning', 'business-chat'],
    ['platform', 'critical', 'platform-pager'],
    ['platform', 'warning', 'platform-chat'],
  ])('routes team=%s severity=%s to %s', (team, severity, receiver) => {
    const result = runTool(OPS_BINARIES.amtool, ['config', 'routes', 'test', `--config.file=${ALERTMANAGER_CONFIG}`, `team=${team}`, `severity=${severity}`]);
    expect(result.output.split('\n')[0]).toBe(receiver);
  });
});
