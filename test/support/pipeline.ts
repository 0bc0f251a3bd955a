/** Runs the real pipeline in the test process (which then owns the chDB directory) against a broker. */
import type { ClickHouseClient } from '@clickhouse/client';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import type { PipelineConfig } from '../../processors/config.js';
import { createProducer } from '../../processors/kafka/producer.js';
import { createLogger } from '../../processors/runtime/log.js';
import type { ProcessorStats } from '../../processors/runtime/processor.js';
import { startPipeline, type RunningPipeline } from '../../processors/runtime/start-pipeline.js';
import { runSimulation, type Pacing, type SimulationOptions, type Truth } from '../../simulator/index.js';
import type { TopicNames } from '../../schemas/topics.js';
import { waitFor } from './poll.js';

export { testConfig } from './test-config.js';

export async function produceDay(
  brokers: string[],
  topics: TopicNames,
  simulation: SimulationOptions,
  client: 'kafkajs' | 'rdkafka' = 'rdkafka',
  pacing: Pacing = {},
): Promise<Truth> {
  const producer = await createProducer({ client, brokers });
  try {
    return await runSimulation({ producer, simulation, topics, pacing, progress: false });
  } finally {
    await producer.disconnect();
  }
}

/** Messages a processor has decided (counted, dropped as duplicates or dead-lettered); replays count again. */
export const messagesSeen = (s: ProcessorStats) => s.counted + s.duplicates + s.deadLetters;

export async function runPipelineUntil(config: PipelineConfig, messages: number): Promise<{ pipeline: RunningPipeline; clickhouse: ClickHouseClient }> {
  const clickhouse = await openClickHouse(config.clickhouse);
  const pipeline = await startPipeline(config, { clickhouse, log: createLogger(config.logLevel) });
  await waitFor(() => messagesSeen(pipeline.processor.stats) >= messages, {
    timeoutMs: 120_000,
    intervalMs: 100,
    description: `processor to see ${messages} messages`,
  });
  await pipeline.processor.flush();
  return { pipeline, clickhouse };
}
