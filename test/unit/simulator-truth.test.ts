import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPICS } from '../../schemas/topics.js';
import { resolveConfig } from '../../simulator/config.js';
import { EventFactory } from '../../simulator/event-factory.js';
import type { ScenarioReport } from '../../simulator/scenario.js';
import { serialize, type Expected, type SimMessage, type TimedEvent } from '../../simulator/messages.js';
import { TruthBuilder } from '../../simulator/truth.js';

const scenario: ScenarioReport = {
  campaigns: [],
  sale_opens: [],
  incident: null,
  sellout: { sku: 'x', initial_stock: 0, target: null, sold_out_at: null },
  surge: null,
  inventory_interval_ms: 60_000,
};

function harness(timeZone: string) {
  const config = resolveConfig({ timeZone, start: '2024-11-11T09', hours: 3, events: 1000 });
  const events = new EventFactory(config.zone, 'CNY', 'test');
  const truth = new TruthBuilder(config, DEFAULT_TOPICS);
  const add = (event: TimedEvent, expected: Expected = 'counted') => {
    const message: SimMessage = { stream: event.stream, key: 'k', value: serialize(event), timestampMs: event.timeMs, expected, event };
    truth.add(message);
    return message;
  };
  return { events, truth, add };
}

const click = (events: EventFactory, timeMs: number, type: 'impression' | 'click' = 'impression') =>
  events.click(timeMs, { type, user_id: 'u1', campaign_id: 'cmp-a', channel: 'feed', cost_micros: 1000 });

