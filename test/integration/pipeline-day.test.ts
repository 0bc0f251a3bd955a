/**
 * Issue 3, tests 1, 4 and 5: a simulated promotion day through the embedded broker, the processor and
 * chDB; every hourly counter, metric, stock level and dead letter must equal the simulator's ground truth,
 * with both Kafka client adapters and in a :30 time zone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnBroker, type SpawnedBroker } from '../support/broker.js';
import { produceDay, runPipelineUntil, testConfig } from '../support/pipeline.js';
import { compareWithTruth } from '../../simulator/compare-clickhouse.js';

let broker: SpawnedBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const cases = [
  { client: 'kafkajs', timeZone: 'UTC' },
  { client: 'rdkafka', timeZone: 'UTC' },
  { client: 'kafkajs', timeZone: 'Asia/Kolkata' },
  { client: 'rdkafka', timeZone: 'Asia/Kolkata' },
] as const;

describe('a simulated day through the pipeline equals the ground truth', () => {
  it.each(cases)('$client, $timeZone', async ({ client, timeZone }) => {
    broker = await spawnBroker({ partitions: 8 });
    const truth = await produceDay(broker.brokers, broker.topics, { seed: 7, timeZone, start: '2026-11-11', hours: 24, events: 30_000 });
    // The day must exercise what is being checked, or agreement would prove little.
    expect(truth.duplicates.click + truth.duplicates.payment).toBeGreaterThan(0);
    expect(truth.dead_letters.too_late).toBeGreaterThan(0);
    expect(Object.values(truth.dead_letters).filter((n) => n > 0).length).toBeGreaterThanOrEqual(11);

    const config = testConfig(broker.brokers, { KAFKA_CLIENT: client, PIPELINE_TZ: timeZone });
    const { pipeline, clickhouse } = await runPipelineUntil(config, truth.messages.total);
    try {
      const s = pipeline.processor.stats;
      expect(s.duplicates).toBe(Object.values(truth.duplicates).reduce((a, b) => a + b, 0));
      expect(s.counted).toBe(Object.values(truth.counted).reduce((a, b) => a + b, 0));
      expect(await compareWithTruth(clickhouse, truth)).toEqual([]);
    } finally {
      await pipeline.stop();
      await clickhouse.close();
    }
  });
});
