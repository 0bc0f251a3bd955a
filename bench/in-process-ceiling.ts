/**
 * The ceiling a processor could reach: the same messages decoded, deduplicated, windowed and counted
 * in this process with no Kafka and no ClickHouse, with the processors' own code and default settings.
 */
import { loadConfig } from '../processors/config.js';
import { hash64 } from '../processors/dedup/dedup-window.js';
import type { RawMessage } from '../processors/kafka/consumer.js';
import { processContext, processMessage } from '../processors/pipeline/process-message.js';
import { NO_PROGRESS, PartitionState } from '../processors/state/partition-state.js';
import { DEFAULT_TOPICS } from '../schemas/topics.js';
import { generateMessages, resolveConfig, type SimulationOptions } from '../simulator/index.js';

type Partitioned = { state: () => PartitionState; messages: RawMessage[] }[];

/** Generation stays outside the timed part: the processors receive bytes, they do not make them. */
export function partitionMessages(simulation: SimulationOptions, partitions: number): Partitioned {
  const { pipeline } = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9' });
  const byPartition = new Map<string, Partitioned[number]>();
  for (const m of generateMessages(resolveConfig(simulation))) {
    const topic = DEFAULT_TOPICS[m.stream];
    const partition = hash64(m.key)[0] % partitions;
    const id = `${topic}/${partition}`;
    let entry = byPartition.get(id);
    if (entry === undefined) {
      entry = { state: () => new PartitionState(topic, partition, m.stream, NO_PROGRESS, pipeline.dedupWindow, pipeline.maxKeysPerHour), messages: [] };
      byPartition.set(id, entry);
    }
    entry.messages.push({ offset: entry.messages.length, key: Buffer.from(m.key), value: m.value, timestampMs: m.timestampMs });
  }
  return [...byPartition.values()];
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