describe('TruthBuilder', () => {
  it.each([
    ['Asia/Kolkata', '2024-11-11T04:30:00.000Z', '2024-11-11T03:30:00.000Z'],
    ['Asia/Kathmandu', '2024-11-11T04:15:00.000Z', '2024-11-11T03:15:00.000Z'],
    ['UTC', '2024-11-11T10:00:00.000Z', '2024-11-11T09:00:00.000Z'],
  ])('%s: an event exactly at %s opens the new hour, one a millisecond earlier stays in the old one', (timeZone, boundary, previous) => {
    const { events, truth, add } = harness(timeZone);
    add(click(events, Date.parse(boundary)));
    add(click(events, Date.parse(boundary) - 1));
    add(click(events, Date.parse(boundary) - 1));
    const rows = truth.finish(scenario).campaign_hours;
    expect(rows.map((r) => [r.hour, r.hour_local, r.counters.impressions])).toEqual([
      [previous, '2024-11-11 09:00', 2],
      [boundary, '2024-11-11 10:00', 1],
    ]);
  });

  it('counts an event once however often it is re-sent, and malformed messages not at all', () => {
    const { events, truth, add } = harness('Asia/Shanghai');
    const t = Date.parse('2024-11-11T01:10:00Z');
    const original = add(click(events, t, 'click'));
    truth.add({ ...original, expected: 'duplicate' });
    truth.add({ ...original, expected: 'duplicate' });
    truth.add({ stream: 'click', key: 'k', value: Buffer.from('{'), timestampMs: t, expected: { reason: 'not_json' } });
    const paid = events.payment(t, {
      status: 'succeeded',
      order_id: 'o1',
      attempt: 2,
      user_id: 'u1',
      amount_micros: 5_000_000,
      items: [{ sku: 'sku-a', quantity: 2, unit_price_micros: 2_500_000 }],
    });
    add(paid);
    add(events.resend(paid), 'duplicate');
    const result = truth.finish(scenario);

    expect(result.messages.total).toBe(6);
    expect(result.counted).toEqual({ click: 1, cart: 0, payment: 1, inventory: 0 });
    expect(result.duplicates).toEqual({ click: 2, cart: 0, payment: 1, inventory: 0 });
    expect(result.dead_letters.not_json).toBe(1);
    expect(result.dead_letters_by_topic[DEFAULT_TOPICS.click]).toEqual({ not_json: 1 });
    const [unattributed, attributed] = result.campaign_hours;
    expect(attributed).toMatchObject({ campaign_id: 'cmp-a', channel: 'feed', counters: { clicks: 1, spend_micros: 1000 } });
    expect(unattributed).toMatchObject({ campaign_id: '', channel: '', counters: { paid_orders: 1, paid_micros: 5_000_000 } });
    expect(unattributed!.metrics.aov).toEqual({ value: 5, status: 'neutral' });
    expect(result.sku_hours).toEqual([
      expect.objectContaining({ sku: 'sku-a', counters: { cart_adds: 0, cart_add_units: 0, units_sold: 2, units_refunded: 0 }, available: null }),
    ]);
  });

  it("takes each warehouse's latest snapshot of the hour by event time, not by arrival, and sums warehouses", () => {
    const { events, truth, add } = harness('Asia/Shanghai');
    const hour = Date.parse('2024-11-11T02:00:00Z');
    add(events.inventory(hour + 50 * 60_000, { sku: 'sku-a', available: 7, warehouse: 'wh-east' }));
    add(events.inventory(hour + 10 * 60_000, { sku: 'sku-a', available: 30, warehouse: 'wh-east' }));
    add(events.inventory(hour + 20 * 60_000, { sku: 'sku-a', available: 5, warehouse: 'wh-south' }));
    add(events.inventory(hour + 70 * 60_000, { sku: 'sku-a', available: 0, warehouse: 'wh-south' }));
    add(events.inventory(hour + 5 * 60_000, { sku: 'sku-b', available: 3 }));
    const rows = truth.finish(scenario).sku_hours.map((r) => [r.hour_local, r.sku, r.available]);
    expect(rows).toEqual([
      ['2024-11-11 10:00', 'sku-a', 12],
      ['2024-11-11 10:00', 'sku-b', 3],
      ['2024-11-11 11:00', 'sku-a', 0],
    ]);
  });

  it('carries each warehouse to later hours for the stock signal; lost demand needs an hour that began and closed at zero', () => {
    const { events, truth, add } = harness('Asia/Shanghai');
    const at = (localHour: number, minute: number) => Date.parse(`2024-11-11T${String(localHour - 8).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
    const cartAdd = (t: number, quantity: number) => add(events.cart(t, { type: 'add', user_id: 'u1', sku: 'sku-a', quantity, unit_price_micros: 1 }));
    add(events.inventory(at(9, 5), { sku: 'sku-a', available: 10, warehouse: 'wh-east' }));
    add(events.inventory(at(9, 6), { sku: 'sku-a', available: 2, warehouse: 'wh-south' }));
    cartAdd(at(9, 30), 1);
    add(events.inventory(at(10, 10), { sku: 'sku-a', available: 0, warehouse: 'wh-south' }));
    cartAdd(at(10, 20), 1);
    add(events.inventory(at(10, 40), { sku: 'sku-a', available: 0, warehouse: 'wh-east' }));
    cartAdd(at(11, 15), 2);
    cartAdd(at(11, 45), 1);
    const rows = truth.finish(scenario).sku_hours.map((r) => [r.hour_local, r.stock_signal.available_at_close, r.stock_signal.status, r.stock_signal.lost_cart_adds, r.stock_signal.lost_units]);
    expect(rows).toEqual([
      ['2024-11-11 09:00', 12, 'green', 0, 0],
      ['2024-11-11 10:00', 0, 'red', 0, 0],
      ['2024-11-11 11:00', 0, 'red', 2, 3],
    ]);
  });

  it('counts cart adds per SKU with units, removes only per campaign, and refunds as units refunded', () => {
    const { events, truth, add } = harness('Asia/Shanghai');
    const t = Date.parse('2024-11-11T01:30:00Z');
    add(events.cart(t, { type: 'add', user_id: 'u1', sku: 'sku-a', quantity: 3, unit_price_micros: 1, campaign_id: 'cmp-a', channel: 'live' }));
    add(events.cart(t, { type: 'remove', user_id: 'u1', sku: 'sku-a', quantity: 3, unit_price_micros: 1, campaign_id: 'cmp-a', channel: 'live' }));
    const order = { order_id: 'o1', attempt: 1, user_id: 'u1', amount_micros: 9, items: [{ sku: 'sku-a', quantity: 3, unit_price_micros: 3 }] };
    add(events.payment(t, { ...order, status: 'failed', failure_reason: 'card_declined', campaign_id: 'cmp-a', channel: 'live' }));
    add(events.payment(t, { ...order, status: 'refunded', campaign_id: 'cmp-a', channel: 'live' }));
    const result = truth.finish(scenario);
    expect(result.campaign_hours[0]!.counters).toMatchObject({ cart_adds: 1, cart_removes: 1, failed_payments: 1, refunds: 1, refunded_micros: 9 });
    expect(result.sku_hours[0]!.counters).toEqual({ cart_adds: 1, cart_add_units: 3, units_sold: 0, units_refunded: 3 });
  });
});
