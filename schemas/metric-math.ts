/**
 * Evaluates catalog metrics from summed counters in JavaScript. The ClickHouse views evaluate the same
 * definitions in SQL (processors/clickhouse/catalog-sql.ts); tests hold the two against each other.
 */
import type { CampaignCounters } from './counters.js';
import { STOCK_COVER, type CounterSum, type MetricDefinition, type Status } from './metric-catalog.js';

export const MICROS_PER_UNIT = 1_000_000;

export interface MetricValue {
  /** Ratio as a fraction (0.031 = 3.1 %), money in currency units; null when the denominator is zero. */
  value: number | null;
  status: Status;
}

export function sumCounters(counters: CampaignCounters, sum: CounterSum): number {
  let total = 0;
  for (const term of sum) total += term.sign * counters[term.counter];
  return total;
}

export function evaluateMetric(metric: MetricDefinition, counters: CampaignCounters, plan?: number): MetricValue {
  const numerator = sumCounters(counters, metric.numerator);
  let value: number | null;
  if (metric.denominator === undefined) {
    value = metric.unit === 'money' ? numerator / MICROS_PER_UNIT : numerator;
  } else {
    const denominator = sumCounters(counters, metric.denominator);
    // Money over a count (AOV) is money; money over money (ROAS) is a plain ratio.
    const moneyPerCount = metric.unit === 'money';
    value = denominator === 0 ? null : numerator / denominator / (moneyPerCount ? MICROS_PER_UNIT : 1);
  }
  return { value, status: statusOf(metric, value, sumCounters(counters, metric.minVolume.of), plan) };
}

export function statusOf(metric: MetricDefinition, value: number | null, volume: number, plan?: number): Status {
  if (volume < metric.minVolume.min || value === null) return 'insufficient';
  const t = metric.thresholds;
  if (t === undefined) return 'neutral';
  let compared = value;
  if (t.against === 'plan') {
    if (plan === undefined || plan <= 0) return 'neutral';
    compared = value / plan;
  }
  if (t.bad === 'low') return compared < t.red ? 'red' : compared < t.amber ? 'amber' : 'green';
  return compared > t.red ? 'red' : compared > t.amber ? 'amber' : 'green';
}

export interface StockCover {
  /** Hours until stock-out at the hour's sales rate; null when nothing (net) was sold. */
  hoursOfCover: number | null;
  status: Status;
}

/** `available` null: no stock snapshot seen yet for the SKU. */
export function stockCover(available: number | null, netUnitsSold: number, cartAdds: number): StockCover {
  if (available === null) return { hoursOfCover: null, status: 'insufficient' };
  const hoursOfCover = netUnitsSold > 0 ? available / netUnitsSold : null;
  const { red, amber } = STOCK_COVER.thresholds;
  if ((available === 0 && cartAdds > 0) || (hoursOfCover !== null && hoursOfCover < red)) return { hoursOfCover, status: 'red' };
  return { hoursOfCover, status: hoursOfCover !== null && hoursOfCover < amber ? 'amber' : 'green' };
}
