/**
 * Opens ClickHouse (applying migrations), creates the Kafka clients and starts a processor.
 * Shared by `npm start`, the demo and the tests, so all three run the same wiring.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { openClickHouse } from '../clickhouse/client.js';
import { migrate } from '../clickhouse/migrate.js';
import { StateStore } from '../clickhouse/state-store.js';
import type { PipelineConfig } from '../config.js';
import { createConsumer } from '../kafka/create-consumer.js';
import { createProducer } from '../kafka/producer.js';
import { createLogger, type Logger } from './log.js';
import { Processor } from './processor.js';
import type { ProcessorObserver } from './processor-observer.js';

export interface RunningPipeline {
  processor: Processor;
  clickhouse: ClickHouseClient;
  /** Graceful: stop fetching, flush, commit, leave the group, close clients. Later calls wait for the first. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Reuse an open client (tests, the demo); otherwise one is opened from the config and closed on stop. */
  clickhouse?: ClickHouseClient;
  log?: Logger;
  /** Receives the processor's batch, flush and rebalance reports (the Prometheus metrics). */
  observer?: ProcessorObserver;
}

export async function startPipeline(config: PipelineConfig, options: StartOptions = {}): Promise<RunningPipeline> {
  const brokers = config.kafka.brokers;
  if (brokers === undefined) throw new Error('KAFKA_BROKERS is not set: start the embedded broker first (npm run broker) or use npm run demo');
  const log = options.log ?? createLogger(config.logLevel);
  const clickhouse = options.clickhouse ?? (await openClickHouse(config.clickhouse));
  await migrate(clickhouse);
  const security = { ssl: config.kafka.ssl, sasl: config.kafka.sasl };
  const deadLetters = await createProducer({ client: config.kafka.client, brokers, clientId: `${config.kafka.groupId}-dead-letters`, security });
  const consumer = createConsumer({
    client: config.kafka.client,
    brokers,
    groupId: config.kafka.groupId,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    security,
    log,
    // So that backpressure (MAX_UNFLUSHED_MESSAGES) is not overrun by one large consume call.
    maxMessagesPerFetch: config.pipeline.maxUnflushedMessages,
  });
  const processor = new Processor({ config, consumer, store: new StateStore(clickhouse), deadLetters, log, observer: options.observer });
  await processor.start();
  let stopped: Promise<void> | undefined;
  return {
    processor,
    clickhouse,
    stop() {
      // Idempotent: a second SIGTERM, or a test's teardown after the test stopped it, must not fail.
      stopped ??= (async () => {
        await processor.stop();
        await deadLetters.disconnect();
        if (options.clickhouse === undefined) await clickhouse.close();
      })();
      return stopped;
    },
  };
}
