/**
 * One producer interface over node-rdkafka and kafkajs, used by the simulator for input topics and by
 * the processors for the dead-letter topic. send() resolves only when the broker has acknowledged every
 * message, so a caller that awaits it knows its data is in Kafka. Both clients use the Java-compatible
 * murmur2 partitioner, so a key lands on the same partition whichever client wrote it.
 */
import { CompressionTypes, Kafka, logLevel, Partitioners, type Message, type Producer as KafkaJsProducer } from 'kafkajs';
import RdKafka from 'node-rdkafka';
import type { KafkaSecurity } from '../config.js';
import { kafkaJsSecurity, NO_SECURITY, rdKafkaSecurity } from './security.js';

export interface ProducerMessage {
  topic: string;
  key: string | Buffer | null;
  value: Buffer;
  /** Kafka record timestamp (epoch ms); the broker's append time when absent. */
  timestampMs?: number;
  headers?: Record<string, string | Buffer>;
}

export interface EventProducer {
  send(messages: readonly ProducerMessage[]): Promise<void>;
  /** Resolves when everything sent so far is acknowledged. */
  flush(): Promise<void>;
  disconnect(): Promise<void>;
}

export type ProducerClient = 'rdkafka' | 'kafkajs';

export interface ProducerOptions {
  client: ProducerClient;
  brokers: string[];
  clientId?: string;
  /** TLS and SASL. @default plaintext, no authentication */
  security?: KafkaSecurity;
}

export async function createProducer(options: ProducerOptions): Promise<EventProducer> {
  if (options.brokers.length === 0) throw new Error('createProducer needs at least one broker');
  const clientId = options.clientId ?? 'ecom-metrics';
  const security = options.security ?? NO_SECURITY;
  return options.client === 'rdkafka' ? connectRdKafka(options.brokers, clientId, security) : connectKafkaJs(options.brokers, clientId, security);
}

/** Delivery reports of one send() call find their way back to it through the message opaque. */
interface PendingSend {
  remaining: number;
  error: unknown;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const FLUSH_TIMEOUT_MS = 30_000;
const QUEUE_FULL_BACKOFF_MS = 5;

async function connectRdKafka(brokers: string[], clientId: string, security: KafkaSecurity): Promise<EventProducer> {
  const producer = new RdKafka.Producer(
    {
      'metadata.broker.list': brokers.join(','),
      'client.id': clientId,
      ...rdKafkaSecurity(security),
      dr_cb: true,
      'compression.codec': 'none',
      'enable.idempotence': false,
      'linger.ms': 5,
      'batch.num.messages': 10_000,
      'batch.size': 1_000_000,
      'queue.buffering.max.messages': 500_000,
      'queue.buffering.max.kbytes': 1_048_576,
    },
    // Topic-level settings: librdkafka silently ignores `partitioner` in the global config.
    { partitioner: 'murmur2_random', 'request.required.acks': -1 },
  );
  producer.on('delivery-report', (error, report) => {
    const pending = report.opaque as PendingSend;
    if (error) pending.error ??= error;
    if (--pending.remaining > 0) return;
    if (pending.error === undefined) pending.resolve();
    else pending.reject(pending.error);
  });
  await new Promise<void>((resolve, reject) => producer.connect({}, (error) => (error ? reject(error) : resolve())));
  producer.setPollInterval(10);

  /** False when librdkafka's local queue is full: back-pressure, to be waited out, not a failure. */
  const tryProduce = (m: ProducerMessage, pending: PendingSend): boolean => {
    const headers = m.headers === undefined ? undefined : Object.entries(m.headers).map(([k, v]) => ({ [k]: v }));
    try {
      producer.produce(m.topic, null, m.value, m.key, m.timestampMs, pending, headers);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === RdKafka.CODES.ERRORS.ERR__QUEUE_FULL) return false;
      throw error;
    }
  };
  const flush = () =>
    new Promise<void>((resolve, reject) => producer.flush(FLUSH_TIMEOUT_MS, (error) => (error ? reject(error) : resolve())));

  return {
    async send(messages) {
      if (messages.length === 0) return;
      let settle!: Pick<PendingSend, 'resolve' | 'reject'>;
      const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      const pending: PendingSend = { remaining: messages.length, error: undefined, ...settle };
      for (let i = 0; i < messages.length; i++) {
        try {
          while (!tryProduce(messages[i]!, pending)) await sleep(QUEUE_FULL_BACKOFF_MS);
        } catch (error) {
          // Messages never enqueued get no delivery report; count them off so the call still settles.
          pending.error ??= error;
          pending.remaining -= messages.length - i;
          if (pending.remaining === 0) pending.reject(pending.error);
          break;
        }
      }
      return done;
    },
    flush,
    async disconnect() {
      await flush();
      await new Promise<void>((resolve, reject) => producer.disconnect((error) => (error ? reject(error) : resolve())));
    },
  };
}

async function connectKafkaJs(brokers: string[], clientId: string, security: KafkaSecurity): Promise<EventProducer> {
  const kafka = new Kafka({ clientId, brokers, ...kafkaJsSecurity(security), logLevel: logLevel.WARN });
  const producer: KafkaJsProducer = kafka.producer({
    // Explicit: the Java-compatible murmur2 partitioner that librdkafka's murmur2_random matches.
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: false,
    allowAutoTopicCreation: true,
  });
  await producer.connect();
  const inFlight = new Set<Promise<unknown>>();
  const flush = async () => {
    await Promise.allSettled([...inFlight]);
  };

  return {
    async send(messages) {
      if (messages.length === 0) return;
      const byTopic = new Map<string, Message[]>();
      for (const m of messages) {
        const list = byTopic.get(m.topic) ?? [];
        list.push({
          key: m.key,
          value: m.value,
          ...(m.timestampMs === undefined ? {} : { timestamp: String(m.timestampMs) }),
          ...(m.headers === undefined ? {} : { headers: m.headers }),
        });
        byTopic.set(m.topic, list);
      }
      const request = producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
        acks: -1,
        compression: CompressionTypes.None,
      });
      inFlight.add(request);
      try {
        await request;
      } finally {
        inFlight.delete(request);
      }
    },
    flush,
    async disconnect() {
      await flush();
      await producer.disconnect();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
