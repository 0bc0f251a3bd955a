/**
 * The small interface both Kafka client adapters (kafkajs, node-rdkafka) implement for the processor.
 *
 * Exactly-once counting rests on two promises the adapters keep: a partition is read from the offset
 * the processor chose in `onAssigned` (its state in ClickHouse, not the group's committed offset, says
 * where to resume), and batches of one partition are delivered in offset order, one at a time.
 */
import type { KafkaClientName, KafkaSecurity } from '../config.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface RawMessage {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Kafka record timestamp (CreateTime or LogAppendTime), epoch ms. */
  timestampMs: number;
}

export interface Batch extends TopicPartition {
  messages: RawMessage[];
  /** The partition's high watermark (next offset to be written) when the batch was fetched, for lag. */
  highWatermark: number;
}

export interface PartitionStart extends TopicPartition {
  /** Next offset to read. `EARLIEST` reads from the oldest retained message. */
  offset: number;
}

export const EARLIEST = -2;

export interface ConsumerHandlers {
  /** Partitions were assigned to this member. No batch of them is delivered before this resolves. */
  onAssigned(partitions: TopicPartition[]): Promise<PartitionStart[]>;
  /** Partitions were revoked or lost. No batch of them is delivered after this is called. */
  onRevoked(partitions: TopicPartition[]): Promise<void>;
  /** The next batch of one partition; the following batch of that partition waits for this promise. */
  onBatch(batch: Batch): Promise<void>;
}

export interface StreamConsumer {
  /** Joins the group and consumes until `stop()`. Resolves once consuming has started. */
  run(topics: string[], handlers: ConsumerHandlers): Promise<void>;
  /** Stops fetching the partitions (backpressure) until `resume`. */
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /** Commits next-offsets to read; used for lag monitoring, not as the source of truth. */
  commit(offsets: PartitionStart[]): Promise<void>;
  /** Stops fetching, leaves the group and disconnects. */
  stop(): Promise<void>;
}

/** Structured log sink; processors/runtime/log.ts's Logger fits. */
export interface ConsumerLogger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export interface ConsumerOptions {
  client: KafkaClientName;
  brokers: string[];
  groupId: string;
  clientId?: string;
  /** @default 10000 */
  sessionTimeoutMs?: number;
  /** TLS and SASL. @default plaintext, no authentication */
  security?: KafkaSecurity;
  /**
   * At most this many messages are handed over by one fetch round, so a `pause()` takes hold within
   * that many. node-rdkafka: the size of one consume() call; kafkajs bounds its fetches in bytes only
   * and ignores this. @default the adapter's own batch size
   */
  maxMessagesPerFetch?: number;
  /**
   * Called once when the consumer cannot go on: the client crashed for good (kafkajs CRASH without
   * restart, a fatal librdkafka error) or a handler rejected. No handler is called after it; the
   * consumer leaves the group on its own. `run()` rejects instead when it has not resolved yet.
   * @default rethrows the error asynchronously, i.e. the process dies with an uncaught exception
   */
  onFatal?: (error: Error) => void;
  /** @default warnings and errors as JSON lines on stderr */
  log?: ConsumerLogger;
}
