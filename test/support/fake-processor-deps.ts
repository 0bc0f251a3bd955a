/**
 * A Processor without Kafka or ClickHouse: the test drives the consumer handlers by hand and decides
 * whether the store's writes succeed, so flush and rebalance behaviour is checked in a unit test.
 */
import type { StateStore } from '../../processors/clickhouse/state-store.js';
import type { PipelineConfig } from '../../processors/config.js';
import type { Batch, ConsumerHandlers, StreamConsumer, TopicPartition } from '../../processors/kafka/consumer.js';
import type { EventProducer } from '../../processors/kafka/producer.js';
import { createLogger } from '../../processors/runtime/log.js';
import { Processor } from '../../processors/runtime/processor.js';
import type { ProcessorObserver } from '../../processors/runtime/processor-observer.js';
import { NO_PROGRESS, PartitionState } from '../../processors/state/partition-state.js';
import { streamOfTopic, topicNames } from '../../schemas/topics.js';

export interface FakeProcessor {
  processor: Processor;
  assign(tps: TopicPartition[]): Promise<void>;
  revoke(tps: TopicPartition[]): Promise<void>;
  deliver(batch: Batch): Promise<void>;
  /** While true, every ClickHouse write rejects. */
  failWrites: { value: boolean };
}

export async function fakeProcessor(config: PipelineConfig, observer?: ProcessorObserver): Promise<FakeProcessor> {
  let handlers: ConsumerHandlers | undefined;
  const consumer: StreamConsumer = {
    async run(_topics, h) {
      handlers = h;
    },
    pause() {},
    resume() {},
    async commit() {},
    async stop() {},
  };
  const failWrites = { value: false };
  const topics = topicNames(config.kafka.topicPrefix);
  const store = {
    async write() {
      if (failWrites.value) throw new Error('ClickHouse is down');
    },
    async loadPartition(topic: string, partition: number) {
      return new PartitionState(topic, partition, streamOfTopic(topics, topic)!, NO_PROGRESS, config.pipeline.dedupWindow, config.pipeline.maxKeysPerHour);
    },
  } as unknown as StateStore;
  const deadLetters: EventProducer = { async send() {}, async flush() {}, async disconnect() {} };
  const processor = new Processor({ config, consumer, store, deadLetters, log: createLogger('error', { write: () => {} }), observer });
  await processor.start();
  // With the fake consumer, stop() only clears the flush timer: the test decides when flushes happen.
  await processor.stop();
  return {
    processor,
    failWrites,
    assign: async (tps) => void (await handlers!.onAssigned(tps)),
    revoke: (tps) => handlers!.onRevoked(tps),
    deliver: (batch) => handlers!.onBatch(batch),
  };
}
