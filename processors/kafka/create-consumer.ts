/**
 * The one place that picks the Kafka client for consuming (KAFKA_CLIENT): both adapters implement the
 * same StreamConsumer contract (consumer.ts), so the processor does not know which one it runs on.
 */
import type { ConsumerOptions, StreamConsumer } from './consumer.js';
import { KafkaJsStreamConsumer } from './kafkajs-consumer.js';
import { RdKafkaStreamConsumer } from './rdkafka-consumer.js';

export function createConsumer(options: ConsumerOptions): StreamConsumer {
  switch (options.client) {
    case 'kafkajs':
      return new KafkaJsStreamConsumer(options);
    case 'rdkafka':
      return new RdKafkaStreamConsumer(options);
  }
}
