/**
 * Child process for the consumer-adapter group tests: one StreamConsumer (createConsumer, either
 * client) in group `--group` on `--topic`, reporting what its handlers see as JSON lines on stdout,
 * each stamped with the wall clock (`at`, epoch ms) so that lines of different processes on this
 * machine can be ordered:
 *   {"type":"assigned","partitions":[...],"at":n}
 *   {"type":"revoked","partitions":[...],"at":n,"doneAt":n}   at: onRevoked called, doneAt: returning
 *   {"type":"batch","partition":p,"offsets":[...],"keys":[...],"highWatermark":n,"at":n}
 *   {"type":"fatal","error":"..."}   then exits 1
 * A partition starts after the last offset this process delivered of it, or from EARLIEST if it never
 * had it. `--revoke-ms` makes onRevoked take that long (like a processor flushing its state). On SIGTERM or when stdin closes it stops the consumer and exits 0. Logs go to stderr.
 */
import { parseArgs } from 'node:util';
import { EARLIEST } from '../../processors/kafka/consumer.js';
import { createConsumer } from '../../processors/kafka/create-consumer.js';

const { values } = parseArgs({
  options: {
    client: { type: 'string' },
    brokers: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    'session-timeout': { type: 'string', default: '3000' },
    'revoke-ms': { type: 'string', default: '0' },
  },
  strict: true,
});
const { client, brokers, topic, group } = values;
if ((client !== 'kafkajs' && client !== 'rdkafka') || !brokers || !topic || !group) {
  process.stderr.write('usage: adapter-member --client kafkajs|rdkafka --brokers host:port,... --topic T --group G [--session-timeout ms] [--revoke-ms ms]\n');
  process.exit(2);
}

const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const next = new Map<number, number>();

const consumer = createConsumer({
  client,
  brokers: brokers.split(','),
  groupId: group,
  clientId: `adapter-member-${process.pid}`,
  sessionTimeoutMs: Number(values['session-timeout']),
  onFatal: (error) => {
    emit({ type: 'fatal', error: error.message });
    process.exit(1);
  },
});

await consumer.run([topic], {
  async onAssigned(partitions) {
    emit({ type: 'assigned', partitions: partitions.map((tp) => tp.partition).sort((a, b) => a - b), at: Date.now() });
    return partitions.map((tp) => ({ ...tp, offset: next.get(tp.partition) ?? EARLIEST }));
  },
  async onRevoked(partitions) {
    const at = Date.now();
    const revokeMs = Number(values['revoke-ms']);
    if (revokeMs > 0) await new Promise((resolve) => setTimeout(resolve, revokeMs));
    emit({ type: 'revoked', partitions: partitions.map((tp) => tp.partition).sort((a, b) => a - b), at, doneAt: Date.now() });
  },
  async onBatch(batch) {
    const at = Date.now();
    next.set(batch.partition, batch.messages[batch.messages.length - 1]!.offset + 1);
    emit({
      type: 'batch',
      partition: batch.partition,
      offsets: batch.messages.map((m) => m.offset),
      keys: batch.messages.map((m) => m.key?.toString() ?? null),
      highWatermark: batch.highWatermark,
      at,
    });
  },
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await consumer.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
