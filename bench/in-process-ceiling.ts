/**
 * The ceiling a processor could reach: the same messages decoded, deduplicated, windowed and counted
 * in this process with no Kafka and no ClickHouse, with the processors' own code and default settings.
 */
import { loadConfig } from '../processors/config.js';
import type { RawMessage } from '../processors/kafka/consumer.js';
import { processContext, processMessage } from '../processors/pipeline/process-message.js';
import { NO_PROGRESS, PartitionState } from '../processors/state/partition-state.js';
import { DEFAULT_TOPICS, streamOfTopic } from '../schemas/topics.js';
import type { SimulationOptions } from '../simulator/index.js';
import { partitionLog } from '../test/support/simulated-day.js';

type Partitioned = { state: () => PartitionState; messages: RawMessage[] }[];

/**
 * The day split into topic-partitions as the tests split it (test/support/simulated-day.ts). Generation
 * stays outside the timed part: the processors receive bytes, they do not make them.
 */
export function partitionMessages(simulation: SimulationOptions, partitions: number): Partitioned {
  const { pipeline } = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9' });
  return [...partitionLog(simulation, partitions)].map(([tp, messages]) => {
    const [topic, partition] = tp.split('|') as [string, string];
    const stream = streamOfTopic(DEFAULT_TOPICS, topic)!;
    return { state: () => new PartitionState(topic, Number(partition), stream, NO_PROGRESS, pipeline.dedupWindow, pipeline.maxKeysPerHour), messages };
  });
}

export function measureCeiling(partitioned: Partitioned, timeZone: string): { messages: number; eventsPerSecond: number } {
  const { pipeline } = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9', PIPELINE_TZ: timeZone });
  const ctx = processContext(pipeline, DEFAULT_TOPICS);
  let messages = 0;
  const started = performance.now();
  for (const { state, messages: list } of partitioned) {
    const s = state();
    for (const message of list) processMessage(s, message, ctx);
    messages += list.length;
  }
  return { messages, eventsPerSecond: Math.round((messages * 1000) / (performance.now() - started)) };
}
