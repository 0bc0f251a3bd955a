/**
 * The metric catalog: the one place where a metric's definition, unit, thresholds and minimum volume
 * live. ClickHouse views, Grafana panels, Prometheus rules and the war-room page are generated from it;
 * adding a metric is one entry here plus its tests.
 */
import type { CampaignCounter } from './counters.js';

export const STATUSES = ['red', 'amber', 'green', 'insufficient', 'neutral'] as const;
/** `insufficient`: the denominator is under the minimum volume; `neutral`: the metric has no thresholds. */
export type Status = (typeof STATUSES)[number];

/** A signed sum of counters, e.g. GMV = paid_micros - refunded_micros. */
export type CounterSum = readonly { counter: CampaignCounter; sign: 1 | -1 }[];

export type Unit = 'percent' | 'ratio' | 'money' | 'count';

export interface Thresholds {
  red: number;
  amber: number;
  /** `low`: values under the thresholds are bad (CTR); `high`: values over them are bad (failure rate). */
  bad: 'low' | 'high';
  /** `absolute`: thresholds compare the metric itself; `plan`: they compare actual / plan (GMV attainment). */
  against: 'absolute' | 'plan';
}

export interface MetricDefinition {
  id: string;
  label: string;
  description: string;
  numerator: CounterSum;
  /** Absent for absolute metrics such as GMV. */
  denominator?: CounterSum;
  unit: Unit;
  thresholds?: Thresholds;
  /** Below this volume the metric is `insufficient` (grey), never red: ten impressions at 4 am prove nothing. */
  minVolume: { of: CounterSum; min: number };
}

const c = (counter: CampaignCounter): CounterSum => [{ counter, sign: 1 }];

export const METRICS = [
  {
    id: 'ctr',
    label: 'CTR',
    description: 'Clicks per impression',
    numerator: c('clicks'),
    denominator: c('impressions'),
    unit: 'percent',
    thresholds: { red: 0.01, amber: 0.02, bad: 'low', against: 'absolute' },
    minVolume: { of: c('impressions'), min: 100 },
  },
  {
    id: 'cvr',
    label: 'CVR',
    description: 'Paid orders per click',
    numerator: c('paid_orders'),
    denominator: c('clicks'),
    unit: 'percent',
    thresholds: { red: 0.01, amber: 0.02, bad: 'low', against: 'absolute' },
    minVolume: { of: c('clicks'), min: 50 },
  },
  {
    id: 'roas',
    label: 'ROAS',
    description: 'Attributed GMV per unit of ad spend; below 1.0 the ads lose money',
    numerator: [
      { counter: 'paid_micros', sign: 1 },
      { counter: 'refunded_micros', sign: -1 },
    ],
    denominator: c('spend_micros'),
    unit: 'ratio',
    thresholds: { red: 1.0, amber: 2.0, bad: 'low', against: 'absolute' },
    minVolume: { of: c('clicks'), min: 50 },
  },
  {
    id: 'add_to_cart_rate',
    label: 'Add-to-cart rate',
    description: 'Cart adds per click',
    numerator: c('cart_adds'),
    denominator: c('clicks'),
    unit: 'percent',
    thresholds: { red: 0.03, amber: 0.06, bad: 'low', against: 'absolute' },
    minVolume: { of: c('clicks'), min: 50 },
  },
  {
    id: 'payment_failure_rate',
    label: 'Payment failure rate',
    description: 'Failed payment attempts per attempt (succeeded + failed)',
    numerator: c('failed_payments'),
    denominator: [
      { counter: 'paid_orders', sign: 1 },
      { counter: 'failed_payments', sign: 1 },
    ],
    unit: 'percent',
    thresholds: { red: 0.05, amber: 0.02, bad: 'high', against: 'absolute' },
    minVolume: {
      of: [
        { counter: 'paid_orders', sign: 1 },
        { counter: 'failed_payments', sign: 1 },
      ],
      min: 20,
    },
  },
  {
    id: 'gmv',
    label: 'GMV',
    description: 'Succeeded payments minus refunds',
    numerator: [
      { counter: 'paid_micros', sign: 1 },
      { counter: 'refunded_micros', sign: -1 },
    ],
    unit: 'money',
    thresholds: { red: 0.8, amber: 0.95, bad: 'low', against: 'plan' },
    minVolume: { of: c('paid_orders'), min: 0 },
  },
  {
    id: 'orders',
    label: 'Orders',
    description: 'Paid orders (succeeded payments); a plan target makes it a plan-to-date figure',
    numerator: c('paid_orders'),
    unit: 'count',
    minVolume: { of: c('paid_orders'), min: 0 },
  },
  {
    id: 'aov',
    label: 'AOV',
    description: 'GMV per paid order (informational)',
    numerator: [
      { counter: 'paid_micros', sign: 1 },
      { counter: 'refunded_micros', sign: -1 },
    ],
    denominator: c('paid_orders'),
    unit: 'money',
    minVolume: { of: c('paid_orders'), min: 1 },
  },
] as const satisfies readonly MetricDefinition[];

export type MetricId = (typeof METRICS)[number]['id'];

/** Additive metrics (no denominator) can be summed over hours, so they have a plan-to-date figure. */
export function isAdditive(m: MetricDefinition): boolean {
  return m.denominator === undefined;
}

/**
 * The stock-out warning per SKU and event-time hour. Hours of cover = stock at the hour's close /
 * net units sold in that hour (the last 60 minutes of event time at the close). Zero stock with cart
 * adds in the hour is red whatever the cover: that is demand being lost.
 */
export const STOCK_COVER = {
  id: 'stock_cover',
  label: 'Hours of stock cover',
  thresholds: { red: 2, amber: 6, bad: 'low', against: 'absolute' },
} as const satisfies { id: string; label: string; thresholds: Thresholds };

/**
 * A surge: a counter running above `factor` x its same hour yesterday. An opportunity (more budget,
 * restock), never a red light. `minVolume` keeps 3 adds against 1 yesterday from counting.
 */
export const SURGE = {
  counter: 'cart_adds',
  factor: 2,
  minVolume: 50,
} as const satisfies { counter: CampaignCounter; factor: number; minVolume: number };

export function metricById(id: string): MetricDefinition | undefined {
  return METRICS.find((m) => m.id === id);
}
