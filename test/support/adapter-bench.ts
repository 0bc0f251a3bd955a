/**
 * Raw consume throughput through the StreamConsumer adapters (no processing: onBatch only counts).
 *
 *   npx tsx test/support/adapter-bench.ts --client kafkajs [--messages 400000] [--runs 3]
 *   npx tsx test/support/adapter-bench.ts --client rdkafka [--consume-batch N] [--consume-timeout ms]
 *
 * Starts its own embedded broker, pre-produces `--messages` small messages (~110-byte JSON values)
 * across a 16-partition topic with the project's rdkafka producer (large record batches, as the
 * simulator writes them), then reads them `--runs` times, each time with a fresh group from EARLIEST.
 * The rate counts from the first delivered batch to the last message, so the group join is excluded
 * (it is reported separately). Prints one JSON line per run and a summary with the median.
 */
import { parseArgs } from 'node:util';
import { EARLIEST, type StreamConsumer } from '../../processors/kafka/consumer.js';
import { KafkaJsStreamConsumer } from '../../processors/kafka/kafkajs-consumer.js';
import { createProducer } from '../../processors/kafka/producer.js';
import { RdKafkaStreamConsumer } from '../../processors/kafka/rdkafka-consumer.js';
import { spawnBroker } from './broker.js';

const { values } = parseArgs({
  options: {
    client: { type: 'string', default: 'kafkajs' },
    messages: { type: 'string', default: '400000' },
    runs: { type: 'string', default: '3' },
    'consume-batch': { type: 'string' },
    'consume-timeout': { type: 'string' },
    concurrency: { type: 'string', default: '1' },
  },
  strict: true,
});
const client = values.client;
if (client !== 'kafkajs' && client !== 'rdkafka') throw new Error('--client must be kafkajs or rdkafka');
const total = Number(values.messages);
const runs = Number(values.runs);
const PARTITIONS = 16;

const broker = await spawnBroker({ partitions: PARTITIONS, deadLetterPartitions: 1, prefix: 'bench.' });
const topic = broker.topics.click;
try {
  const producer = await createProducer({ client: 'rdkafka', brokers: broker.brokers, clientId: 'adapter-bench' });
  const produceStarted = performance.now();
  for (let start = 0; start < total; start += 50_000) {
    const n = Math.min(50_000, total - start);
    await producer.send(
      Array.from({ length: n }, (_, i) => {
        const id = start + i;
        return {
          topic,
          key: `session-${id % 5_000}`,
          value: Buffer.from(JSON.stringify({ event_id: `e-${id.toString().padStart(9, '0')}`, sku: `sku-${id % 997}`, type: 'view', ts: 1_700_000_000_000 + id })),
        };
      }),
    );
  }
  await producer.disconnect();
  process.stderr.write(`produced ${total} messages in ${(performance.now() - produceStarted).toFixed(0)} ms\n`);

  const rates: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const options = { client, brokers: broker.brokers, groupId: `bench-${client}-${Date.now()}-${run}`, sessionTimeoutMs: 6_000 } as const;
    const consumer: StreamConsumer =
      client === 'kafkajs'
        ? new KafkaJsStreamConsumer(options, { partitionsConsumedConcurrently: Number(values.concurrency) })
        : new RdKafkaStreamConsumer(options, {
            ...(values['consume-batch'] === undefined ? {} : { consumeBatchSize: Number(values['consume-batch']) }),
            ...(values['consume-timeout'] === undefined ? {} : { consumeTimeoutMs: Number(values['consume-timeout']) }),
          });
    let count = 0;
    let batches = 0;
    let firstBatchAt = 0;
    const started = performance.now();
    const done = new Promise<number>((resolve, reject) => {
      void consumer
        .run([topic], {
          onAssigned: async (tps) => tps.map((tp) => ({ ...tp, offset: EARLIEST })),
          onRevoked: async () => {},
          onBatch: async (batch) => {
            if (batches++ === 0) firstBatchAt = performance.now();
            count += batch.messages.length;
            if (count >= total) resolve(performance.now());
          },
        })
        .catch(reject);
    });
    const finishedAt = await done;
    await consumer.stop();
    const seconds = (finishedAt - firstBatchAt) / 1000;
    const rate = Math.round(count / seconds);
    rates.push(rate);
    process.stdout.write(
      `${JSON.stringify({ client, run, messages: count, batches, joinMs: Math.round(firstBatchAt - started), readMs: Math.round(finishedAt - firstBatchAt), msgsPerSec: rate })}\n`,
    );
  }
  const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)];
  process.stdout.write(`${JSON.stringify({ client, summary: true, messages: total, partitions: PARTITIONS, runs, rates, medianMsgsPerSec: median })}\n`);
} finally {
  await broker.stop();
}
