/**
 * decode(topic, bytes, options): every reason code it can produce, round trips of valid events, and
 * the hostile and malformed input a Kafka topic receives in practice. decode must classify, never throw.
 */
import { describe, expect, it } from 'vitest';
import {
  decode,
  DEFAULT_MAX_MESSAGE_BYTES,
  type DecodeOptions,
  type DecodeResult,
} from '../../schemas/decode.js';
import {
  DIMENSION_MAX_LENGTH,
  MAX_LINE_ITEMS,
  type CartEvent,
  type ClickEvent,
  type InventoryEvent,
  type PaymentEvent,
} from '../../schemas/events.js';
import { REJECT_REASONS, type RejectReason } from '../../schemas/reasons.js';
import { DEFAULT_TOPICS, topicNames, type Stream } from '../../schemas/topics.js';

/** The record timestamp every test decodes against, so results never depend on the wall clock. */
const NOW = Date.parse('2025-11-11T12:00:00Z');
const HOUR = 3_600_000;

const utf8 = (text: string) => new TextEncoder().encode(text);
const encode = (event: unknown) => utf8(JSON.stringify(event));
type Loose = Record<string, unknown>;

function run(stream: Stream, event: unknown, options: DecodeOptions = {}): DecodeResult {
  return decode(DEFAULT_TOPICS[stream], encode(event), { now: NOW, ...options });
}
function runText(stream: Stream, text: string, options: DecodeOptions = {}): DecodeResult {
  return decode(DEFAULT_TOPICS[stream], utf8(text), { now: NOW, ...options });
}
function runBytes(stream: Stream, bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  return decode(DEFAULT_TOPICS[stream], bytes, { now: NOW, ...options });
}

/** The expected rejection: reason and field exactly (no `field` key at all when none is given). */
function rejected(reason: RejectReason, field?: string) {
  return field === undefined
    ? { ok: false, reason, detail: expect.any(String) }
    : { ok: false, reason, field, detail: expect.any(String) };
}

function accepted<S extends Stream>(stream: S, event: unknown, eventTimeMs?: number) {
  return { ok: true, stream, event, eventTimeMs: eventTimeMs ?? expect.any(Number) };
}

// Valid events: `full` has every optional field, `minimal` none.
const click = {
  full: (): ClickEvent => ({
    schema_version: 1,
    event_id: 'clk-1',
    event_time: '2025-11-11T19:30:00.125+08:00',
    type: 'click',
    user_id: 'u-1',
    campaign_id: 'double11-feed-a',
    channel: 'feed',
    sku: 'SKU-1',
    cost_micros: 1_200_000,
    currency: 'CNY',
  }),
  minimal: (): ClickEvent => ({
    schema_version: 1,
    event_id: 'imp-1',
    event_time: '2025-11-11T11:00:00Z',
    type: 'impression',
    user_id: 'u-1',
    campaign_id: 'double11-feed-a',
    channel: 'search',
    cost_micros: 1_500,
    currency: 'CNY',
  }),
};
const cart = {
  full: (): CartEvent => ({
    schema_version: 1,
    event_id: 'cart-1',
    event_time: '2025-11-11T11:59:59Z',
    type: 'add',
    user_id: 'u-1',
    sku: 'SKU-1',
    quantity: 2,
    unit_price_micros: 199_000_000,
    currency: 'CNY',
    campaign_id: 'double11-feed-a',
    channel: 'live',
  }),
  minimal: (): CartEvent => ({
    schema_version: 1,
    event_id: 'cart-2',
    event_time: '2025-11-11T03:00:00-05:00',
    type: 'remove',
    user_id: 'u-1',
    sku: 'SKU-1',
    quantity: 1,
    unit_price_micros: 0,
    currency: 'CNY',
  }),
};
const payment = {
  full: (): PaymentEvent => ({
    schema_version: 1,
    event_id: 'pay-1',
    event_time: '2025-11-11T17:45:00+05:45',
    status: 'failed',
    order_id: 'ord-1',
    attempt: 2,
    user_id: 'u-1',
    amount_micros: 398_000_000,
    currency: 'CNY',
    items: [
      { sku: 'SKU-1', quantity: 2, unit_price_micros: 199_000_000 },
      { sku: 'SKU-2', quantity: 1, unit_price_micros: 0 },
    ],
    campaign_id: 'double11-feed-a',
    channel: 'social',
    failure_reason: 'card_declined',
  }),
  minimal: (): PaymentEvent => ({
    schema_version: 1,
    event_id: 'pay-2',
    event_time: '2025-11-11T11:00:00Z',
    status: 'succeeded',
    order_id: 'ord-2',
    attempt: 1,
    user_id: 'u-2',
    amount_micros: 100,
    currency: 'CNY',
    items: [{ sku: 'SKU-1', quantity: 1, unit_price_micros: 100 }],
  }),
};
const inventory = {
  full: (): InventoryEvent => ({
    schema_version: 1,
    event_id: 'inv-1',
    event_time: '2025-11-11T11:00:00Z',
    sku: 'SKU-1',
    available: 1_250,
    warehouse: 'hangzhou-1',
  }),
  minimal: (): InventoryEvent => ({
    schema_version: 1,
    event_id: 'inv-2',
    event_time: '2025-11-11T11:00:00Z',
    sku: 'SKU-1',
    available: 0,
  }),
};
const VALID = { click, cart, payment, inventory } as const;

