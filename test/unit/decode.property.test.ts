/**
 * Property tests of decode(): whatever bytes arrive, the answer is a valid event or a rejection with a
 * known reason; valid events always pass; single mutations of valid events get the expected reason and
 * field. Seeds and run counts are fixed, so a failure reproduces and the suite stays fast.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, type DecodeOptions, type DecodeResult } from '../../schemas/decode.js';
import {
  DIMENSION_FIELDS,
  EVENT_SCHEMAS,
  MAX_LINE_ITEMS,
  type CartEvent,
  type ClickEvent,
  type InventoryEvent,
  type LineItem,
  type PaymentEvent,
} from '../../schemas/events.js';
import { REJECT_REASONS, type RejectReason } from '../../schemas/reasons.js';
import { DEFAULT_TOPICS, STREAMS, type Stream } from '../../schemas/topics.js';

const SEED = 20_251_111;
const runs = (numRuns: number) => ({ seed: SEED, numRuns });

const NOW = Date.parse('2025-11-11T12:00:00Z');
const DAY = 86_400_000;
const SKEW = 300_000;

/** Every reason decode may answer: all of them except too_late, which the processor decides. */
const DECODE_REASONS: readonly RejectReason[] = REJECT_REASONS.filter((r) => r !== 'too_late');
/** Reasons for a message that parsed to a JSON object. */
const OBJECT_REASONS: readonly RejectReason[] = DECODE_REASONS.filter(
  (r) => !['oversized', 'invalid_encoding', 'not_json', 'not_object', 'unknown_topic'].includes(r),
);

const utf8 = (text: string) => new TextEncoder().encode(text);

/** The invariant of decode: a valid event of the topic's stream, or a rejection with a known reason. */
function expectClassified(result: DecodeResult, stream?: Stream, allowed: readonly RejectReason[] = DECODE_REASONS): void {
  if (result.ok) {
    if (stream !== undefined) expect(result.stream).toBe(stream);
    expect(EVENT_SCHEMAS[result.stream].safeParse(result.event).success).toBe(true);
    expect(result.eventTimeMs).toBe(Date.parse(result.event.event_time));
  } else {
    expect(allowed).toContain(result.reason);
    expect(typeof result.detail).toBe('string');
    if (result.field !== undefined) expect(typeof result.field).toBe('string');
  }
}

// ---------------------------------------------------------------------------------------------------
// Arbitraries of valid events
// ---------------------------------------------------------------------------------------------------

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Any code points (emoji, RTL, CJK, ...) but no control characters, plus strings people type into SQL. */
const dimensionArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((s) => !CONTROL.test(s)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 128 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("'; DROP TABLE events; --", '" OR 1=1 --', '__proto__', 'constructor', '双十一 🔥', 'مرحبا', '\u202eRTL'),
  },
);
const channelArb = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,31}$/);
const eventIdArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
const currencyArb = fc.stringMatching(/^[A-Z]{3}$/);
const moneyArb = fc.maxSafeNat();
const quantityArb = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * An RFC 3339 timestamp within the last 400 days up to the allowed skew, in any offset a shop may use
 * (including +05:45 and -09:30), with 0 to 9 fractional digits. `ms` is the instant it denotes.
 */
