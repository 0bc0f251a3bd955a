/**
 * Issue 7, hostile input: what an attacker or a broken client can put on a topic, sent through the
 * embedded broker into the real pipeline and chDB, interleaved with ordinary events on one partition
 * per topic (so a message that blocked its partition would hold back every event behind it). Each
 * hostile message must be dead-lettered with its reason or stored verbatim, the ordinary events'
 * rows must come out exact, and the process must not crash or be polluted.
 * Then a flood of distinct campaign ids in one hour: folded into `__other__` past MAX_KEYS_PER_HOUR.
 */
import { describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import type { KafkaClientName } from '../../processors/config.js';
import { createProducer, type ProducerMessage } from '../../processors/kafka/producer.js';
import { startPipeline, type RunningPipeline } from '../../processors/runtime/start-pipeline.js';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { createLogger } from '../../processors/runtime/log.js';
import { OVERFLOW_KEY } from '../../schemas/counters.js';
import { spawnBroker } from '../support/broker.js';
import { messagesSeen, testConfig } from '../support/pipeline.js';
import { waitFor } from '../support/poll.js';
import { deferredTeardown } from '../support/teardown.js';

const defer = deferredTeardown();

const EVENT_TIME_MS = Date.parse('2026-11-11T10:15:00Z');

let ids = 0;
function click(campaign: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: 1,
    event_id: `ev-${++ids}`,
    event_time: new Date(EVENT_TIME_MS).toISOString(),
    type: 'click',
    user_id: 'u-1',
    campaign_id: campaign,
    channel: 'search',
    cost_micros: 1_000,
    currency: 'CNY',
    ...extra,
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
/** Splices raw JSON text for a field, for what JSON.stringify cannot write (NaN, 1e400, nesting). */
const withRaw = (field: string, raw: string) => Buffer.from(JSON.stringify(click('ctl-a')).replace(/}$/, `,${JSON.stringify(field)}:${raw}}`));

/** Ids that must come out of ClickHouse exactly as sent. */
const VERBATIM = [
  "x'); DROP TABLE campaign_hourly_state; --",
  "' OR '1'='1",
  'quote " and backslash \\ and {curly}',
  '🔥🛒 双十一 sale',
  'حملة تخفيضات',
  'rtl \u202eoverride\u202c and \u200f mark',
  'tab-free but with\u00a0nbsp',
];

interface Hostile {
  what: string;
  value: Buffer;
  reason: string;
}

function hostileMessages(): Hostile[] {
  let seed = 7;
  const randomBytes = Buffer.from(Array.from({ length: 300 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256));
  randomBytes[0] = 0xff; // never valid UTF-8
  const valid = JSON.stringify(click('ctl-a'));
  return [
    { what: 'random bytes', value: randomBytes, reason: 'invalid_encoding' },
    { what: 'truncated JSON', value: Buffer.from(valid.slice(0, valid.length / 2)), reason: 'not_json' },
    { what: 'deeply nested array', value: Buffer.from('['.repeat(20_000) + ']'.repeat(20_000)), reason: 'not_object' },
    { what: 'deeply nested object in a field', value: withRaw('extra', '{"a":'.repeat(8_000) + '1' + '}'.repeat(8_000)), reason: 'schema_violation' },
    { what: '__proto__ key', value: withRaw('__proto__', '{"polluted":true}'), reason: 'schema_violation' },
    { what: 'constructor key', value: withRaw('constructor', '{"prototype":{"polluted":true}}'), reason: 'schema_violation' },
    { what: 'number as string', value: json(click('ctl-a', { cost_micros: '1000' })), reason: 'schema_violation' },
    { what: 'NaN', value: Buffer.from(valid.replace('"cost_micros":1000', '"cost_micros":NaN')), reason: 'not_json' },
    { what: 'Infinity as 1e400', value: Buffer.from(valid.replace('"cost_micros":1000', '"cost_micros":1e400')), reason: 'invalid_amount' },
    { what: 'negative money', value: json(click('ctl-a', { cost_micros: -5_000 })), reason: 'invalid_amount' },
    { what: 'NUL in a dimension', value: json(click('camp\u0000aign')), reason: 'invalid_dimension' },
    { what: 'lone surrogate in a dimension', value: Buffer.from(valid.replace('"ctl-a"', '"ctl-\\ud800"')), reason: 'invalid_dimension' },
    { what: 'SQL in the channel', value: json(click('ctl-a', { channel: "search'; --" })), reason: 'invalid_dimension' },
  ];
}

async function start(client: KafkaClientName, env: Record<string, string> = {}): Promise<{ pipeline: RunningPipeline; ch: ClickHouseClient; send: (values: Buffer[]) => Promise<void> }> {
  // One partition per topic: every message below waits behind the hostile ones before it.
  const broker = await spawnBroker({ partitions: 1, deadLetterPartitions: 1 });
  defer(() => broker.stop());
  const config = testConfig(broker.brokers, { KAFKA_CLIENT: client, ...env });
  const ch = await openClickHouse(config.clickhouse);
  defer(() => ch.close());
  const pipeline = await startPipeline(config, { clickhouse: ch, log: createLogger(config.logLevel) });
  defer(() => pipeline.stop());
  // kafkajs has no client-side size limit, so it can send the 10 MB message; the broker accepts it.
  const producer = await createProducer({ client: 'kafkajs', brokers: broker.brokers });
  defer(() => producer.disconnect());
  const topic = broker.topics.click;
  const send = (values: Buffer[]) =>
    producer.send(values.map((value, i): ProducerMessage => ({ topic, key: `k-${i}`, value, timestampMs: EVENT_TIME_MS + 1_000 })));
  return { pipeline, ch, send };
}

async function processed(pipeline: RunningPipeline, messages: number): Promise<void> {
  const stats = pipeline.processor.stats;
  await waitFor(() => messagesSeen(stats) >= messages, { timeoutMs: 60_000, intervalMs: 100, description: `${messages} messages processed` }).catch((error: Error) => {
    throw new Error(`${error.message}; processor stats ${JSON.stringify(stats)}`, { cause: error });
  });
  await pipeline.processor.flush();
}

async function rows(ch: ClickHouseClient, query: string): Promise<Record<string, unknown>[]> {
  return (await ch.query({ query, format: 'JSONEachRow' })).json();
}

describe('hostile input through the whole path', () => {
  it.each(['kafkajs', 'rdkafka'] as const)('%s: each hostile message is dead-lettered with its reason or stored verbatim; ordinary rows exact', async (client) => {
    const { pipeline, ch, send } = await start(client);
    const stats = pipeline.processor.stats;

    // The 10 MB message goes alone and first. The embedded broker keeps ~5 MiB per partition, and the
    // batch appended after one this large is dropped together with it (measured: the log start jumps
    // past both), so a message nobody reads goes next. A real broker would refuse the 10 MB message.
    await send([Buffer.alloc(10 * 1024 * 1024, 'x')]);
    await processed(pipeline, 1);
    expect(stats.deadLetters).toBe(1);
    await send([json(click('dropped-by-the-broker'))]);

    const hostile = hostileMessages();
    const ordinary = { 'ctl-a': 0, 'ctl-b': 0 } as Record<string, number>;
    const values: Buffer[] = [];
    for (const [i, h] of hostile.entries()) {
      values.push(h.value);
      const campaign = i % 2 === 0 ? 'ctl-a' : 'ctl-b';
      values.push(json(click(campaign)));
      ordinary[campaign]!++;
    }
    for (const id of VERBATIM) values.push(json(click(id)), json(click('ctl-b')));
    ordinary['ctl-b']! += VERBATIM.length;
    await send(values);
    await processed(pipeline, 1 + values.length);

    expect(stats.flushFailures).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const expectedReasons: Record<string, number> = { oversized: 1 };
    for (const h of hostile) expectedReasons[h.reason] = (expectedReasons[h.reason] ?? 0) + 1;
    const reasons = await rows(ch, 'SELECT reason, sum(messages) AS n FROM dead_letters GROUP BY reason');
    expect(Object.fromEntries(reasons.map((r) => [r.reason, Number(r.n)]))).toEqual(expectedReasons);

    const stored = await rows(ch, 'SELECT campaign_id, channel, clicks, spend_micros FROM campaign_hourly ORDER BY campaign_id');
    const expected = [
      ...Object.entries(ordinary).map(([id, n]) => ({ campaign_id: id, channel: 'search', clicks: n, spend_micros: n * 1_000 })),
      ...VERBATIM.map((id) => ({ campaign_id: id, channel: 'search', clicks: 1, spend_micros: 1_000 })),
    ];
    const key = (r: Record<string, unknown>) => String(r.campaign_id);
    expect(stored.map((r) => ({ ...r, clicks: Number(r.clicks), spend_micros: Number(r.spend_micros) })).sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(
      expected.sort((a, b) => (key(a) < key(b) ? -1 : 1)),
    );
    // Looked up with a bound parameter, each id matches itself and only itself.
    for (const id of VERBATIM) {
      const match = await (await ch.query({ query: 'SELECT count() AS n FROM campaign_hourly WHERE campaign_id = {id:String}', query_params: { id }, format: 'JSONEachRow' })).json<{ n: number }>();
      expect(Number(match[0]?.n), id).toBe(1);
    }
  });

  it('a flood of distinct campaign ids in one hour folds into __other__ past MAX_KEYS_PER_HOUR; real campaigns stay exact', async () => {
    const bound = 50;
    const { pipeline, ch, send } = await start('kafkajs', { MAX_KEYS_PER_HOUR: String(bound) });
    const real = ['real-1', 'real-2', 'real-3'];
    const flood = 3_000;
    const values: Buffer[] = real.map((id) => json(click(id)));
    for (let i = 0; i < flood; i++) {
      values.push(json(click(`flood-${i}`)));
      // Real campaigns keep their exact rows while the flood goes on.
      if (i % 100 === 0) values.push(...real.map((id) => json(click(id))));
    }
    await send(values);
    await processed(pipeline, values.length);

    const perReal = 1 + flood / 100;
    const folded = flood - (bound - real.length);
    const stored = await rows(ch, 'SELECT campaign_id, clicks FROM campaign_hourly');
    const byId = new Map(stored.map((r) => [String(r.campaign_id), Number(r.clicks)]));
    expect(byId.size).toBe(bound + 1);
    for (const id of real) expect(byId.get(id)).toBe(perReal);
    expect(byId.get(OVERFLOW_KEY)).toBe(folded);
    expect([...byId.values()].reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(pipeline.processor.stats.overflowed).toBe(folded);
  });
});