/** The valid payment with some fields replaced (a value of `undefined` drops the field). */
function pay(patch: Loose): Loose {
  const event: Loose = { ...payment.full(), ...patch };
  for (const key of Object.keys(patch)) if (patch[key] === undefined) delete event[key];
  return event;
}

describe('every reason decode can produce', () => {
  const cases: { reason: RejectReason; how: string; result: () => DecodeResult; field?: string }[] = [
    { reason: 'oversized', how: 'a valid event over a 100-byte limit', result: () => run('payment', payment.full(), { maxMessageBytes: 100 }) },
    {
      reason: 'invalid_encoding',
      how: 'a Latin-1 byte inside a string',
      result: () => {
        const text = JSON.stringify(payment.full()); // ASCII only, so character and byte offsets agree
        const bytes = utf8(text);
        bytes[text.indexOf('"u-1"') + 1] = 0xe9;
        return runBytes('payment', bytes);
      },
    },
    { reason: 'not_json', how: 'the message cut in half', result: () => runText('payment', JSON.stringify(payment.full()).slice(0, 60)) },
    { reason: 'not_object', how: 'the event wrapped in an array', result: () => runText('payment', JSON.stringify([payment.full()])) },
    { reason: 'unknown_topic', how: 'a topic no stream uses', result: () => decode('ecom.orders', encode(payment.full()), { now: NOW }) },
    { reason: 'unknown_schema_version', how: 'schema_version 2', result: () => run('payment', pay({ schema_version: 2 })), field: 'schema_version' },
    { reason: 'schema_violation', how: 'a required field missing', result: () => run('payment', pay({ user_id: undefined })), field: 'user_id' },
    { reason: 'invalid_amount', how: 'a negative amount', result: () => run('payment', pay({ amount_micros: -100 })), field: 'amount_micros' },
    { reason: 'invalid_event_time', how: 'a timestamp without offset', result: () => run('payment', pay({ event_time: '2025-11-11T11:00:00' })), field: 'event_time' },
    { reason: 'future_event_time', how: 'an hour ahead of the record', result: () => run('payment', pay({ event_time: '2025-11-11T13:00:00Z' })), field: 'event_time' },
    { reason: 'invalid_dimension', how: 'a BEL in the campaign', result: () => run('payment', pay({ campaign_id: 'camp\u0007' })), field: 'campaign_id' },
    { reason: 'unsupported_currency', how: 'USD in a CNY shop', result: () => run('payment', pay({ currency: 'USD' })), field: 'currency' },
  ];

  it('covers all reasons except too_late, which only the processor decides', () => {
    expect(new Set(cases.map((c) => c.reason))).toEqual(new Set(REJECT_REASONS.filter((r) => r !== 'too_late')));
  });

  it.each(cases)('$reason: $how', ({ result, reason, field }) => {
    expect(result()).toStrictEqual(rejected(reason, field));
  });

  it('the unmodified message of those cases is accepted', () => {
    expect(run('payment', payment.full())).toStrictEqual(accepted('payment', payment.full()));
  });
});

