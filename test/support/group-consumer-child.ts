/**
 * Child process for the cross-process consumer-group test: joins `--group` on `--topic` with kafkajs
 * or node-rdkafka and reports, as JSON lines on stdout,
 *   {"type":"assignment","partitions":[...],"sinceStartMs":n}  whenever its assignment changes
 *   {"type":"message","partition":p,"offset":"o","key":"k"}       for every message
 *   {"type":"crash","error":"...","restart":false}                if the kafkajs consumer crashes
 * It reads from the earliest offset, commits automatically, and leaves the group and exits on
 * SIGTERM or when its stdin closes. Client logs go to stderr.
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import RdKafka from 'node-rdkafka';
// Leader waits before assigning so kafkajs followers sync before the mock closes the round (see there).
import { followerFirstRoundRobin } from '../../processors/kafka/kafkajs-assigner.js';

const { values } = parseArgs({
  options: {
    client: { type: 'string' },
    brokers: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
  },
  strict: true,
});
const { client, brokers, topic, group } = values;
if ((client !== 'kafkajs' && client !== 'rdkafka') || !brokers || !topic || !group) {
  process.stderr.write('usage: group-consumer-child --client kafkajs|rdkafka --brokers host:port,... --topic T --group G\n');
  process.exit(2);
}

// The mock's JoinGroup phase after a membership change always lasts session timeout - 1 s (there is no
// "everyone has rejoined" shortcut), so a short session timeout is what makes a rebalance quick.
const SESSION_TIMEOUT_MS = 3_000;
const HEARTBEAT_INTERVAL_MS = 500;

const startedAt = performance.now();
const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const reportAssignment = (partitions: number[]) =>
  emit({ type: 'assignment', partitions: [...partitions].sort((a, b) => a - b), sinceStartMs: Math.round(performance.now() - startedAt) });

async function runKafkajs(): Promise<() => Promise<void>> {
  const kafka = new Kafka({
    clientId: `group-consumer-${process.pid}`,
    brokers: brokers!.split(','),
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => process.stderr.write(`[kafkajs ${entry.namespace}] ${JSON.stringify(entry.log)}\n`),
  });
  const consumer = kafka.consumer({
    groupId: group!,
    sessionTimeout: SESSION_TIMEOUT_MS,
    rebalanceTimeout: 10_000,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    maxWaitTimeInMs: 100,
    partitionAssigners: [followerFirstRoundRobin],
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => emit({ type: 'crash', error: payload.error.message, restart: payload.restart }));
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => reportAssignment(payload.memberAssignment[topic!] ?? []));
  await consumer.connect();
  await consumer.subscribe({ topic: topic!, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      emit({ type: 'message', partition, offset: message.offset, key: message.key?.toString() ?? null });
    },
  });
  return () => consumer.disconnect();
}

function runRdkafka(): Promise<() => Promise<void>> {
  const consumer = new RdKafka.KafkaConsumer(
    {
      'group.id': group!,
      'metadata.broker.list': brokers!,
      'session.timeout.ms': SESSION_TIMEOUT_MS,
      'heartbeat.interval.ms': HEARTBEAT_INTERVAL_MS,
      'fetch.wait.max.ms': 100,
      'enable.auto.commit': true,
      rebalance_cb: true,
    },
    // In the global config librdkafka silently ignores this: it is a topic property.
    { 'auto.offset.reset': 'earliest' },
  );
  consumer.on('rebalance', (err, assignment) => {
    if (err.code === RdKafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) reportAssignment(assignment.map((tp) => tp.partition));
    else if (err.code === RdKafka.CODES.ERRORS.ERR__REVOKE_PARTITIONS) reportAssignment([]);
  });
  consumer.on('event.error', (error) => process.stderr.write(`[rdkafka] ${error.message}\n`));
  consumer.on('data', (message) => {
    emit({ type: 'message', partition: message.partition, offset: String(message.offset), key: message.key?.toString() ?? null });
  });
  return new Promise((resolve, reject) => {
    consumer.connect({ timeout: 10_000 }, (error) => {
      if (error) return reject(error);
      consumer.subscribe([topic!]);
      consumer.consume();
      resolve(() => new Promise<void>((done) => consumer.disconnect(() => done())));
    });
  });
}

const disconnect = await (client === 'kafkajs' ? runKafkajs() : runRdkafka());
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  // A hung disconnect must not keep the test waiting: the parent escalates to SIGKILL anyway.
  await Promise.race([disconnect(), new Promise((resolve) => setTimeout(resolve, 3_000))]);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
