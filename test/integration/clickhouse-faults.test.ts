/**
 * Issue 7, fault injection: ClickHouse failing, stuck and slow, injected at the client boundary (a
 * ClickHouseClient whose inserts fail, hang or take longer; reads untouched) under the real pipeline,
 * embedded broker and chDB. While writes do not complete the processor must stop fetching, so the lag
 * stays in Kafka instead of in its memory; once they complete again the totals must equal the ground truth.
 */
import { describe, expect, it } from 'vitest';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import type { KafkaClientName, PipelineConfig } from '../../processors/config.js';
import { createLogger } from '../../processors/runtime/log.js';
import type { ProcessorStats } from '../../processors/runtime/processor.js';
import { startPipeline, type RunningPipeline } from '../../processors/runtime/start-pipeline.js';
import { compareWithTruth } from '../../simulator/compare-clickhouse.js';
import type { Truth } from '../../simulator/index.js';
import { spawnBroker } from '../support/broker.js';
import { faultyClickHouse, type FaultyClickHouse } from '../support/faulty-clickhouse.js';
import { messagesSeen, produceDay, testConfig } from '../support/pipeline.js';
import { waitFor } from '../support/poll.js';
import { deferredTeardown } from '../support/teardown.js';

const defer = deferredTeardown();


interface Run {
  truth: Truth;
  config: PipelineConfig;
  faulty: FaultyClickHouse;
  pipeline: RunningPipeline;
}

/**
 * Starts a processor whose inserts already suffer `fault`, then produces a day. Producing after the
 * start spreads the day over many fetches, so a pause has something left in Kafka to hold back.
 */
async function startWithFault(client: KafkaClientName, seed: number, fault: Parameters<FaultyClickHouse['set']>[0], env: Record<string, string> = {}): Promise<Run> {
  const broker = await spawnBroker({ partitions: 8 });
  defer(() => broker.stop());
  const config = testConfig(broker.brokers, { KAFKA_CLIENT: client, ...env });
  const real = await openClickHouse(config.clickhouse);
  defer(() => real.close());
  const faulty = faultyClickHouse(real);
  faulty.set(fault);
  const pipeline = await startPipeline(config, { clickhouse: faulty.client, log: createLogger(config.logLevel) });
  defer(async () => {
    faulty.set({ kind: 'none' });
    await pipeline.stop();
  });
  await waitFor(() => pipeline.processor.stats.assigned > 0, { timeoutMs: 60_000, description: 'partitions assigned' });
  const truth = await produceDay(broker.brokers, broker.topics, { seed, timeZone: 'UTC', start: '2026-11-11', hours: 24, events: 15_000 });
  return { truth, config, faulty, pipeline };
}

/**
 * Waits until the processor has seen no new message over `polls` consecutive looks, and returns the
 * count: the consumer is paused (or has read everything, which the callers tell apart).
 */
async function settledSeen(stats: ProcessorStats, polls = 10): Promise<number> {
  let last = -1;
  let unchanged = 0;
  return waitFor(
    () => {
      const now = messagesSeen(stats);
      unchanged = now === last ? unchanged + 1 : 0;
      last = now;
      return unchanged >= polls && now + 1;
    },
    { timeoutMs: 60_000, intervalMs: 100, description: 'the processor to stop taking in messages' },
  ).then((n) => n - 1);
}

async function finishAndCompare({ truth, pipeline }: Run): Promise<void> {
  const stats = pipeline.processor.stats;
  await waitFor(() => messagesSeen(stats) >= truth.messages.total, { timeoutMs: 120_000, intervalMs: 100, description: `all ${truth.messages.total} messages processed` });
  await pipeline.processor.flush();
  expect(stats.counted).toBe(Object.values(truth.counted).reduce((a, b) => a + b, 0));
  expect(await compareWithTruth(pipeline.clickhouse, truth)).toEqual([]);
}

describe('ClickHouse failing, stuck or slow', () => {
  it.each(['kafkajs', 'rdkafka'] as const)('%s: inserts failing pause consumption; once they succeed the totals are exact', async (client) => {
    // The bound makes the first (failing) flush start after 1,000 messages rather than at a timer tick.
    const run = await startWithFault(client, 21, { kind: 'fail' }, { MAX_UNFLUSHED_MESSAGES: '1000' });
    const stats = run.pipeline.processor.stats;
    await waitFor(() => stats.flushFailures >= 3, { timeoutMs: 60_000, description: 'three failed flushes' });
    const paused = await settledSeen(stats);
    // Most of the day is still waiting in Kafka: the backlog did not move into this process.
    expect(paused).toBeLessThan(run.truth.messages.total / 2);
    const failures = stats.flushFailures;
    await waitFor(() => stats.flushFailures >= failures + 5, { timeoutMs: 60_000, description: 'five more failed flushes' });
    expect(messagesSeen(stats)).toBe(paused);
    expect(run.faulty.counts.passed).toBe(0);

    run.faulty.set({ kind: 'none' });
    await finishAndCompare(run);
    expect(stats.flushFailures).toBeGreaterThanOrEqual(failures + 5);
  });

  it.each(['kafkajs', 'rdkafka'] as const)('%s: a stuck insert stops fetching after MAX_UNFLUSHED_MESSAGES; released, the totals are exact', async (client) => {
    const bound = 1_000;
    const run = await startWithFault(client, 22, { kind: 'stall' }, { MAX_UNFLUSHED_MESSAGES: String(bound) });
    const stats = run.pipeline.processor.stats;
    const paused = await settledSeen(stats);
    expect(paused).toBeLessThan(run.truth.messages.total / 2);
    expect(run.faulty.counts.faulted).toBeGreaterThan(0);
    expect(stats.backpressurePauses).toBe(1);
    expect(stats.unflushed).toBeGreaterThanOrEqual(bound);

    run.faulty.set({ kind: 'none' });
    await finishAndCompare(run);
  });

  it('slow inserts: counting waits for the writes, and the totals are exact', async () => {
    const bound = 500;
    const run = await startWithFault('kafkajs', 23, { kind: 'latency', ms: 300 }, { MAX_UNFLUSHED_MESSAGES: String(bound) });
    const stats = run.pipeline.processor.stats;
    let maxUnflushed = 0;
    const sampler = setInterval(() => (maxUnflushed = Math.max(maxUnflushed, stats.unflushed)), 5);
    try {
      await finishAndCompare(run);
    } finally {
      clearInterval(sampler);
    }
    // The pause stops the next fetch, not the batches of the one already answered, so the bound is
    // MAX_UNFLUSHED_MESSAGES plus one fetch response (here all partitions' batches, a few thousand).
    expect(maxUnflushed).toBeLessThan(run.truth.messages.total / 2);
    expect(stats.backpressurePauses).toBeGreaterThan(0);
    expect(stats.flushFailures).toBe(0);
  });
});