describe('round trip of valid events', () => {
  const cases = (Object.keys(VALID) as Stream[]).flatMap((stream) => [
    { stream, variant: 'with every optional field', event: VALID[stream].full() as Loose },
    { stream, variant: 'without optional fields', event: VALID[stream].minimal() as Loose },
  ]);

  it.each(cases)('$stream $variant', ({ stream, event }) => {
    const result = run(stream, event);
    expect(result).toStrictEqual(accepted(stream, event, Date.parse(event.event_time as string)));
  });

  it('the two variants really differ in their optional fields', () => {
    expect(Object.keys(click.full())).toContain('sku');
    expect(Object.keys(click.minimal())).not.toContain('sku');
    expect(Object.keys(cart.minimal())).not.toContain('campaign_id');
    expect(Object.keys(payment.minimal())).not.toContain('failure_reason');
    expect(Object.keys(inventory.minimal())).not.toContain('warehouse');
  });

  it('reads a Uint8Array view into a larger buffer at its offset', () => {
    const json = JSON.stringify(inventory.full());
    const buffer = utf8(`garbage${json}trailing`);
    const view = buffer.subarray(7, 7 + json.length);
    expect(runBytes('inventory', view)).toStrictEqual(accepted('inventory', inventory.full()));
  });

  it('resolves topics with an environment prefix', () => {
    const topics = topicNames('staging.');
    expect(decode('staging.ecom.cart', encode(cart.full()), { now: NOW, topics })).toStrictEqual(accepted('cart', cart.full()));
    expect(decode('ecom.cart', encode(cart.full()), { now: NOW, topics })).toStrictEqual(rejected('unknown_topic'));
  });

  it('classifies a message by its topic, not its content', () => {
    expect(decode(DEFAULT_TOPICS.click, encode(inventory.full()), { now: NOW })).toMatchObject({
      ok: false,
      reason: 'schema_violation',
    });
  });
});

