/**
 * A simulated day fed straight into ClickHouse without Kafka: messages are split into topic-partitions
 * the way a producer keyed by message key would, run through the real per-message pipeline and state,
 * and written by the real StateStore. Fast enough to load several days into chDB inside one test.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { StateStore } from '../../processors/clickhouse/state-store.js';
import { hash64 } from '../../processors/dedup/dedup-window.js';
import type { RawMessage } from '../../processors/kafka/consumer.js';
import { loadConfig } from '../../processors/config.js';
import { processContext, processMessage, type ProcessContext } from '../../processors/pipeline/process-message.js';
import { takeSnapshot } from '../../processors/state/snapshot.js';
import { DEFAULT_TOPICS, streamOfTopic } from '../../schemas/topics.js';
import { computeTruth, generateMessages, resolveConfig, type SimulationOptions, type Truth } from '../../simulator/index.js';

/** The day's messages by `topic|partition`, each list in send order with offsets from 0. */
export function partitionLog(simulation: SimulationOptions, partitions: number): Map<string, RawMessage[]> {
  const log = new Map<string, RawMessage[]>();
  for (const m of generateMessages(resolveConfig(simulation))) {
    const topic = DEFAULT_TOPICS[m.stream];
    const tp = `${topic}|${hash64(m.key)[0] % partitions}`;
    let list = log.get(tp);
    if (list === undefined) log.set(tp, (list = []));
    list.push({ offset: list.length, key: Buffer.from(m.key), value: m.value, timestampMs: m.timestampMs });
  }
  return log;
}

/** The processors' own per-message context with default settings in `timeZone`. */
export function contextFor(timeZone: string): ProcessContext {
  return processContext(loadConfig({ PIPELINE_TZ: timeZone }).pipeline, DEFAULT_TOPICS);
}

/**
 * Processes and stores a simulated period in one flush; returns the simulator's ground truth. Periods
 * loaded one after another into the same database continue each partition's offsets, the way a second
 * day arrives on the same topics (load them in event-time order: an earlier period would be too late).
 */
export async function loadSimulatedDay(ch: ClickHouseClient, simulation: SimulationOptions & { timeZone: string }, partitions = 2): Promise<Truth> {
  const store = new StateStore(ch);
  const ctx = contextFor(simulation.timeZone);
  const states = [];
  for (const [tp, messages] of partitionLog(simulation, partitions)) {
    const [topic, partition] = tp.split('|') as [string, string];
    const state = await store.loadPartition(topic, Number(partition), streamOfTopic(DEFAULT_TOPICS, topic)!, {
      allowedLatenessMs: ctx.allowedLatenessMs,
      dedupWindow: 5000,
      maxKeysPerHour: loadConfig({}).pipeline.maxKeysPerHour,
    });
    const firstOffset = state.stored.offset + 1;
    for (const message of messages) processMessage(state, { ...message, offset: firstOffset + message.offset }, ctx);
    states.push(state);
  }
  await store.write(takeSnapshot(states));
  return computeTruth(simulation);
}
