/**
 * `npm start`: one processor against KAFKA_BROKERS and CLICKHOUSE_URL (or a chDB directory).
 * SIGTERM/SIGINT stop it gracefully: stop fetching, flush, commit, leave the group.
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './runtime/log.js';
import { startPipeline } from './runtime/start-pipeline.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const log = createLogger(config.logLevel);
const pipeline = await startPipeline(config, { log });
log.info('processor.started', { client: config.kafka.client, group: config.kafka.groupId });

const STATUS_INTERVAL_MS = 1000;
// One status line per second on stdout: supervisors and tests read progress without opening ClickHouse.
const status = setInterval(() => process.stdout.write(JSON.stringify({ status: pipeline.processor.stats }) + '\n'), STATUS_INTERVAL_MS);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    clearInterval(status);
    log.info('processor.stopping', { signal });
    pipeline.stop().then(
      () => process.exit(0),
      (error: Error) => {
        log.error('processor.stop_failed', { error: error.message });
        process.exit(1);
      },
    );
  });
}
