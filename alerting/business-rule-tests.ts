/**
 * promtool unit tests for the business rules, generated per alerted catalog metric so a new metric
 * gets its tests with its rules. Each metric is tested on synthetic gauge series: it fires once red
 * held for `for` over enough volume, and stays silent on too little volume, on a one-scrape blip and,
 * outside a war room, before `for` has passed. The expected annotations are rendered here, apart from
 * the Go templates in the rules, so a broken template fails the test.
 */
import { PROCESSOR_METRICS as M } from '../processors/metrics/metric-names.js';
import type { MetricDefinition } from '../schemas/metric-catalog.js';
import type { AlertPolicy, Duration } from './alert-policy.js';
import { runbookUrl } from './alert-rule.js';
import { businessAlerts, thresholdText, volumeUnit, type BusinessAlert } from './business-rules.js';

const INSTANCE = '127.0.0.1:9464';

export function businessRuleTests(policy: AlertPolicy, ruleFile: string): object {
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: businessAlerts(policy).flatMap((alert) => [
      scenario(policy, alert, 'red over enough volume', { volume: alert.policy.minVolume, red: 'always', warRoom: false }, [[alert.name, true], [`${alert.name}WarRoom`, false]], 1),
      scenario(policy, alert, 'red, one below the paging volume', { volume: alert.policy.minVolume - 1, red: 'always', warRoom: false }, [[alert.name, false]], 1),
      scenario(policy, alert, 'one red scrape', { volume: alert.policy.minVolume, red: 'blip', warRoom: false }, [[alert.name, false]], 1),
      scenario(policy, alert, 'red, not yet for long enough', { volume: alert.policy.minVolume, red: 'always', warRoom: false }, [[alert.name, false]], -1),
      scenario(policy, alert, 'war room: red', { volume: alert.policy.minVolume, red: 'always', warRoom: true }, [[`${alert.name}WarRoom`, true], [alert.name, false]], 1),
      scenario(policy, alert, 'war room: one red scrape', { volume: alert.policy.minVolume, red: 'blip', warRoom: true }, [[`${alert.name}WarRoom`, false]], 1),
    ]),
  };
}

interface Inputs {
  volume: number;
  /** `blip`: red at the second sample only. */
  red: 'always' | 'blip';
  warRoom: boolean;
}

/** Evaluated `offsetMinutes` after the alert's `for` (negative: before it). */
function scenario(policy: AlertPolicy, alert: BusinessAlert, name: string, inputs: Inputs, expect: [string, boolean][], offsetMinutes: number): object {
  const { metric } = alert;
  const forMinutes = minutes(inputs.warRoom ? policy.warRoomFor : alert.policy.for);
  const samples = forMinutes + 5;
  const labels = `job="${policy.job}",instance="${INSTANCE}",metric="${metric.id}",scope="shop"`;
  const constant = (v: number) => `${v}+0x${samples}`;
  const value = redValue(metric);
  return {
    name: `${alert.name}: ${name}`,
    interval: '1m',
    input_series: [
      { series: `${M.businessValue}{${labels}}`, values: constant(value) },
      { series: `${M.businessStatus}{${labels},status="red"}`, values: inputs.red === 'always' ? constant(1) : `0 1 0+0x${samples}` },
      { series: `${M.businessVolume}{${labels}}`, values: constant(inputs.volume) },
      { series: `${M.warRoom}{job="${policy.job}",instance="${INSTANCE}"}`, values: constant(inputs.warRoom ? 1 : 0) },
    ],
    alert_rule_test: expect.map(([alertname, fires]) => ({
      eval_time: `${forMinutes + offsetMinutes}m`,
      alertname,
      exp_alerts: fires ? [expectedAlert(policy, alert, alertname, value, inputs.warRoom)] : [],
    })),
  };
}

function expectedAlert(policy: AlertPolicy, { metric, policy: p, name }: BusinessAlert, alertname: string, value: number, warRoom: boolean): object {
  const shown = metric.unit === 'percent' ? `${Number((value * 100).toPrecision(4))}%` : value.toFixed(2);
  const duration = warRoom ? policy.warRoomFor : p.for;
  return {
    exp_labels: { alertname, job: policy.job, instance: INSTANCE, metric: metric.id, scope: 'shop', severity: warRoom ? 'critical' : p.severity, team: 'business' },
    exp_annotations: {
      summary: `${metric.label} is red${warRoom ? ' (war room)' : ''} for shop`,
      description: `${metric.label} is ${shown} in the current hour (${thresholdText(metric)}), over at least ${p.minVolume} ${volumeUnit(metric)}, for ${duration} or longer.`,
      runbook_url: runbookUrl(policy, name),
    },
  };
}

/** A value on the red side of the threshold: half of it for "low is bad", double for "high is bad". */
function redValue(metric: MetricDefinition): number {
  const t = metric.thresholds!;
  return t.bad === 'low' ? t.red / 2 : t.red * 2;
}

function minutes(duration: Duration): number {
  const n = Number.parseFloat(duration);
  const unit = duration.slice(-1);
  const m = unit === 'h' ? n * 60 : unit === 'm' ? n : n / 60;
  if (!Number.isInteger(m)) throw new Error(`business rule tests step in whole minutes; got ${duration}`);
  return m;
}
