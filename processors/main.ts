/**
 * `npm start`: one processor against KAFKA_BROKERS and CLICKHOUSE_URL (or a chDB directory).
 * SIGTERM/SIGINT stop it gracefully: stop fetching, flush, commit, leave the group.
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './runtime/log.js';
import { startMonitoring } from './runtime/start-monitoring.js';
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
const monitoring = await startMonitoring(config);
// On stdout like the status lines: with METRICS_PORT=0 this is how a supervisor learns the port.
process.stdout.write(JSON.stringify({ http: { host: monitoring.http.host, port: monitoring.http.port } }) + '\n');
const pipeline = await startPipeline(config, { log, observer: monitoring.observer });
monitoring.attach(pipeline);
log.info('processor.started', { client: config.kafka.client, group: config.kafka.groupId, http: `${monitoring.http.host}:${monitoring.http.port}` });

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
    pipeline
      .stop()
      .then(() => monitoring.http.close())
      .then(
        () => process.exit(0),
        (error: Error) => {
          log.error('processor.stop_failed', { error: error.message });
          process.exit(1);
        },
      );
  });
}