describe('hostile keys', () => {
  it.each(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'])(
    'a "%s" key is an unknown field, and nothing is polluted',
    (key) => {
      const json = JSON.stringify(payment.full()).replace('{', `{${JSON.stringify(key)}:{"polluted":true,"schema_version":2},`);
      expect(runText('payment', json)).toStrictEqual(rejected('schema_violation', key));
      expect(({} as Loose).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    },
  );

  it('a __proto__ key inside a line item', () => {
    const json = JSON.stringify(payment.full()).replace('{"sku"', '{"__proto__":{"quantity":1},"sku"');
    expect(runText('payment', json)).toStrictEqual(rejected('schema_violation', 'items[0].__proto__'));
  });

  it('a __proto__ key cannot stand in for a missing field', () => {
    const { user_id: _missing, ...rest } = payment.minimal();
    const json = JSON.stringify(rest).replace('{', '{"__proto__":{"user_id":"u-1"},');
    expect(runText('payment', json)).toMatchObject({ ok: false, reason: 'schema_violation' });
  });

  it('a typo of a field name is an unknown field', () => {
    expect(run('click', { ...click.full(), campaignId: 'x' })).toStrictEqual(rejected('schema_violation', 'campaignId'));
    expect(run('payment', pay({ items: [{ sku: 'a', quantity: 1, unit_price_micros: 1, price: 1 }] }))).toStrictEqual(
      rejected('schema_violation', 'items[0].price'),
    );
  });
});

describe('numbers', () => {
  it.each([
    ['amount_micros', '"100"'],
    ['attempt', '"1"'],
    ['cost_micros', '"1500"'],
  ])('%s as a string (%s) is a schema violation', (field, literal) => {
    const stream: Stream = field === 'cost_micros' ? 'click' : 'payment';
    const base = VALID[stream].full() as Loose;
    const json = JSON.stringify(base).replace(`"${field}":${String(base[field])}`, `"${field}":${literal}`);
    expect(json).toContain(literal);
    expect(runText(stream, json)).toStrictEqual(rejected('schema_violation', field));
  });

  it('schema_version as a string is an unknown schema version', () => {
    expect(run('payment', pay({ schema_version: '1' }))).toStrictEqual(rejected('unknown_schema_version', 'schema_version'));
    expect(run('payment', pay({ schema_version: null }))).toStrictEqual(rejected('unknown_schema_version', 'schema_version'));
    expect(run('payment', pay({ schema_version: undefined }))).toStrictEqual(rejected('schema_violation', 'schema_version'));
  });

  it.each([
    ['payment', 'amount_micros'],
    ['click', 'cost_micros'],
    ['cart', 'unit_price_micros'],
    ['cart', 'quantity'],
    ['inventory', 'available'],
  ] as const)('%s.%s of 1e999 or -1e999 (Infinity after JSON.parse) is an invalid amount', (stream, field) => {
    const base = VALID[stream].full() as Loose;
    for (const literal of ['1e999', '-1e999']) {
      const json = JSON.stringify(base).replace(`"${field}":${String(base[field])}`, `"${field}":${literal}`);
      expect(json).toContain(literal);
      expect(runText(stream, json)).toStrictEqual(rejected('invalid_amount', field));
    }
  });

  it('NaN and Infinity literals are not JSON', () => {
    for (const literal of ['NaN', 'Infinity', '-Infinity', '0x10', '+1', '01']) {
      const json = JSON.stringify(payment.full()).replace('"amount_micros":398000000', `"amount_micros":${literal}`);
      expect(runText('payment', json), literal).toStrictEqual(rejected('not_json'));
    }
  });

  it('money beyond 2^53 is an invalid amount, 2^53 - 1 is fine', () => {
    const json = (n: string) => JSON.stringify(payment.minimal()).replace('"amount_micros":100', `"amount_micros":${n}`);
    expect(runText('payment', json('9007199254740993'))).toStrictEqual(rejected('invalid_amount', 'amount_micros'));
    expect(runText('payment', json('9007199254740991'))).toMatchObject({ ok: true, event: { amount_micros: Number.MAX_SAFE_INTEGER } });
  });

  it.each([
    [{ amount_micros: -1 }, 'amount_micros'],
    [{ amount_micros: -0.5 }, 'amount_micros'],
    [{ items: [{ sku: 'a', quantity: 1, unit_price_micros: -199 }] }, 'items[0].unit_price_micros'],
    [{ items: [{ sku: 'a', quantity: 0, unit_price_micros: 1 }] }, 'items[0].quantity'],
    [{ items: [{ sku: 'a', quantity: -3, unit_price_micros: 1 }] }, 'items[0].quantity'],
  ])('negative money and non-positive quantities are invalid amounts: %j', (patch, field) => {
    expect(run('payment', pay(patch))).toStrictEqual(rejected('invalid_amount', field));
  });

  it('negative cost, price and stock are invalid amounts in every stream', () => {
    expect(run('click', { ...click.full(), cost_micros: -1 })).toStrictEqual(rejected('invalid_amount', 'cost_micros'));
    expect(run('cart', { ...cart.full(), unit_price_micros: -1 })).toStrictEqual(rejected('invalid_amount', 'unit_price_micros'));
    expect(run('cart', { ...cart.full(), quantity: 0 })).toStrictEqual(rejected('invalid_amount', 'quantity'));
    expect(run('inventory', { ...inventory.full(), available: -5 })).toStrictEqual(rejected('invalid_amount', 'available'));
  });

  it('fractional micros are a schema violation (not negative, just not an integer)', () => {
    expect(run('payment', pay({ amount_micros: 1.5 }))).toStrictEqual(rejected('schema_violation', 'amount_micros'));
    expect(run('payment', pay({ attempt: 0 }))).toStrictEqual(rejected('schema_violation', 'attempt'));
  });

  it('zero money and zero stock are valid', () => {
    expect(run('inventory', { ...inventory.full(), available: 0 })).toMatchObject({ ok: true });
    expect(run('click', { ...click.full(), cost_micros: 0 })).toMatchObject({ ok: true });
  });
});

describe('dimension values', () => {
  const verbatim = [
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "Robert'); DROP TABLE Students;--",
    '{campaign:String}',
    '\\x00 \\n %s %d ${x}',
    "it's \"quoted\" `back`",
    '双十一 🔥 大促',
    'مرحبا بالعالم',
    'שלום\u200f-123',
    '\u202egnp.exe',
    '👨‍👩‍👧‍👦 e\u0301',
    '__proto__',
    ' leading and trailing ',
  ];

  it.each(verbatim)('accepts %j verbatim as a dimension value', (value) => {
    const event = { ...click.full(), campaign_id: value, user_id: value, sku: value };
    expect(run('click', event)).toStrictEqual(accepted('click', event));
    const paid = pay({ order_id: value, failure_reason: value, items: [{ sku: value, quantity: 1, unit_price_micros: 1 }] });
    expect(run('payment', paid)).toStrictEqual(accepted('payment', paid));
  });

  const controls = ['\u0000', '\u0001', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f'];

  it.each(controls.map((c) => [`U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`, c]))(
    'rejects %s in a dimension as invalid_dimension',
    (_name, c) => {
      expect(run('click', { ...click.full(), campaign_id: `camp${c}aign` })).toStrictEqual(rejected('invalid_dimension', 'campaign_id'));
      expect(run('inventory', { ...inventory.full(), warehouse: c })).toStrictEqual(rejected('invalid_dimension', 'warehouse'));
      expect(run('payment', pay({ items: [{ sku: `${c}SKU`, quantity: 1, unit_price_micros: 1 }] }))).toStrictEqual(
        rejected('invalid_dimension', 'items[0].sku'),
      );
    },
  );

  it('an unescaped control character inside a JSON string is not JSON', () => {
    const json = JSON.stringify(click.full()).replace('"u-1"', '"u-\u0001"');
    expect(runText('click', json)).toStrictEqual(rejected('not_json'));
  });

  it.each(['\\ud800', '\\udfff', 'a\\ud83d', '\\ude00b', '\\udc00\\ud800'])(
    'rejects the lone surrogate "%s" (a JSON escape) as invalid_dimension',
    (escape) => {
      const json = JSON.stringify(click.full()).replace('"u-1"', `"u-${escape}"`);
      expect(runText('click', json)).toStrictEqual(rejected('invalid_dimension', 'user_id'));
      const failure = JSON.stringify(payment.full()).replace('"card_declined"', `"${escape}"`);
      expect(runText('payment', failure)).toStrictEqual(rejected('invalid_dimension', 'failure_reason'));
    },
  );

  it('accepts a surrogate pair written as JSON escapes', () => {
    const json = JSON.stringify(click.full()).replace('"u-1"', '"u-\\ud83d\\ude00"');
    expect(runText('click', json)).toMatchObject({ ok: true, event: { user_id: 'u-😀' } });
  });

  it('a lone surrogate in a slug or an id fails its pattern', () => {
    expect(runText('click', JSON.stringify(click.full()).replace('"feed"', '"feed\\ud800"'))).toStrictEqual(
      rejected('invalid_dimension', 'channel'),
    );
    expect(runText('click', JSON.stringify(click.full()).replace('"clk-1"', '"clk\\ud800"'))).toStrictEqual(
      rejected('schema_violation', 'event_id'),
    );
  });

  it('enforces lengths: dimensions 1..128, channel slug 1..32, event_id 1..64 characters', () => {
    const max = DIMENSION_MAX_LENGTH;
    expect(run('click', { ...click.full(), campaign_id: 'c'.repeat(max) })).toMatchObject({ ok: true });
    expect(run('click', { ...click.full(), campaign_id: 'c'.repeat(max + 1) })).toStrictEqual(rejected('invalid_dimension', 'campaign_id'));
    expect(run('click', { ...click.full(), campaign_id: '' })).toStrictEqual(rejected('invalid_dimension', 'campaign_id'));
    expect(run('click', { ...click.full(), campaign_id: 'c'.repeat(1_000_000) }, { maxMessageBytes: 2_000_000 })).toStrictEqual(
      rejected('invalid_dimension', 'campaign_id'),
    );
    expect(run('click', { ...click.full(), channel: 'c'.repeat(32) })).toMatchObject({ ok: true });
    expect(run('click', { ...click.full(), channel: 'c'.repeat(33) })).toStrictEqual(rejected('invalid_dimension', 'channel'));
    expect(run('click', { ...click.full(), event_id: 'e'.repeat(64) })).toMatchObject({ ok: true });
    expect(run('click', { ...click.full(), event_id: 'e'.repeat(65) })).toStrictEqual(rejected('schema_violation', 'event_id'));
  });

  it('counts dimension length in characters (code points), so 128 emoji fit and 129 do not', () => {
    expect(run('click', { ...click.full(), campaign_id: '🔥'.repeat(DIMENSION_MAX_LENGTH) })).toMatchObject({ ok: true });
    expect(run('click', { ...click.full(), campaign_id: '🔥'.repeat(DIMENSION_MAX_LENGTH + 1) })).toStrictEqual(
      rejected('invalid_dimension', 'campaign_id'),
    );
  });

  it('channels are lowercase slugs: "Search" is an invalid dimension, not a new channel', () => {
    expect(run('click', { ...click.full(), channel: 'Search' })).toStrictEqual(rejected('invalid_dimension', 'channel'));
    expect(run('cart', { ...cart.full(), channel: 'live stream' })).toStrictEqual(rejected('invalid_dimension', 'channel'));
  });

  it('a dimension of the wrong type is a schema violation', () => {
    expect(run('click', { ...click.full(), campaign_id: 42 })).toStrictEqual(rejected('schema_violation', 'campaign_id'));
    expect(run('click', { ...click.full(), sku: null })).toStrictEqual(rejected('schema_violation', 'sku'));
  });

  it('line items: 1..200', () => {
    const item = { sku: 'a', quantity: 1, unit_price_micros: 1 };
    expect(run('payment', pay({ items: Array.from({ length: MAX_LINE_ITEMS }, () => item) }))).toMatchObject({ ok: true });
    expect(run('payment', pay({ items: Array.from({ length: MAX_LINE_ITEMS + 1 }, () => item) }))).toStrictEqual(
      rejected('schema_violation', 'items'),
    );
    expect(run('payment', pay({ items: [] }))).toStrictEqual(rejected('schema_violation', 'items'));
  });
});

describe('payment cross-field rule: failure_reason iff failed', () => {
  it.each([
    ['failed', undefined, 'schema_violation'],
    ['succeeded', 'card_declined', 'schema_violation'],
    ['refunded', 'card_declined', 'schema_violation'],
    ['failed', 'card_declined', undefined],
    ['succeeded', undefined, undefined],
    ['refunded', undefined, undefined],
  ] as const)('status %s with failure_reason %s', (status, failureReason, reason) => {
    const result = run('payment', pay({ status, failure_reason: failureReason }));
    if (reason === undefined) expect(result).toMatchObject({ ok: true });
    else expect(result).toStrictEqual(rejected(reason, 'failure_reason'));
  });
});

describe('message size and shape', () => {
  const json = JSON.stringify(inventory.full());

  it(`the default limit is ${DEFAULT_MAX_MESSAGE_BYTES} bytes, whitespace included`, () => {
    const exact = json + ' '.repeat(DEFAULT_MAX_MESSAGE_BYTES - json.length);
    expect(runText('inventory', exact)).toMatchObject({ ok: true });
    expect(runText('inventory', `${exact} `)).toStrictEqual(rejected('oversized'));
  });

  it('the limit is configurable and counts bytes, not characters', () => {
    const event = { ...inventory.full(), warehouse: '杭州' }; // 2 characters, 6 bytes
    const bytes = encode(event).byteLength;
    expect(run('inventory', event, { maxMessageBytes: bytes })).toMatchObject({ ok: true });
    expect(run('inventory', event, { maxMessageBytes: bytes - 1 })).toStrictEqual(rejected('oversized'));
  });

  it('a 10 MB message is rejected before parsing, and classified when the limit allows it', () => {
    const tenMb = 10 * 1024 * 1024;
    const padded = json + ' '.repeat(tenMb - json.length);
    expect(runText('inventory', padded)).toStrictEqual(rejected('oversized'));
    const big = { maxMessageBytes: 16 * 1024 * 1024 };
    expect(runText('inventory', padded, big)).toMatchObject({ ok: true });
    expect(run('inventory', { ...inventory.full(), sku: 's'.repeat(tenMb) }, big)).toStrictEqual(rejected('invalid_dimension', 'sku'));
    expect(runText('inventory', `{${'x'.repeat(tenMb - 1)}`, big)).toStrictEqual(rejected('not_json'));
    // Not tried here: 10 MB of '[' takes JSON.parse seconds to reject; the default limit is the defence.
    expect(runBytes('inventory', new Uint8Array(tenMb).fill(0xff), big)).toStrictEqual(rejected('invalid_encoding'));
  });

  it('100k levels of nesting are classified, not a stack overflow', () => {
    const big = { maxMessageBytes: 1_000_000 };
    expect(runText('inventory', '['.repeat(100_000), big)).toStrictEqual(rejected('not_json'));
    expect(runText('inventory', '['.repeat(100_000) + ']'.repeat(100_000), big)).toStrictEqual(rejected('not_object'));
    expect(runText('inventory', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, big)).toMatchObject({
      ok: false,
      reason: 'schema_violation',
    });
  });

  it.each(['schema_version', 'event_id', 'event_time', 'status', 'user_id', 'amount_micros', 'items', 'failure_reason', 'extra'])(
    'a deeply nested value in %s is classified, not a stack overflow',
    (field) => {
      const options = { maxMessageBytes: 1_000_000 };
      for (const deep of ['['.repeat(50_000) + ']'.repeat(50_000), '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)]) {
        const text = JSON.stringify({ ...payment.full(), [field]: 'DEEP' }).replace('"DEEP"', deep);
        const result = runText('payment', text, options);
        // items holds line items, so a nested array in it is blamed on its first element
        expect(result).toMatchObject({ ok: false, field: expect.stringMatching(new RegExp(`^${field}(\\[0\\])?$`)) });
        expect((result as { detail: string }).detail.length).toBeLessThan(200);
      }
      const inItem = JSON.stringify(pay({ items: [{ sku: 'DEEP', quantity: 1, unit_price_micros: 1 }] })).replace(
        '"DEEP"',
        '['.repeat(50_000) + ']'.repeat(50_000),
      );
      expect(runText('payment', inItem, options)).toStrictEqual(rejected('schema_violation', 'items[0].sku'));
    },
  );

  it('every truncation of a valid message is not_json', () => {
    const text = JSON.stringify(payment.full());
    for (let length = 0; length < text.length; length++) {
      expect(runText('payment', text.slice(0, length)), `first ${length} characters`).toStrictEqual(rejected('not_json'));
    }
  });

  it.each([
    ['null', 'null'],
    ['a string', '"{}"'],
    ['a number', '42'],
    ['a boolean', 'true'],
    ['an empty array', '[]'],
  ])('%s is not an object', (_name, text) => {
    expect(runText('inventory', text)).toStrictEqual(rejected('not_object'));
  });

  it.each([
    ['an empty message', ''],
    ['whitespace only', ' \n\t'],
    ['two objects', '{}{}'],
    ['a trailing comma', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['a comment', '{} // c'],
    ['a byte order mark', `\ufeff${JSON.stringify(inventory.full())}`],
  ])('%s is not JSON', (_name, text) => {
    expect(runText('inventory', text)).toStrictEqual(rejected('not_json'));
  });

  const valid = JSON.stringify(inventory.full());
  const at = valid.indexOf('SKU-1') + 3;
  it.each([
    ['a lone continuation byte', [0x80]],
    ['0xff', [0xff]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['a truncated 3-byte sequence', [0xe4, 0xb8]],
    ['a UTF-8 encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('invalid UTF-8 (%s) is invalid_encoding', (_name, bad) => {
    const bytes = new Uint8Array([...utf8(valid.slice(0, at)), ...bad, ...utf8(valid.slice(at))]);
    expect(runBytes('inventory', bytes)).toStrictEqual(rejected('invalid_encoding'));
  });

  it('invalid UTF-8 at the very end of the message is invalid_encoding too', () => {
    expect(runBytes('inventory', new Uint8Array([...utf8(valid), 0xe4]))).toStrictEqual(rejected('invalid_encoding'));
  });

  it('oversized is decided before the topic and the encoding are looked at', () => {
    expect(decode('nope', new Uint8Array(10).fill(0xff), { maxMessageBytes: 5 })).toStrictEqual(rejected('oversized'));
    expect(decode('nope', new Uint8Array(10).fill(0xff))).toStrictEqual(rejected('unknown_topic'));
  });
});

describe('event_time', () => {
  it.each([
    ['2025-11-11T19:30:00+08:00', '2025-11-11T11:30:00Z'],
    ['2025-11-11T17:15:00+05:45', '2025-11-11T11:30:00Z'],
    ['2025-11-11T17:00:00+05:30', '2025-11-11T11:30:00Z'],
    ['2025-11-11T02:00:00-09:30', '2025-11-11T11:30:00Z'],
    ['2025-11-11T11:30:00.123456789Z', '2025-11-11T11:30:00.123Z'],
    ['2025-11-11T11:30:00-00:00', '2025-11-11T11:30:00Z'],
    ['2024-02-29T11:30:00Z', '2024-02-29T11:30:00Z'],
    ['2000-02-29T11:30:00Z', '2000-02-29T11:30:00Z'],
  ])('%s is the instant %s', (eventTime, instant) => {
    expect(run('inventory', { ...inventory.full(), event_time: eventTime })).toStrictEqual(
      accepted('inventory', { ...inventory.full(), event_time: eventTime }, Date.parse(instant)),
    );
  });

  it.each([
    '2025-11-11T11:00:00',
    '2025-11-11 11:00:00Z',
    '2025-11-11',
    '2025-11-11T11:00Z',
    '2025-11-11t11:00:00z',
    '2025-11-11T11:00:00.Z',
    '2025-11-11T11:00:00.1234567890Z',
    '2025-11-11T11:00:00+0800',
    '1762858800000',
    '',
    '2025-02-29T11:00:00Z',
    '1900-02-29T11:00:00Z',
    '2025-02-30T11:00:00Z',
    '2025-04-31T11:00:00Z',
    '2025-11-00T11:00:00Z',
    '2025-13-01T11:00:00Z',
    '2025-00-01T11:00:00Z',
    '2025-11-10T24:00:00Z',
    '2025-11-11T10:60:00Z',
    '2025-11-11T10:59:60Z',
    '2025-11-11T11:00:00+24:00',
    '2025-11-11T11:00:00+23:60',
    '２０２５-11-11T11:00:00Z',
  ])('%j is an invalid event time', (eventTime) => {
    expect(run('inventory', { ...inventory.full(), event_time: eventTime })).toStrictEqual(rejected('invalid_event_time', 'event_time'));
  });

  it('an event_time of the wrong type is an invalid event time, a missing one a schema violation', () => {
    expect(run('inventory', { ...inventory.full(), event_time: NOW })).toStrictEqual(rejected('invalid_event_time', 'event_time'));
    expect(run('inventory', { ...inventory.full(), event_time: null })).toStrictEqual(rejected('invalid_event_time', 'event_time'));
    const { event_time: _missing, ...rest } = inventory.full();
    expect(run('inventory', rest)).toStrictEqual(rejected('schema_violation', 'event_time'));
  });

  it('when several fields are wrong, the most specific reason wins', () => {
    expect(run('payment', pay({ event_time: 'yesterday', amount_micros: -1, user_id: '\u0000', attempt: 'x' }))).toStrictEqual(
      rejected('invalid_event_time', 'event_time'),
    );
    expect(run('payment', pay({ amount_micros: -1, user_id: '\u0000', attempt: 'x' }))).toStrictEqual(rejected('invalid_amount', 'amount_micros'));
    expect(run('payment', pay({ user_id: '\u0000', attempt: 'x' }))).toStrictEqual(rejected('invalid_dimension', 'user_id'));
  });
});

describe('future skew, relative to the record time in `now`', () => {
  const at = (eventTime: string, options: DecodeOptions = {}) => run('cart', { ...cart.full(), event_time: eventTime }, options);

  it('allows 5 minutes by default, to the millisecond', () => {
    expect(at('2025-11-11T12:05:00Z')).toMatchObject({ ok: true });
    expect(at('2025-11-11T20:05:00.000+08:00')).toMatchObject({ ok: true });
    expect(at('2025-11-11T12:05:00.001Z')).toStrictEqual(rejected('future_event_time', 'event_time'));
    expect(at('2025-11-11T20:05:00.001+08:00')).toStrictEqual(rejected('future_event_time', 'event_time'));
  });

  it('is configurable', () => {
    expect(at('2025-11-11T12:00:00Z', { maxFutureSkewMs: 0 })).toMatchObject({ ok: true });
    expect(at('2025-11-11T12:00:00.001Z', { maxFutureSkewMs: 0 })).toStrictEqual(rejected('future_event_time', 'event_time'));
    expect(at('2025-11-11T12:59:59Z', { maxFutureSkewMs: HOUR })).toMatchObject({ ok: true });
    expect(at('2025-11-11T13:00:01Z', { maxFutureSkewMs: HOUR })).toStrictEqual(rejected('future_event_time', 'event_time'));
  });

  it('follows `now`, not the wall clock, so a replay decides the same way', () => {
    const recordTime = Date.parse('2020-01-01T00:00:00Z');
    expect(at('2020-01-01T00:04:00Z', { now: recordTime })).toMatchObject({ ok: true });
    expect(at('2020-01-01T00:10:00Z', { now: recordTime })).toStrictEqual(rejected('future_event_time', 'event_time'));
    expect(at('2020-01-01T00:10:00Z', { now: recordTime + HOUR })).toMatchObject({ ok: true });
  });

  it('defaults `now` to the wall clock', () => {
    const inAnHour = new Date(Date.now() + HOUR).toISOString();
    const result = decode(DEFAULT_TOPICS.cart, encode({ ...cart.full(), event_time: inAnHour }));
    expect(result).toStrictEqual(rejected('future_event_time', 'event_time'));
  });

  it('leaves old events to the processor: decode never answers too_late', () => {
    expect(at('2025-11-01T00:00:00Z')).toMatchObject({ ok: true });
    expect(at('1999-12-31T23:59:59Z')).toMatchObject({ ok: true });
  });
});

describe('currency', () => {
  it('defaults to CNY', () => {
    expect(run('click', { ...click.full(), currency: 'USD' })).toStrictEqual(rejected('unsupported_currency', 'currency'));
    expect(run('cart', { ...cart.full(), currency: 'EUR' })).toStrictEqual(rejected('unsupported_currency', 'currency'));
  });

  it('follows the currency option', () => {
    const usd = { currency: 'USD' };
    expect(run('payment', pay({ currency: 'USD' }), usd)).toMatchObject({ ok: true, event: { currency: 'USD' } });
    expect(run('payment', pay({ currency: 'CNY' }), usd)).toStrictEqual(rejected('unsupported_currency', 'currency'));
    expect(run('inventory', inventory.full(), usd)).toMatchObject({ ok: true });
  });

  it('a malformed code is a schema violation, whatever the shop currency', () => {
    expect(run('payment', pay({ currency: 'cny' }))).toStrictEqual(rejected('schema_violation', 'currency'));
    expect(run('payment', pay({ currency: 'CNYX' }), { currency: 'CNYX' })).toStrictEqual(rejected('schema_violation', 'currency'));
  });
});

describe('never throws', () => {
  it('returns a result for odd topics and options', () => {
    const bytes = encode(inventory.full());
    for (const topic of ['', ' ', '\u0000', 'ecom.inventory\u0000', '🔥'.repeat(1000)]) {
      expect(decode(topic, bytes)).toStrictEqual(rejected('unknown_topic'));
    }
    expect(decode(DEFAULT_TOPICS.inventory, bytes, { maxMessageBytes: 0 })).toStrictEqual(rejected('oversized'));
    expect(decode(DEFAULT_TOPICS.inventory, new Uint8Array(0), { maxMessageBytes: 0 })).toStrictEqual(rejected('not_json'));
  });
});
