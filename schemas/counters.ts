/**
 * The additive counters the pipeline keeps per event-time hour. Ratios are never stored: they are
 * computed from summed counters at query time (see metric-catalog.ts). Money counters are integer micros.
 */

/** Per hour x campaign x channel. Unattributed cart and payment events count under campaign '' / channel ''. */
export const CAMPAIGN_COUNTERS = [
  'impressions',
  'clicks',
  'spend_micros',
  'cart_adds',
  'cart_removes',
  'paid_orders',
  'failed_payments',
  'paid_micros',
  'refunds',
  'refunded_micros',
] as const;
export type CampaignCounter = (typeof CAMPAIGN_COUNTERS)[number];

/** Per hour x SKU. Units come from payment line items; stock is kept apart because it is a level, not a flow. */
export const SKU_COUNTERS = ['cart_adds', 'cart_add_units', 'units_sold', 'units_refunded'] as const;
export type SkuCounter = (typeof SKU_COUNTERS)[number];

export type CampaignCounters = Record<CampaignCounter, number>;
export type SkuCounters = Record<SkuCounter, number>;

export const UNATTRIBUTED = '';

/** Campaign or SKU under which ids beyond MAX_KEYS_PER_HOUR of a partition's hour are counted. */
export const OVERFLOW_KEY = '__other__';

export function zeroCounters<C extends string>(names: readonly C[]): Record<C, number> {
  const out = {} as Record<C, number>;
  for (const n of names) out[n] = 0;
  return out;
}
