/**
 * Business alert rules, one pair per catalog metric with absolute thresholds: `<Metric>Red` after the
 * policy's `for` outside a war room, `<Metric>RedWarRoom` after `warRoomFor` while a war room is on.
 * The status itself comes from the processors' gauges (the catalog's evaluateMetric), so thresholds
 * are never restated in PromQL; the rules add persistence and the paging volume.
 */
import { PROCESSOR_METRICS as M } from '../processors/metrics/metric-names.js';
import { METRICS, type MetricDefinition, type MetricId } from '../schemas/metric-catalog.js';
import type { AlertPolicy, BusinessAlertPolicy } from './alert-policy.js';
import { runbookUrl, selector, type AlertRule, type RuleGroup } from './alert-rule.js';

export interface BusinessAlert {
  metric: MetricDefinition;
  policy: BusinessAlertPolicy;
  /** The alert name outside a war room; the war-room rule appends `WarRoom`. */
  name: string;
}

/** Catalog metrics the policy alerts on, in catalog order. */
export function businessAlerts(policy: AlertPolicy): BusinessAlert[] {
  return (METRICS as readonly MetricDefinition[]).flatMap((metric): BusinessAlert[] => {
    const alertPolicy = policy.business[metric.id as MetricId];
    if (alertPolicy === undefined || metric.thresholds?.against !== 'absolute') return [];
    if (alertPolicy.minVolume < metric.minVolume.min) throw new Error(`${metric.id}: paging volume ${alertPolicy.minVolume} is below the catalog minimum ${metric.minVolume.min}`);
    return [{ metric, policy: alertPolicy, name: `Ecom${pascal(metric.id)}Red` }];
  });
}

export function businessRuleGroup(policy: AlertPolicy): RuleGroup {
  return { name: 'ecom-business', rules: businessAlerts(policy).flatMap((a) => [redRule(policy, a, false), redRule(policy, a, true)]) };
}

function redRule(policy: AlertPolicy, { metric, policy: p, name }: BusinessAlert, warRoom: boolean): AlertRule {
  const m = { metric: metric.id };
  const warRoomOn = `on() (${selector(policy, M.warRoom)} == 1)`;
  const expr = [
    selector(policy, M.businessValue, m),
    `and ignoring(status) ${selector(policy, M.businessStatus, { ...m, status: 'red' })} == 1`,
    `and ${selector(policy, M.businessVolume, m)} >= ${p.minVolume}`,
    warRoom ? `and ${warRoomOn}` : `unless ${warRoomOn}`,
  ].join('\n');
  const duration = warRoom ? policy.warRoomFor : p.for;
  return {
    alert: warRoom ? `${name}WarRoom` : name,
    expr,
    for: duration,
    keep_firing_for: policy.keepFiringFor,
    labels: { severity: warRoom ? 'critical' : p.severity, team: 'business' },
    annotations: {
      summary: `${metric.label} is red${warRoom ? ' (war room)' : ''} for ${SCOPE_TEMPLATE}`,
      description: `${metric.label} is ${valueTemplate(metric)} in the current hour (${thresholdText(metric)}), over at least ${p.minVolume} ${volumeUnit(metric)}, for ${duration} or longer.`,
      runbook_url: runbookUrl(policy, name),
    },
  };
}

/** `shop`, `channel feed` or `campaign cmp-x`: the scope labels of the gauges. */
const SCOPE_TEMPLATE = '{{ $labels.scope }}{{ with $labels.channel }} {{ . }}{{ end }}{{ with $labels.campaign }} {{ . }}{{ end }}';

function valueTemplate(metric: MetricDefinition): string {
  return metric.unit === 'percent' ? '{{ $value | humanizePercentage }}' : '{{ $value | printf "%.2f" }}';
}

/** The catalog threshold in words, e.g. "red below 1%, amber below 2%". */
export function thresholdText(metric: MetricDefinition): string {
  const t = metric.thresholds!;
  const side = t.bad === 'low' ? 'below' : 'above';
  const show = (v: number) => (metric.unit === 'percent' ? `${+(v * 100).toFixed(4)}%` : String(v));
  return `red ${side} ${show(t.red)}, amber ${side} ${show(t.amber)}`;
}

/** What the minimum volume counts, from the counters it sums. */
export function volumeUnit(metric: MetricDefinition): string {
  const counters = metric.minVolume.of.map((term) => term.counter);
  if (counters.includes('failed_payments')) return 'payment attempts';
  return counters.map((c) => c.replaceAll('_', ' ')).join(' + ');
}

function pascal(id: string): string {
  return id.replace(/(^|_)([a-z])/g, (_match, _sep: string, letter: string) => letter.toUpperCase());
}
