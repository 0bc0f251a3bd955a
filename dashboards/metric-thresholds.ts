/**
 * Catalog thresholds as Grafana threshold steps. Grafana colours a value by the last step whose value
 * is <= the value; the catalog's `bad: 'high'` thresholds are strict (> red is red, exactly red is
 * amber), so those steps sit at the next double above the catalog's number: for every double v,
 * v >= nextUp(t) exactly when v > t. Plan-based thresholds (GMV) compare attainment, not the value
 * itself, so a panel showing the value alone is neutral, as in the views (catalog-sql.ts), and the
 * attainment next to it carries the colour, as in the plan_attainment view (signal-sql.ts).
 */
import { ThresholdsConfigBuilder, ThresholdsMode, type Threshold } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MetricDefinition, Status, Thresholds } from '../schemas/metric-catalog.js';
import { STATUS_COLOURS } from './status-colours.js';

export function thresholdSteps(metric: MetricDefinition): readonly Threshold[] {
  const t = metric.thresholds;
  return t === undefined || t.against === 'plan' ? NEUTRAL_STEPS : stepsOf(t);
}

/** Steps for attainment (actual / plan): the catalog's thresholds where they compare against the plan, neutral otherwise. */
export function attainmentSteps(metric: MetricDefinition): readonly Threshold[] {
  const t = metric.thresholds;
  return t?.against === 'plan' ? stepsOf(t) : NEUTRAL_STEPS;
}

function stepsOf(t: Thresholds): readonly Threshold[] {
  if (t.bad === 'low') return [step(null, 'red'), step(t.red, 'amber'), step(t.amber, 'green')];
  return [step(null, 'green'), step(nextUp(t.amber), 'amber'), step(nextUp(t.red), 'red')];
}

export function metricThresholds(metric: MetricDefinition): ThresholdsConfigBuilder {
  return thresholds(thresholdSteps(metric));
}

export function attainmentThresholds(metric: MetricDefinition): ThresholdsConfigBuilder {
  return thresholds(attainmentSteps(metric));
}

/** For panel defaults: a number no catalog entry speaks for is not coloured as if one did. */
export function neutralThresholds(): ThresholdsConfigBuilder {
  return thresholds(NEUTRAL_STEPS);
}

function thresholds(steps: readonly Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map((s) => ({ ...s })));
}

function step(value: number | null, status: Status): Threshold {
  return { value, color: STATUS_COLOURS[status] };
}

const NEUTRAL_STEPS: readonly Threshold[] = [step(null, 'neutral')];

/** The smallest double greater than a positive finite x. */
export function nextUp(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`nextUp is defined here for positive finite numbers, got ${x}`);
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0]! += 1n;
  return new Float64Array(bits.buffer)[0]!;
}
