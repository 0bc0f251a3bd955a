/**
 * Builds contract-valid event bodies with run-unique ids. Payments carry the shop's local offset in
 * event_time (the order system runs in the shop's zone), the other streams UTC, so consumers must
 * honour both forms. Bodies are built by plain assignment: object spread here cost more than all the
 * rest of the generation.
 */
import { SCHEMA_VERSION, type CartEvent, type ClickEvent, type InventoryEvent, type PaymentEvent } from '../schemas/events.js';
import type { TimedEvent } from './messages.js';
import type { Zone } from './zone.js';

type Envelope = 'schema_version' | 'event_id' | 'event_time' | 'currency';
type Of<S extends TimedEvent['stream']> = Extract<TimedEvent, { stream: S }>;

export class EventFactory {
  private events = 0;
  private orders = 0;
  private readonly utc = new UtcClock();

  /** `runTag` keeps ids of different runs (seed, start) apart in a processor's dedup state. */
  constructor(
    private readonly zone: Zone,
    readonly currency: string,
    private readonly runTag: string,
  ) {}

  orderId(): string {
    return `o-${this.runTag}-${(this.orders++).toString(36)}`;
  }

  click(timeMs: number, f: Omit<ClickEvent, Envelope>): Of<'click'> {
    const body: ClickEvent = {
      schema_version: SCHEMA_VERSION,
      event_id: this.eventId(),
      event_time: this.utc.iso(timeMs),
      type: f.type,
      user_id: f.user_id,
      campaign_id: f.campaign_id,
      channel: f.channel,
      cost_micros: f.cost_micros,
      currency: this.currency,
    };
    if (f.sku !== undefined) body.sku = f.sku;
    return { stream: 'click', body, timeMs };
  }

  cart(timeMs: number, f: Omit<CartEvent, Envelope>): Of<'cart'> {
    const body: CartEvent = {
      schema_version: SCHEMA_VERSION,
      event_id: this.eventId(),
      event_time: this.utc.iso(timeMs),
      type: f.type,
      user_id: f.user_id,
      sku: f.sku,
      quantity: f.quantity,
      unit_price_micros: f.unit_price_micros,
      currency: this.currency,
    };
    if (f.campaign_id !== undefined) body.campaign_id = f.campaign_id;
    if (f.channel !== undefined) body.channel = f.channel;
    return { stream: 'cart', body, timeMs };
  }

  payment(timeMs: number, f: Omit<PaymentEvent, Envelope>): Of<'payment'> {
    const body: PaymentEvent = {
      schema_version: SCHEMA_VERSION,
      event_id: this.eventId(),
      event_time: this.zone.rfc3339(timeMs),
      status: f.status,
      order_id: f.order_id,
      attempt: f.attempt,
      user_id: f.user_id,
      amount_micros: f.amount_micros,
      currency: this.currency,
      items: f.items,
    };
    if (f.campaign_id !== undefined) body.campaign_id = f.campaign_id;
    if (f.channel !== undefined) body.channel = f.channel;
    if (f.failure_reason !== undefined) body.failure_reason = f.failure_reason;
    return { stream: 'payment', body, timeMs };
  }

  inventory(timeMs: number, f: Omit<InventoryEvent, Envelope>): Of<'inventory'> {
    const body: InventoryEvent = {
      schema_version: SCHEMA_VERSION,
      event_id: this.eventId(),
      event_time: this.utc.iso(timeMs),
      sku: f.sku,
      available: f.available,
    };
    if (f.warehouse !== undefined) body.warehouse = f.warehouse;
    return { stream: 'inventory', body, timeMs };
  }

  /** The same payment callback delivered again by the provider: same content, a new event_id. */
  resend(payment: Of<'payment'>): Of<'payment'> {
    return { ...payment, body: { ...payment.body, event_id: this.eventId() } };
  }

  private eventId(): string {
    return `${this.runTag}-${(this.events++).toString(36)}`;
  }
}

/**
 * ISO 8601 UTC strings for mostly increasing times: the part up to the second is reused while the second
 * stays the same, which saves a Date per event on the hottest path of generation.
 */
class UtcClock {
  private second = Number.NaN;
  private prefix = '';

  iso(timeMs: number): string {
    const second = Math.floor(timeMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    const ms = timeMs - second * 1000;
    return `${this.prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  }
}
