/**
 * The peer most teams would pick instead of the processors: raw events shipped to ClickHouse as they
 * come, and counted there by materialized views into hourly SummingMergeTree tables. Same consumer
 * adapter, same topics; the difference is where the counting happens. It has no dedup, no lateness
 * rule and no exactly-once guarantee (a replayed batch is summed twice), so it is the fast baseline.
 *
 * Best settings found here: big inserts (all buffered rows of a topic every 250 ms), each message as one
 * raw line into a Null-engine table (nothing stored but the hourly rows), JSON read by the views'
 * JSONExtract* (JSONEachRow into typed columns was several times slower, and malformed rows made it
 * throw per row).
 * Prints one JSON line {result: {...}} once BENCH_MESSAGES messages are inserted.
 */
import { Readable } from 'node:stream';
import { openClickHouse } from '../processors/clickhouse/client.js';
import { loadConfig } from '../processors/config.js';
import { createConsumer } from '../processors/kafka/create-consumer.js';
import { EARLIEST } from '../processors/kafka/consumer.js';
import { printResult } from './result-line.js';
import { inputTopics, streamOfTopic, topicNames, type Stream } from '../schemas/topics.js';

const expected = Number(process.env.BENCH_MESSAGES);
if (!(expected > 0)) throw new Error('BENCH_MESSAGES is required');
const config = loadConfig();
const tz = config.pipeline.timeZone;
const ch = await openClickHouse(config.clickhouse);

const str = (field: string) => `JSONExtractString(line, '${field}')`;
const hour = `toStartOfHour(parseDateTime64BestEffortOrZero(${str('event_time')}, 3), '${tz.replace(/'/g, '')}')`;
const DDL = [
  `CREATE TABLE IF NOT EXISTS peer_campaign_hourly (hour DateTime, campaign_id String, channel String, impressions UInt64, clicks UInt64,
     spend_micros UInt64, cart_adds UInt64, paid_orders UInt64, failed_payments UInt64, gmv_micros UInt64, refunds_micros UInt64)
   ENGINE = SummingMergeTree ORDER BY (hour, campaign_id, channel)`,
  `CREATE TABLE IF NOT EXISTS peer_sku_hourly (hour DateTime, sku String, cart_adds UInt64, units_sold Int64)
   ENGINE = SummingMergeTree ORDER BY (hour, sku)`,
  `CREATE TABLE IF NOT EXISTS peer_stock (sku String, warehouse String, available UInt64, event_time DateTime64(3, 'UTC'))
   ENGINE = ReplacingMergeTree(event_time) ORDER BY (sku, warehouse)`,
  ...['click', 'cart', 'payment', 'inventory'].map((stream) => `CREATE TABLE IF NOT EXISTS raw_${stream} (line String) ENGINE = Null`),
  `CREATE MATERIALIZED VIEW IF NOT EXISTS mv_click TO peer_campaign_hourly AS SELECT ${hour} AS hour, ${str('campaign_id')} AS campaign_id,
     ${str('channel')} AS channel, countIf(${str('type')} = 'impression') AS impressions, countIf(${str('type')} = 'click') AS clicks,
     sum(JSONExtractUInt(line, 'cost_micros')) AS spend_micros
   FROM raw_click GROUP BY hour, campaign_id, channel`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS mv_cart TO peer_campaign_hourly AS SELECT ${hour} AS hour, ${str('campaign_id')} AS campaign_id,
     ${str('channel')} AS channel, countIf(${str('type')} = 'add') AS cart_adds FROM raw_cart GROUP BY hour, campaign_id, channel`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS mv_cart_sku TO peer_sku_hourly AS SELECT ${hour} AS hour, ${str('sku')} AS sku,
     sumIf(JSONExtractUInt(line, 'quantity'), ${str('type')} = 'add') AS cart_adds FROM raw_cart GROUP BY hour, sku`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS mv_payment TO peer_campaign_hourly AS SELECT ${hour} AS hour, ${str('campaign_id')} AS campaign_id,
     ${str('channel')} AS channel, countIf(${str('status')} = 'succeeded') AS paid_orders, countIf(${str('status')} = 'failed') AS failed_payments,
     sumIf(JSONExtractUInt(line, 'amount_micros'), ${str('status')} = 'succeeded') AS gmv_micros,
     sumIf(JSONExtractUInt(line, 'amount_micros'), ${str('status')} = 'refunded') AS refunds_micros
   FROM raw_payment GROUP BY hour, campaign_id, channel`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS mv_payment_sku TO peer_sku_hourly AS SELECT ${hour} AS hour, item.sku AS sku,
     sum(multiIf(${str('status')} = 'succeeded', toInt64(item.quantity), ${str('status')} = 'refunded', -toInt64(item.quantity), 0)) AS units_sold
   FROM raw_payment ARRAY JOIN JSONExtract(line, 'items', 'Array(Tuple(sku String, quantity UInt32))') AS item GROUP BY hour, sku`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS mv_inventory TO peer_stock AS SELECT ${str('sku')} AS sku, ${str('warehouse')} AS warehouse,
     JSONExtractUInt(line, 'available') AS available, parseDateTime64BestEffortOrZero(${str('event_time')}, 3) AS event_time FROM raw_inventory`,
];
for (const query of DDL) await ch.command({ query: query.replace(/\s+/g, ' ') });

const topics = topicNames(config.kafka.topicPrefix);
const buffers = new Map<Stream, Buffer[]>();
let buffered = 0;
let inserted = 0;
let firstAt = 0;

async function insertBuffered(): Promise<void> {
  const work = [...buffers].filter(([, list]) => list.length > 0);
  buffers.clear();
  const count = buffered;
  buffered = 0;
  await Promise.all(
    work.map(([stream, values]) =>
      ch.insert({
        table: `raw_${stream}`,
        values: Readable.from([Buffer.concat(values.flatMap((v) => [v, NEWLINE]))], { objectMode: false }),
        // One raw column per line: nothing for the parser to fail on, so a malformed message costs no
        // exception; the views' JSONExtract* give defaults for what is not there.
        format: 'CustomSeparated',
        clickhouse_settings: { format_custom_escaping_rule: 'Raw', format_custom_field_delimiter: '\x01', input_format_allow_errors_ratio: 1 },
      }),
    ),
  );
  inserted += count;
}
const NEWLINE = Buffer.from('\n');

const consumer = createConsumer({ client: config.kafka.client, brokers: config.kafka.brokers!, groupId: config.kafka.groupId, sessionTimeoutMs: config.kafka.sessionTimeoutMs });
await consumer.run(inputTopics(topics), {
  onAssigned: async (tps) => tps.map((tp) => ({ ...tp, offset: EARLIEST })),
  onRevoked: async () => {},
  onBatch: async (batch) => {
    if (firstAt === 0) firstAt = performance.now();
    const stream = streamOfTopic(topics, batch.topic)!;
    const list = buffers.get(stream) ?? buffers.set(stream, []).get(stream)!;
    for (const m of batch.messages) if (m.value !== null) list.push(m.value);
    buffered += batch.messages.length;
  },
});

let peakRss = 0;
for (;;) {
  await new Promise((r) => setTimeout(r, 250));
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await insertBuffered();
  if (inserted >= expected) break;
}
const doneAt = performance.now();
const [row] = await (await ch.query({ query: 'SELECT sum(impressions) + sum(clicks) AS events FROM peer_campaign_hourly', format: 'JSONEachRow' })).json<{ events: number }>();
await consumer.stop();
await ch.close();
printResult({ messages: inserted, firstAt, doneAt, peakRss }, { clickEventsCounted: Number(row?.events ?? 0) });
