/**
 * `npm run broker`: the embedded Kafka-protocol broker as a process of its own, so processors and
 * producers in other processes (which tests kill and restart) share one cluster that outlives them.
 *
 * Creates the project's topics, then prints exactly one JSON line on stdout once clients can connect:
 *   {"brokers":"127.0.0.1:41234","topics":{"ecom.clicks":16,...,"ecom.dead-letter":4}}
 * Everything else goes to stderr. It exits on SIGTERM/SIGINT, and also when its stdin is a pipe and
 * that pipe closes, so a broker whose parent was SIGKILLed does not linger as an orphan.
 *
 * Options (flag, else environment variable, else default):
 *   --partitions N              BROKER_PARTITIONS              16  per input topic
 *   --dead-letter-partitions N  BROKER_DEAD_LETTER_PARTITIONS  4
 *   --prefix P                  TOPIC_PREFIX                   ''
 *   --brokers N                 BROKER_COUNT                   1
 *   --advertise HOST:PORT       BROKER_ADVERTISE               (its own listener)
 *     the address metadata gives for broker 1 (one broker only), e.g. a TCP proxy's that tests cut;
 *     the ready line still names the real listener, which the proxy forwards to.
 * Each mock partition keeps only ~5 MiB before silently dropping its oldest batches, so a large run
 * needs many partitions.
 */
import { fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { inputTopics, topicNames } from '../../schemas/topics.js';
import { topicPrefixSchema } from '../config.js';
import { startMockCluster } from './mock-cluster.js';

const count = (max: number) => z.coerce.number().int().min(1).max(max);

const optionsSchema = z.object({
  partitions: count(10_000).default(16),
  deadLetterPartitions: count(10_000).default(4),
  prefix: topicPrefixSchema.default(''),
  brokers: count(32).default(1),
  advertise: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: 'must be host:port' })
    .transform((value) => {
      const at = value.lastIndexOf(':');
      return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
    })
    .optional(),
}).refine((o) => o.advertise === undefined || o.brokers === 1, { error: '--advertise needs a single broker', path: ['advertise'] });

export interface BrokerReadyLine {
  /** Comma-separated bootstrap list. */
  brokers: string;
  /** Topic name -> partition count. */
  topics: Record<string, number>;
}

function log(message: string): void {
  process.stderr.write(`[broker ${process.pid}] ${message}\n`);
}

function readOptions(): z.output<typeof optionsSchema> {
  const { values } = parseArgs({
    options: {
      partitions: { type: 'string' },
      'dead-letter-partitions': { type: 'string' },
      prefix: { type: 'string' },
      brokers: { type: 'string' },
      advertise: { type: 'string' },
    },
    strict: true,
  });
  const parsed = optionsSchema.safeParse({
    partitions: values.partitions ?? process.env.BROKER_PARTITIONS,
    deadLetterPartitions: values['dead-letter-partitions'] ?? process.env.BROKER_DEAD_LETTER_PARTITIONS,
    prefix: values.prefix ?? process.env.TOPIC_PREFIX,
    brokers: values.brokers ?? process.env.BROKER_COUNT,
    advertise: values.advertise ?? process.env.BROKER_ADVERTISE,
  });
  if (!parsed.success) throw new Error(`invalid options: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A terminal or /dev/null on stdin says nothing about a parent; only a pipe ends when the parent dies. */
function stdinIsPipe(): boolean {
  const stat = fstatSync(0);
  return stat.isFIFO() || stat.isSocket();
}

function main(): void {
  const startedAt = performance.now();
  const options = readOptions();
  const names = topicNames(options.prefix);
  const topics: Record<string, number> = Object.fromEntries(inputTopics(names).map((topic) => [topic, options.partitions]));
  topics[names.deadLetter] = options.deadLetterPartitions;

  const cluster = startMockCluster({ brokers: options.brokers, topics });
  if (options.advertise !== undefined) cluster.advertise(1, options.advertise.host, options.advertise.port);
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${reason}`);
    cluster.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (stdinIsPipe()) {
    process.stdin.on('close', () => stop('stdin closed (parent gone)'));
    process.stdin.resume();
  }
  // The mock's sockets live in librdkafka's threads, invisible to the event loop: without a handle of
  // its own Node would consider the process idle and exit.
  setInterval(() => {}, 2 ** 31 - 1);

  const ready: BrokerReadyLine = { brokers: cluster.bootstraps, topics };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  log(`mock cluster at ${cluster.bootstraps} ready in ${(performance.now() - startedAt).toFixed(0)} ms with ${Object.keys(topics).length} topics`);
}

try {
  main();
} catch (error) {
  const code = (error as { code?: unknown }).code;
  log(`failed to start${typeof code === 'string' ? ` (${code})` : ''}: ${(error as Error).message}`);
  process.exit(1);
}