const eventTimeArb: fc.Arbitrary<{ text: string; ms: number }> = fc
  .record({
    ms: fc.integer({ min: NOW - 400 * DAY, max: NOW + SKEW }),
    offsetQuarters: fc.integer({ min: -48, max: 56 }),
    digits: fc.integer({ min: 0, max: 9 }),
    zulu: fc.boolean(),
  })
  .map(({ ms, offsetQuarters, digits, zulu }) => {
    const offsetMin = zulu ? 0 : offsetQuarters * 15;
    const local = new Date(ms + offsetMin * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
    const millis = local.slice(20, 23);
    const fraction = digits === 0 ? '' : `.${(millis + '000000').slice(0, digits)}`;
    const sign = offsetMin < 0 ? '-' : '+';
    const offset = zulu ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
    const truncated = ms - (ms % 1000) + (digits >= 3 ? Number(millis) : Number(millis.slice(0, digits).padEnd(3, '0')));
    return { text: `${local.slice(0, 19)}${fraction}${offset}`, ms: truncated };
  });

interface Generated<E> {
  event: E;
  eventTimeMs: number;
  currency: string;
}

function withEnvelope<E>(
  body: (currency: string) => fc.Arbitrary<Omit<E, 'schema_version' | 'event_id' | 'event_time'>>,
): fc.Arbitrary<Generated<E>> {
  return currencyArb.chain((currency) =>
    fc.record({ id: eventIdArb, time: eventTimeArb, body: body(currency) }).map(({ id, time, body }) => ({
      event: { schema_version: 1, event_id: id, event_time: time.text, ...body } as E,
      eventTimeMs: time.ms,
      currency,
    })),
  );
}

const clickArb = withEnvelope<ClickEvent>((currency) =>
  fc.record(
    {
      type: fc.constantFrom('impression' as const, 'click' as const),
      user_id: dimensionArb,
      campaign_id: dimensionArb,
      channel: channelArb,
      sku: dimensionArb,
      cost_micros: moneyArb,
      currency: fc.constant(currency),
    },
    { requiredKeys: ['type', 'user_id', 'campaign_id', 'channel', 'cost_micros', 'currency'] },
  ),
);

const cartArb = withEnvelope<CartEvent>((currency) =>
  fc.record(
    {
      type: fc.constantFrom('add' as const, 'remove' as const),
      user_id: dimensionArb,
      sku: dimensionArb,
      quantity: quantityArb,
      unit_price_micros: moneyArb,
      currency: fc.constant(currency),
      campaign_id: dimensionArb,
      channel: channelArb,
    },
    { requiredKeys: ['type', 'user_id', 'sku', 'quantity', 'unit_price_micros', 'currency'] },
  ),
);

const lineItemArb: fc.Arbitrary<LineItem> = fc.record({ sku: dimensionArb, quantity: quantityArb, unit_price_micros: moneyArb });

const paymentArb = withEnvelope<PaymentEvent>((currency) =>
  fc
    .tuple(
      fc.record(
        {
          order_id: dimensionArb,
          attempt: fc.integer({ min: 1, max: 1000 }),
          user_id: dimensionArb,
          amount_micros: moneyArb,
          currency: fc.constant(currency),
          items: fc.array(lineItemArb, { minLength: 1, maxLength: 6 }),
          campaign_id: dimensionArb,
          channel: channelArb,
        },
        { requiredKeys: ['order_id', 'attempt', 'user_id', 'amount_micros', 'currency', 'items'] },
      ),
      fc.constantFrom('succeeded' as const, 'failed' as const, 'refunded' as const),
      dimensionArb,
    )
    .map(([body, status, failureReason]) => (status === 'failed' ? { ...body, status, failure_reason: failureReason } : { ...body, status })),
);

const inventoryArb = withEnvelope<InventoryEvent>(() =>
  fc.record({ sku: dimensionArb, available: fc.maxSafeNat(), warehouse: dimensionArb }, { requiredKeys: ['sku', 'available'] }),
);

type AnyEvent = ClickEvent | CartEvent | PaymentEvent | InventoryEvent;
const ARBS: { [S in Stream]: fc.Arbitrary<Generated<AnyEvent>> } = {
  click: clickArb,
  cart: cartArb,
  payment: paymentArb,
  inventory: inventoryArb,
};
const anyValidArb = fc.constantFrom(...STREAMS).chain((stream) => ARBS[stream].map((generated) => ({ stream, ...generated })));

function decodeEvent(stream: Stream, event: unknown, options: DecodeOptions = {}): DecodeResult {
  return decode(DEFAULT_TOPICS[stream], utf8(JSON.stringify(event)), { now: NOW, ...options });
}

// ---------------------------------------------------------------------------------------------------

describe('valid events', () => {
  it.each(STREAMS)('every generated %s event decodes to itself', (stream) => {
    fc.assert(
      fc.property(ARBS[stream], ({ event, eventTimeMs, currency }) => {
        const result = decodeEvent(stream, event, { currency });
        expect(result).toStrictEqual({ ok: true, stream, event: JSON.parse(JSON.stringify(event)), eventTimeMs });
      }),
      runs(150),
    );
  });

  it('payments at the limit of 200 line items decode', () => {
    fc.assert(
      fc.property(paymentArb, lineItemArb, ({ event, currency }, item) => {
        const full = { ...event, items: Array.from({ length: MAX_LINE_ITEMS }, () => item) };
        expect(decodeEvent('payment', full, { currency })).toMatchObject({ ok: true });
      }),
      runs(10),
    );
  });
});

describe('junk never throws and is always classified', () => {
  const topicArb = fc.constantFrom(...Object.values(DEFAULT_TOPICS), 'ecom.unknown', '');

  it('random bytes', () => {
    fc.assert(
      fc.property(topicArb, fc.uint8Array({ maxLength: 512 }), (topic, bytes) => {
        const stream = STREAMS.find((s) => DEFAULT_TOPICS[s] === topic);
        const result = decode(topic, bytes, { now: NOW });
        expectClassified(result, stream);
        if (stream === undefined && bytes.byteLength <= 65_536) expect(result).toMatchObject({ reason: 'unknown_topic' });
      }),
      runs(1000),
    );
  });

  it('random text with JSON-ish characters', () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]":,0123456789.eE+-tfnul \\ud800"abc'.split('')), maxLength: 200 });
    fc.assert(
      fc.property(fc.constantFrom(...STREAMS), jsonish, (stream, text) => {
        expectClassified(decode(DEFAULT_TOPICS[stream], utf8(text), { now: NOW }), stream);
      }),
      runs(1000),
    );
  });

  it('valid messages with bytes flipped, inserted or removed', () => {
    const editArb = fc.record({ position: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('flip', 'insert', 'delete') });
    fc.assert(
      fc.property(anyValidArb, fc.array(editArb, { minLength: 1, maxLength: 4 }), ({ stream, event, currency }, edits) => {
        const bytes = [...utf8(JSON.stringify(event))];
        for (const { position, byte, kind } of edits) {
          const at = position % (bytes.length + 1);
          if (kind === 'flip') bytes[at % bytes.length] = byte;
          else if (kind === 'insert') bytes.splice(at, 0, byte);
          else bytes.splice(at, 1);
        }
        expectClassified(decode(DEFAULT_TOPICS[stream], new Uint8Array(bytes), { now: NOW, currency }), stream);
      }),
      runs(1000),
    );
  });

  it('any JSON value: objects fail validation, everything else is not_object', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STREAMS), fc.jsonValue(), (stream, value) => {
        const result = decodeEvent(stream, value);
        const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
        expectClassified(result, stream, isObject ? OBJECT_REASONS : ['not_object']);
        expect(result.ok).toBe(false);
      }),
      runs(500),
    );
  });

  it('any object, including odd keys such as __proto__, is rejected without pollution', () => {
    const oddKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'schema_version', 'event_time', 'items');
    const objectArb = fc.dictionary(fc.oneof(fc.string(), oddKeys), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 });
    fc.assert(
      fc.property(fc.constantFrom(...STREAMS), fc.oneof(fc.object(), objectArb), (stream, value) => {
        // Written as text, because only JSON.parse makes "__proto__" an own key.
        const rest = JSON.stringify(value);
        const text = `{"__proto__":{"polluted":true}${rest === '{}' ? '}' : `,${rest.slice(1)}`}`;
        const result = decode(DEFAULT_TOPICS[stream], utf8(text), { now: NOW });
        expectClassified(result, stream, OBJECT_REASONS);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      runs(500),
    );
  });

  it('unknown extra fields on a valid event are a schema violation naming the field', () => {
    fc.assert(
      fc.property(
        anyValidArb,
        fc.string({ minLength: 1 }).filter((k) => !['schema_version', 'event_id', 'event_time'].includes(k)),
        fc.jsonValue({ maxDepth: 2 }),
        ({ stream, event, currency }, key, value) => {
          fc.pre(!(key in EVENT_SCHEMAS[stream].shape));
          const result = decodeEvent(stream, { ...event, [key]: value }, { currency });
          expect(result).toStrictEqual({ ok: false, reason: 'schema_violation', field: key, detail: expect.any(String) });
        },
      ),
      runs(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Mutations of valid events
// ---------------------------------------------------------------------------------------------------

type Loose = Record<string, unknown>;

/** A JSON value of a different JSON type than `original`. */
function otherTypeArb(original: unknown): fc.Arbitrary<unknown> {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return fc
    .oneof(
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 10 }),
      fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    )
    .filter((v) => kind(v) !== kind(original));
}

/** Inserts a control character somewhere in `s`. */
const withControlArb = (s: string) =>
  fc
    .record({ at: fc.nat({ max: s.length }), code: fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })) })
    .map(({ at, code }) => s.slice(0, at) + String.fromCharCode(code) + s.slice(at));

