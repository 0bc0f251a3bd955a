/**
 * `npm start`: one processor against KAFKA_BROKERS and CLICKHOUSE_URL (or a chDB directory).
 * `npm start -- --print-config` prints the effective configuration (secrets masked) and exits.
 *
 * SIGTERM/SIGINT stop it gracefully within SHUTDOWN_TIMEOUT_MS: stop fetching, flush, commit, leave the
 * group, exit 0. Past the budget it exits 1 without waiting further; nothing is lost, because the next
 * owner of the partitions resumes from the progress stored in ClickHouse.
 *
 * Exit codes: 0 stopped cleanly, 1 failed to start or to stop in time, 2 invalid configuration or arguments.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, renderConfig, secretValues, type PipelineConfig } from './config.js';
import { createLogger } from './runtime/log.js';
import { startMonitoring } from './runtime/start-monitoring.js';
import { startPipeline } from './runtime/start-pipeline.js';

function exitWithUsageError(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

let printConfig = false;
try {
  printConfig = parseArgs({ options: { 'print-config': { type: 'boolean', default: false } }, strict: true }).values['print-config'];
} catch (error) {
  exitWithUsageError(`${(error as Error).message}; the only option is --print-config (settings are environment variables, see README.md)`);
}
let config: PipelineConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  exitWithUsageError(error.message);
}
if (printConfig) {
  process.stdout.write(`${renderConfig(config)}\n`);
  process.exit(0);
}

const log = createLogger(config.logLevel, { redact: secretValues() });
// Before anything slow starts: opening chDB blocks the thread for a while, and a SIGTERM that arrives
// before a listener exists kills the process outright.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutdown(signal));
// Monitoring first, so that a slow group join shows as "alive, not ready" rather than a dead scrape target.
const starting = startMonitoring(config).then(async (monitoring) => {
  // On stdout like the status lines: with METRICS_PORT=0 this is how a supervisor learns the port.
  process.stdout.write(JSON.stringify({ http: { host: monitoring.http.host, port: monitoring.http.port } }) + '\n');
  const pipeline = await startPipeline(config, { log, observer: monitoring.observer });
  monitoring.attach(pipeline);
  return { pipeline, monitoring };
});

function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  clearInterval(status);
  const { shutdownTimeoutMs } = config;
  log.info('processor.stopping', { signal, timeoutMs: shutdownTimeoutMs });
  const started = performance.now();
  setTimeout(() => {
    log.error('processor.stop_timed_out', { timeoutMs: shutdownTimeoutMs });
    process.exit(1);
  }, shutdownTimeoutMs);
  starting
    .then(async ({ pipeline, monitoring }) => {
      await pipeline.stop();
      await monitoring.http.close();
    })
    .then(
      () => {
        log.info('processor.stopped', { ms: Math.round(performance.now() - started) });
        process.exit(0);
      },
      (error: Error) => {
        log.error('processor.stop_failed', { error: error.message });
        process.exit(1);
      },
    );
}

const STATUS_INTERVAL_MS = 1000;
let status: NodeJS.Timeout | undefined;
try {
  const { pipeline } = await starting;
  log.info('processor.started', { client: config.kafka.client, group: config.kafka.groupId });
  // One status line per second on stdout: supervisors and tests read progress without opening ClickHouse.
  if (!stopping) status = setInterval(() => process.stdout.write(JSON.stringify({ status: pipeline.processor.stats }) + '\n'), STATUS_INTERVAL_MS);
} catch (error) {
  log.error('processor.start_failed', { error: (error as Error).message });
  process.exit(1);
}
