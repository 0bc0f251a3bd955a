/**
 * Turns a valid event into the bytes of one specific kind of bad message. Each corruption is the
 * smallest change that triggers exactly one reject reason, so a misclassification in the decoder shows
 * up as a wrong reason rather than hiding behind another problem.
 */
import { DEFAULT_MAX_MESSAGE_BYTES } from '../schemas/decode.js';
import type { Stream } from '../schemas/topics.js';
import type { MalformedReason } from './config.js';
import type { TimedEvent } from './messages.js';
import type { Random } from './random.js';

type Body = Record<string, unknown>;

/** Streams a reason can occur on: inventory snapshots carry no money, hence no currency. */
export function streamsFor(reason: MalformedReason): readonly Stream[] {
  return reason === 'unsupported_currency' ? ['click', 'cart', 'payment'] : ['click', 'cart', 'payment', 'inventory'];
}

export function corrupt(reason: MalformedReason, event: TimedEvent, sendMs: number, currency: string, random: Random): Buffer {
  const body: Body = { ...event.body };
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  switch (reason) {
    case 'oversized':
      return json({ ...body, debug_trace: 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES + random.int(4096)) });
    case 'invalid_encoding':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), json(body)]);
    case 'not_json': {
      const text = JSON.stringify(body);
      // Any proper prefix of an object's JSON text is incomplete, hence invalid.
      return Buffer.from(text.slice(0, random.between(1, text.length - 1)));
    }
    case 'not_object':
      return json(random.pick<unknown>([[body], body.event_id, null, 42]));
    case 'unknown_schema_version':
      return json({ ...body, schema_version: random.pick([0, 2]) });
    case 'schema_violation':
      if (random.chance(0.5)) {
        delete body.event_id;
        return json(body);
      }
      return json({ ...body, eventTime: body.event_time });
    case 'invalid_amount':
      return json(withBadAmount(event, body, random));
    case 'invalid_event_time':
      return json({ ...body, event_time: random.chance(0.5) ? withoutOffset(event.timeMs) : withMonth13(event.timeMs) });
    case 'future_event_time':
      return json({ ...body, event_time: new Date(sendMs + 3_600_000).toISOString() });
    case 'invalid_dimension':
      return json(withBadDimension(event, body, random));
    case 'unsupported_currency':
      return json({ ...body, currency: currency === 'USD' ? 'EUR' : 'USD' });
  }
}

function withBadAmount(event: TimedEvent, body: Body, random: Random): Body {
  switch (event.stream) {
    case 'click':
      return { ...body, cost_micros: -event.body.cost_micros - 1 };
    case 'cart':
      return random.chance(0.5) ? { ...body, quantity: 0 } : { ...body, unit_price_micros: -1 };
    case 'payment':
      return { ...body, amount_micros: -event.body.amount_micros - 1 };
    case 'inventory':
      return { ...body, available: -1 };
  }
}

function withBadDimension(event: TimedEvent, body: Body, random: Random): Body {
  switch (event.stream) {
    case 'click':
      return random.pick([
        { ...body, campaign_id: '' },
        { ...body, channel: String(body.channel).toUpperCase() },
      ]);
    case 'cart':
      return { ...body, sku: `${event.body.sku}\u0007` };
    case 'payment':
      return { ...body, order_id: 'o'.repeat(129) };
    case 'inventory':
      return { ...body, sku: '' };
  }
}

/** '2024-11-11 20:15:00': a local-looking time with no zone, ambiguous by hours. */
function withoutOffset(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** Matches the RFC 3339 pattern but is no real instant. */
function withMonth13(timeMs: number): string {
  const iso = new Date(timeMs).toISOString();
  return `${iso.slice(0, 5)}13${iso.slice(7)}`;
}
