/**
 * One processor process, exactly as `npm start` builds it (startPipeline), run until it has seen
 * BENCH_MESSAGES messages and stored them all; then it prints one JSON line with its timing and memory and
 * whether ClickHouse equals the ground truth in BENCH_TRUTH. The clock starts at the first processed
 * message, so process start-up and the group join are reported apart from processing.
 */
import { openClickHouse } from '../processors/clickhouse/client.js';
import { loadConfig } from '../processors/config.js';
import { createLogger } from '../processors/runtime/log.js';
import { startPipeline } from '../processors/runtime/start-pipeline.js';
import { compareWithTruth, loadTruth } from '../simulator/index.js';

const expected = Number(process.env.BENCH_MESSAGES);
const truthPath = process.env.BENCH_TRUTH;
if (!(expected > 0) || truthPath === undefined) throw new Error('BENCH_MESSAGES and BENCH_TRUTH are required');

const config = loadConfig();
const clickhouse = await openClickHouse(config.clickhouse);
const pipeline = await startPipeline(config, { clickhouse, log: createLogger(config.logLevel) });
const stats = pipeline.processor.stats;
const seen = () => stats.counted + stats.duplicates + stats.deadLetters;

let firstAt = 0;
let peakRss = 0;
// A 5 ms poll costs next to nothing and bounds the timing error well below the runs' seconds.
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    if (firstAt === 0 && seen() > 0) firstAt = performance.now();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (seen() >= expected) {
      clearInterval(timer);
      resolve();
    }
  }, 5);
});
// Seen counts can run ahead of the log when a rebalance replays messages, so "done" is decided by what is
// stored: every partition's progress at its last offset (the embedded broker's offsets have no gaps).
const storedMessages = async () => {
  const result = await clickhouse.query({ query: 'SELECT sum(source_offset + 1) AS n FROM partition_progress FINAL', format: 'JSONEachRow' });
  const [row] = await result.json<{ n: number | string }>();
  return Number(row?.n ?? 0);
};
for (;;) {
  await pipeline.processor.flush();
  if ((await storedMessages()) >= expected) break;
  await new Promise((r) => setTimeout(r, 20));
}
const doneAt = performance.now();
const differences = await compareWithTruth(clickhouse, await loadTruth(truthPath));
await pipeline.stop();
await clickhouse.close();
process.stdout.write(
  JSON.stringify({
    result: {
      messages: seen(),
      // performance.now() counts from process start.
      startupMs: Math.round(firstAt),
      processingMs: Math.round(doneAt - firstAt),
      eventsPerSecond: Math.round((seen() * 1000) / (doneAt - firstAt)),
      peakRssMb: Math.round(peakRss / 2 ** 20),
      differences: differences.length,
      firstDifferences: differences.slice(0, 5),
    },
  }) + '\n',
);