/** The dimension fields of an event, with their dotted paths (line items included). */
function dimensionPaths(event: Loose): string[][] {
  const paths = Object.keys(event)
    .filter((key) => DIMENSION_FIELDS.has(key))
    .map((key) => [key]);
  if (Array.isArray(event.items)) (event.items as Loose[]).forEach((_, i) => paths.push(['items', String(i), 'sku']));
  return paths;
}

function setAt(event: Loose, path: string[], value: unknown): Loose {
  const copy = structuredClone(event);
  let node: Loose = copy;
  for (const segment of path.slice(0, -1)) node = node[segment] as Loose;
  node[path.at(-1)!] = value;
  return copy;
}
function getAt(event: Loose, path: string[]): unknown {
  return path.reduce<unknown>((node, segment) => (node as Loose)[segment], event);
}
const fieldName = (path: string[]) => path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

describe('mutations of valid events are rejected with the expected reason and field', () => {
  const requiredOf = (stream: Stream) =>
    Object.entries(EVENT_SCHEMAS[stream].shape)
      .filter(([, schema]) => !(schema as { safeParse: (v: unknown) => { success: boolean } }).safeParse(undefined).success)
      .map(([key]) => key);

  it('dropping a required field is a schema violation of that field', () => {
    fc.assert(
      fc.property(
        anyValidArb.chain((generated) => fc.record({ generated: fc.constant(generated), key: fc.constantFrom(...requiredOf(generated.stream)) })),
        ({ generated: { stream, event, currency }, key }) => {
          const { [key]: _dropped, ...rest } = event as Loose;
          expect(decodeEvent(stream, rest, { currency })).toStrictEqual({
            ok: false,
            reason: 'schema_violation',
            field: key,
            detail: expect.any(String),
          });
        },
      ),
      runs(300),
    );
  });

  it('changing the JSON type of a field is rejected on that field', () => {
    const expectedReason = (key: string): RejectReason =>
      key === 'schema_version' ? 'unknown_schema_version' : key === 'event_time' ? 'invalid_event_time' : 'schema_violation';
    fc.assert(
      fc.property(
        anyValidArb.chain((generated) => {
          const keys = Object.keys(generated.event);
          return fc.constantFrom(...keys).chain((key) =>
            otherTypeArb((generated.event as Loose)[key]).map((value) => ({ generated, key, value })),
          );
        }),
        ({ generated: { stream, event, currency }, key, value }) => {
          const result = decodeEvent(stream, { ...event, [key]: value }, { currency });
          expect(result).toStrictEqual({ ok: false, reason: expectedReason(key), field: key, detail: expect.any(String) });
        },
      ),
      runs(500),
    );
  });

  it('a control character in any dimension is invalid_dimension on that field', () => {
    fc.assert(
      fc.property(
        anyValidArb.chain((generated) =>
          fc.constantFrom(...dimensionPaths(generated.event as Loose)).chain((path) =>
            withControlArb(getAt(generated.event as Loose, path) as string).map((value) => ({ generated, path, value })),
          ),
        ),
        ({ generated: { stream, event, currency }, path, value }) => {
          const result = decodeEvent(stream, setAt(event as Loose, path, value), { currency });
          expect(result).toStrictEqual({ ok: false, reason: 'invalid_dimension', field: fieldName(path), detail: expect.any(String) });
        },
      ),
      runs(500),
    );
  });

  it('a lone surrogate in any dimension is invalid_dimension on that field', () => {
    fc.assert(
      fc.property(
        anyValidArb.chain((generated) =>
          fc.record({
            generated: fc.constant(generated),
            path: fc.constantFrom(...dimensionPaths(generated.event as Loose)),
            surrogate: fc.integer({ min: 0xd800, max: 0xdfff }),
          }),
        ),
        ({ generated: { stream, event, currency }, path, surrogate }) => {
          const value = `${String(getAt(event as Loose, path)).slice(0, 100)}${String.fromCharCode(surrogate)}`;
          const result = decodeEvent(stream, setAt(event as Loose, path, value), { currency });
          expect(result).toStrictEqual({ ok: false, reason: 'invalid_dimension', field: fieldName(path), detail: expect.any(String) });
        },
      ),
      runs(300),
    );
  });

  it('a negative or non-finite amount is invalid_amount on that field', () => {
    const amountPaths = (event: Loose): string[][] => {
      const paths = ['cost_micros', 'amount_micros', 'unit_price_micros', 'quantity', 'available'].filter((k) => k in event).map((k) => [k]);
      if (Array.isArray(event.items)) {
        (event.items as Loose[]).forEach((_, i) => paths.push(['items', String(i), 'quantity'], ['items', String(i), 'unit_price_micros']));
      }
      return paths;
    };
    const badArb = fc.oneof(fc.integer({ max: -1 }), fc.double({ max: -Number.MIN_VALUE, noNaN: true }), fc.constant('1e999'), fc.constant('-1e999'));
    fc.assert(
      fc.property(
        anyValidArb.chain((generated) =>
          fc.record({ generated: fc.constant(generated), path: fc.constantFrom(...amountPaths(generated.event as Loose)), bad: badArb }),
        ),
        ({ generated: { stream, event, currency }, path, bad }) => {
          // JSON.stringify cannot write Infinity, so 1e999 goes in as text.
          const text = JSON.stringify(setAt(event as Loose, path, typeof bad === 'string' ? 'INFINITY' : bad)).replace('"INFINITY"', bad as string);
          const result = decode(DEFAULT_TOPICS[stream], utf8(text), { now: NOW, currency });
          expect(result).toStrictEqual({ ok: false, reason: 'invalid_amount', field: fieldName(path), detail: expect.any(String) });
        },
      ),
      runs(300),
    );
  });

  it('an event_time beyond the allowed skew is future_event_time, and not before', () => {
    fc.assert(
      fc.property(anyValidArb, fc.integer({ min: 1, max: 365 * DAY }), ({ stream, event, currency }, aheadMs) => {
        const eventTime = new Date(NOW + SKEW + aheadMs).toISOString();
        const result = decodeEvent(stream, { ...event, event_time: eventTime }, { currency });
        expect(result).toStrictEqual({ ok: false, reason: 'future_event_time', field: 'event_time', detail: expect.any(String) });
      }),
      runs(200),
    );
  });

  it('another shop currency is unsupported_currency', () => {
    fc.assert(
      fc.property(
        anyValidArb.filter(({ stream }) => stream !== 'inventory'),
        currencyArb,
        ({ stream, event, currency }, shopCurrency) => {
          fc.pre(shopCurrency !== currency);
          const result = decodeEvent(stream, event, { currency: shopCurrency });
          expect(result).toStrictEqual({ ok: false, reason: 'unsupported_currency', field: 'currency', detail: expect.any(String) });
        },
      ),
      runs(200),
    );
  });
});
