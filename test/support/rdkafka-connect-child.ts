/**
 * Connects a node-rdkafka producer with the JSON config given as the only argument and prints the
 * outcome as {"code", "message"}. A child process because node-rdkafka's native callbacks abort a
 * vitest worker thread.
 */
import RdKafka from 'node-rdkafka';

const config = JSON.parse(process.argv[2] ?? '{}') as RdKafka.ProducerGlobalConfig;
const producer = new RdKafka.Producer(config);
producer.connect({ timeout: 500 }, (error) => {
  process.stdout.write(`${JSON.stringify({ code: error?.code ?? 0, message: error?.message ?? '' })}\n`);
  process.exit(0);
});
