/**
 * The simulated promotion day has the shape DOMAIN.md describes: quiet nights, a noon and an evening
 * peak, a rush when the sale opens, campaigns that pay and campaigns that burn money, a SKU that sells
 * out in the evening while demand continues, and a payment incident that turns one hour red.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_COUNTERS, zeroCounters, type CampaignCounters } from '../../schemas/counters.js';
import { metricById } from '../../schemas/metric-catalog.js';
import { evaluateMetric } from '../../schemas/metric-math.js';
import { DEFAULT_TOPICS } from '../../schemas/topics.js';
import { SELLOUT_SKU } from '../../simulator/catalog.js';
import { resolveConfig } from '../../simulator/config.js';
import { generateMessages } from '../../simulator/generate.js';
import { TruthBuilder, type Truth } from '../../simulator/truth.js';

const MINUTE = 60_000;
const config = resolveConfig({ seed: 2024, events: 300_000 });
/** Impressions per minute of the day, by event time. */
const impressionsPerMinute = new Array<number>(24 * 60).fill(0);
let truth: Truth;

beforeAll(() => {
  const builder = new TruthBuilder(config, DEFAULT_TOPICS);
  const generator = generateMessages(config);
  for (let next = generator.next(); ; next = generator.next()) {
    if (next.done) {
      truth = builder.finish(next.value);
      return;
    }
    const m = next.value;
    builder.add(m);
    if (m.expected === 'counted' && m.event?.stream === 'click' && m.event.body.type === 'impression') {
      impressionsPerMinute[Math.floor((m.event.timeMs - config.startMs) / MINUTE)]!++;
    }
  }
});

function sum(rows: readonly { counters: CampaignCounters }[]): CampaignCounters {
  const total = zeroCounters(CAMPAIGN_COUNTERS);
  for (const row of rows) for (const name of CAMPAIGN_COUNTERS) total[name] += row.counters[name];
  return total;
}

const hourOf = (label: string) => Number(label.slice(11, 13));
const byHour = () => Array.from({ length: 24 }, (_, h) => sum(truth.campaign_hours.filter((r) => hourOf(r.hour_local) === h)));
const perMinute = (fromMinute: number, toMinute: number) =>
  impressionsPerMinute.slice(fromMinute, toMinute).reduce((a, b) => a + b, 0) / (toMinute - fromMinute);

describe('traffic over the day', () => {
  it('covers the 24 local hours of the day', () => {
    expect(new Set(truth.campaign_hours.map((r) => r.hour_local))).toEqual(
      new Set(Array.from({ length: 24 }, (_, h) => `2024-11-11 ${String(h).padStart(2, '0')}:00`)),
    );
  });

  it('rushes when the sale opens at 00:00: several times the evening peak for the first minutes', () => {
    const rush = perMinute(0, 5);
    const eveningPeak = perMinute(20 * 60, 23 * 60);
    expect(rush).toBeGreaterThan(3 * eveningPeak);
    expect(perMinute(40, 60)).toBeLessThan(eveningPeak);
  });

  it('is quiet at night, rises from 8:00, peaks around noon and 20:00-23:00', () => {
    const impressions = byHour().map((c) => c.impressions);
    expect(impressions[4]!).toBeLessThan(0.15 * impressions[21]!);
    expect(impressions[8]!).toBeGreaterThan(1.5 * impressions[7]!);
    expect(impressions[12]!).toBeGreaterThan(impressions[10]!);
    expect(impressions[12]!).toBeGreaterThan(impressions[15]!);
    for (const evening of [20, 21, 22]) expect(impressions[evening]!).toBeGreaterThan(impressions[12]!);
  });
});

describe('campaigns', () => {
  const roas = metricById('roas')!;
  it.each(['burns_money', 'performs'] as const)('campaigns that %s have a daily ROAS on the right side of 1 (and 2)', (profile) => {
    const campaigns = truth.scenario.campaigns.filter((c) => c.profile === profile);
    expect(campaigns.length).toBeGreaterThan(1);
    for (const { campaign_id } of campaigns) {
      const value = evaluateMetric(roas, sum(truth.campaign_hours.filter((r) => r.campaign_id === campaign_id))).value!;
      if (profile === 'burns_money') expect(value, campaign_id).toBeLessThan(1);
      else expect(value, campaign_id).toBeGreaterThan(2);
    }
  });

  it('runs every campaign on all four channels between them, and organic carts count under campaign ""', () => {
    expect(new Set(truth.campaign_hours.map((r) => r.channel))).toEqual(new Set(['search', 'feed', 'live', 'social', '']));
    const organic = sum(truth.campaign_hours.filter((r) => r.campaign_id === ''));
    expect(organic.cart_adds).toBeGreaterThan(0);
    expect(organic.paid_orders).toBeGreaterThan(0);
    expect(organic.impressions).toBe(0);
  });
});

describe('stock', () => {
  it('the sell-out SKU reaches 0 available in the evening while cart adds continue', () => {
    const rows = truth.sku_hours.filter((r) => r.sku === SELLOUT_SKU);
    const soldOut = rows.filter((r) => r.available === 0);
    expect(soldOut.length).toBeGreaterThan(0);
    expect(hourOf(soldOut[0]!.hour_local)).toBeGreaterThanOrEqual(18);
    expect(rows.filter((r) => hourOf(r.hour_local) < 18).every((r) => (r.available ?? 1) > 0)).toBe(true);
    const lastHour = rows.at(-1)!;
    expect(lastHour.available).toBe(0);
    expect(lastHour.counters.cart_adds).toBeGreaterThan(0);
    // Units released by abandoned orders can still sell, but demand now far exceeds sales: lost sales.
    expect(lastHour.counters.units_sold).toBeLessThan(0.1 * lastHour.counters.cart_add_units);
    expect(truth.scenario.sellout.sold_out_at).not.toBeNull();
  });

  it('other SKUs decrease with sales but do not run out', () => {
    const socks = truth.sku_hours.filter((r) => r.sku === 'sku-socks-5pack');
    expect(socks[0]!.available!).toBeGreaterThan(socks.at(-1)!.available!);
    const zeroes = truth.sku_hours.filter((r) => r.sku !== SELLOUT_SKU && r.available === 0);
    expect(zeroes).toEqual([]);
  });
});

describe('payments', () => {
  const failureRate = metricById('payment_failure_rate')!;
  it('the provider incident pushes the failure rate above 5% in its hour, far above an ordinary hour', () => {
    const incidentHour = Number(config.incident.at.slice(0, 2));
    const rates = byHour()
      .map((counters, hour) => ({ hour, attempts: counters.paid_orders + counters.failed_payments, rate: evaluateMetric(failureRate, counters) }))
      .filter((h) => h.attempts >= 100);
    const incident = rates.find((h) => h.hour === incidentHour)!;
    expect(incident.rate).toMatchObject({ status: 'red' });
    expect(incident.rate.value!).toBeGreaterThan(0.05);
    const others = rates.filter((h) => h.hour !== incidentHour).map((h) => h.rate.value!);
    expect(Math.max(...others)).toBeLessThan(incident.rate.value!);
    expect(others.sort((a, b) => a - b)[Math.floor(others.length / 2)]!).toBeLessThan(0.03);
  });

  it('has refunds, and failed attempts followed by successful retries', () => {
    const total = sum(truth.campaign_hours);
    expect(total.refunds).toBeGreaterThan(0);
    expect(total.refunded_micros).toBeGreaterThan(0);
    expect(total.failed_payments).toBeGreaterThan(0);
    expect(total.paid_orders).toBeGreaterThan(10 * total.refunds);
  });
});
