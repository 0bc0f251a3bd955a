/**
 * A duplicate that arrives after a restart is still a duplicate: the processor re-reads the dedup window
 * before its resume point when it is assigned a partition, so an exact re-send of an event counted by
 * the previous run is dropped, not counted again. One partition per topic, so the re-send lands on the
 * partition that holds the original.
 */
import { describe, expect, it } from 'vitest';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { createProducer, type ProducerMessage } from '../../processors/kafka/producer.js';
import { createLogger } from '../../processors/runtime/log.js';
import { startPipeline } from '../../processors/runtime/start-pipeline.js';
import { spawnBroker } from '../support/broker.js';
import { messagesSeen, testConfig } from '../support/pipeline.js';
import { waitFor } from '../support/poll.js';
import { deferredTeardown } from '../support/teardown.js';

const defer = deferredTeardown();
const HOUR = Date.parse('2026-11-11T10:00:00Z');

function click(topic: string, n: number): ProducerMessage {
  const timestampMs = HOUR + n * 1000;
  const event = { schema_version: 1, event_id: `click-${n}`, event_time: new Date(timestampMs).toISOString(), type: 'click', user_id: `u-${n}`, campaign_id: 'cmp-restart', channel: 'search', cost_micros: 1000, currency: 'CNY' };
  return { topic, key: `u-${n}`, value: Buffer.from(JSON.stringify(event)), timestampMs };
}

describe('dedup across a restart', () => {
  it.each(['kafkajs', 'rdkafka'] as const)('%s: an exact re-send of an event counted before the restart is dropped', async (client) => {
    const broker = await spawnBroker({ partitions: 1 });
    defer(() => broker.stop());
    const producer = await createProducer({ client: 'rdkafka', brokers: broker.brokers });
    defer(() => producer.disconnect());
    const config = testConfig(broker.brokers, { KAFKA_CLIENT: client });
    const clickhouse = await openClickHouse(config.clickhouse);
    defer(() => clickhouse.close());
    const run = async (expectSeen: number) => {
      const pipeline = await startPipeline(config, { clickhouse, log: createLogger('warn') });
      await waitFor(() => messagesSeen(pipeline.processor.stats) >= expectSeen, { timeoutMs: 60_000, intervalMs: 50, description: `${expectSeen} messages seen` });
      await pipeline.stop();
      return pipeline.processor.stats;
    };

    await producer.send(Array.from({ length: 200 }, (_, n) => click(broker.topics.click, n)));
    await producer.flush();
    expect((await run(200)).counted).toBe(200);

    // After the restart: the re-send of event 10 (already counted) and one new event.
    await producer.send([click(broker.topics.click, 10), click(broker.topics.click, 200)]);
    await producer.flush();
    const second = await run(2);
    expect({ counted: second.counted, duplicates: second.duplicates }).toEqual({ counted: 1, duplicates: 1 });

    const [row] = await (
      await clickhouse.query({ query: "SELECT sum(clicks) AS clicks FROM campaign_hourly WHERE campaign_id = 'cmp-restart'", format: 'JSONEachRow' })
    ).json<{ clicks: number | string }>();
    expect(Number(row!.clicks)).toBe(201);
  });
});
