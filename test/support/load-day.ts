/**
 * A simulated day straight into ClickHouse without Kafka: the generated messages are split into
 * topic-partitions as a keyed producer would, then run through the processors' own per-message steps
 * and state store. Fast enough for any test that needs a realistic day of rows in chDB.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { loadConfig } from '../../processors/config.js';
import { migrate } from '../../processors/clickhouse/migrate.js';
import { StateStore } from '../../processors/clickhouse/state-store.js';
import { hash64 } from '../../processors/dedup/dedup-window.js';
import type { RawMessage } from '../../processors/kafka/consumer.js';
import { processContext, processMessage } from '../../processors/pipeline/process-message.js';
import type { PartitionState } from '../../processors/state/partition-state.js';
import { takeSnapshot } from '../../processors/state/snapshot.js';
import { DEFAULT_TOPICS, streamOfTopic } from '../../schemas/topics.js';
import { generateMessages, resolveConfig, type SimulationOptions } from '../../simulator/index.js';

/** `topic|partition` -> that partition's messages, offsets from 0. */
export type PartitionedLog = Map<string, RawMessage[]>;

export function partitionedLog(simulation: SimulationOptions, partitions: number): PartitionedLog {
  const log: PartitionedLog = new Map();
  for (const m of generateMessages(resolveConfig(simulation))) {
    const tp = `${DEFAULT_TOPICS[m.stream]}|${hash64(m.key)[0] % partitions}`;
    const list = log.get(tp) ?? log.set(tp, []).get(tp)!;
    list.push({ offset: list.length, key: Buffer.from(m.key), value: m.value, timestampMs: m.timestampMs });
  }
  return log;
}

/** Migrates the client's database and stores the whole day in one flush, as one processor would after reading it. */
export async function loadSimulatedDay(ch: ClickHouseClient, simulation: SimulationOptions, partitions = 3): Promise<void> {
  await migrate(ch);
  const { pipeline } = loadConfig({ PIPELINE_TZ: resolveConfig(simulation).timeZone });
  const ctx = processContext(pipeline, DEFAULT_TOPICS);
  const store = new StateStore(ch);
  const states: PartitionState[] = [];
  for (const [tp, messages] of partitionedLog(simulation, partitions)) {
    const [topic, partition] = tp.split('|') as [string, string];
    const state = await store.loadPartition(topic, Number(partition), streamOfTopic(DEFAULT_TOPICS, topic)!, {
      allowedLatenessMs: ctx.allowedLatenessMs,
      dedupWindow: pipeline.dedupWindow,
    });
    for (const message of messages) processMessage(state, message, ctx);
    states.push(state);
  }
  await store.write(takeSnapshot(states));
}
