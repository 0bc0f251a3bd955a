/**
 * Two processors of one consumer group in one process that owns the chDB directory (chDB allows one
 * process per directory). Once both have partitions and have counted something, one of them is
 * aborted as a crash would end it (nothing flushed), and the survivor takes its partitions over.
 * Both use KAFKA_CLIENT: members of one group must speak the same assignment protocol (a real broker
 * answers INCONSISTENT_GROUP_PROTOCOL to a mix; the embedded broker aborts).
 */
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { loadConfig } from '../../processors/config.js';
import { createLogger } from '../../processors/runtime/log.js';
import { startPipeline } from '../../processors/runtime/start-pipeline.js';
import { waitFor } from './poll.js';

const config = loadConfig();
const log = createLogger(config.logLevel);
const clickhouse = await openClickHouse(config.clickhouse);
const first = await startPipeline(config, { clickhouse, log });
const second = await startPipeline(config, { clickhouse, log });
await waitFor(() => first.processor.stats.assigned > 0 && second.processor.stats.assigned > 0 && second.processor.stats.counted > 0, {
  timeoutMs: 60_000,
  intervalMs: 20,
  description: 'both members counting',
});
await second.processor.abort();
process.stdout.write(JSON.stringify({ killed: true, counted_by_killed: second.processor.stats.counted }) + '\n');
process.on('SIGTERM', () => {
  void first.stop().then(async () => {
    await clickhouse.close();
    process.exit(0);
  });
});
