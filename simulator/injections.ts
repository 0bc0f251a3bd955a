/**
 * Standalone events for the injected messages (malformed and too-late ones): plausible content, drawn
 * outside the shopper sessions so injecting them never changes what the sessions do.
 */
import type { Stream } from '../schemas/topics.js';
import { SKU_BY_ID } from './catalog.js';
import type { EventFactory } from './event-factory.js';
import type { TimedEvent } from './messages.js';
import type { Random } from './random.js';
import { randomAdCell, randomSku } from './sessions.js';

export interface KeyedEvent {
  event: TimedEvent;
  key: string;
}

/**
 * An event of `stream` at `timeMs`. `key` pins the Kafka key (a user for click and cart, a SKU for
 * inventory), so the message lands on a partition that has already seen recent events.
 */
export function sampleEvent(random: Random, events: EventFactory, stream: Stream, timeMs: number, userId: string, key?: string): KeyedEvent {
  const user_id = key ?? userId;
  switch (stream) {
    case 'click': {
      const { campaign, channel } = randomAdCell(random);
      const cost_micros = Math.round(campaign.cpmMicros / 1000);
      return { event: events.click(timeMs, { type: 'impression', user_id, campaign_id: campaign.id, channel, cost_micros }), key: user_id };
    }
    case 'cart': {
      const sku = randomSku(random);
      const event = events.cart(timeMs, { type: 'add', user_id, sku: sku.id, quantity: 1, unit_price_micros: sku.priceMicros });
      return { event, key: user_id };
    }
    case 'payment': {
      const sku = randomSku(random);
      const order_id = events.orderId();
      const items = [{ sku: sku.id, quantity: 1, unit_price_micros: sku.priceMicros }];
      const event = events.payment(timeMs, { status: 'succeeded', order_id, attempt: 1, user_id, amount_micros: sku.priceMicros, items });
      return { event, key: order_id };
    }
    case 'inventory': {
      const sku = (key === undefined ? undefined : SKU_BY_ID.get(key)) ?? randomSku(random);
      const warehouse = sku.warehouses.length > 0 ? random.pick(sku.warehouses) : undefined;
      return { event: events.inventory(timeMs, { sku: sku.id, available: random.int(500), warehouse }), key: sku.id };
    }
  }
}
