/**
 * One processor process, exactly as `npm start` builds it (startPipeline), run until ClickHouse holds
 * BENCH_MESSAGES messages; then it prints one JSON line with its timing and memory and, given
 * BENCH_TRUTH, whether ClickHouse equals that ground truth. The clock starts at the first processed
 * message, so process start-up and the group join are reported apart from processing.
 */
import { openClickHouse } from '../processors/clickhouse/client.js';
import { loadConfig } from '../processors/config.js';
import { createLogger } from '../processors/runtime/log.js';
import { startPipeline } from '../processors/runtime/start-pipeline.js';
import { compareWithTruth, loadTruth } from '../simulator/index.js';
import { printResult } from './result-line.js';

const expected = Number(process.env.BENCH_MESSAGES);
const truthPath = process.env.BENCH_TRUTH;
if (!(expected > 0)) throw new Error('BENCH_MESSAGES is required');

const config = loadConfig();
const clickhouse = await openClickHouse(config.clickhouse);
const pipeline = await startPipeline(config, { clickhouse, log: createLogger(config.logLevel) });
const stats = pipeline.processor.stats;
const seen = () => stats.counted + stats.duplicates + stats.deadLetters;
/** BENCH_PROGRESS=1: a {progress} line every 100 ms, for runs that add up several processes. */
const report = process.env.BENCH_PROGRESS === '1';

// Every partition's progress at its last offset (the embedded broker's offsets have no gaps) means every
// message is in the hourly tables: the clock stops when the data is visible, not when it was counted.
const storedMessages = async () => {
  const result = await clickhouse.query({ query: 'SELECT sum(source_offset + 1) AS n FROM partition_progress FINAL', format: 'JSONEachRow' });
  const [row] = await result.json<{ n: number | string }>();
  return Number(row?.n ?? 0);
};

let firstAt = 0;
let peakRss = 0;
// A 5 ms poll of the counters costs next to nothing; ClickHouse is asked every 100 ms.
const sampler = setInterval(() => {
  if (firstAt === 0 && seen() > 0) firstAt = performance.now();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);
let stored = 0;
while ((stored = await storedMessages()) < expected) {
  if (report) process.stdout.write(JSON.stringify({ progress: { stored, firstAtMs: Math.round(firstAt) } }) + '\n');
  await new Promise((r) => setTimeout(r, 100));
}
clearInterval(sampler);
const doneAt = performance.now();
const differences = truthPath === undefined ? [] : await compareWithTruth(clickhouse, await loadTruth(truthPath));
await pipeline.stop();
await clickhouse.close();
printResult({ messages: stored, firstAt, doneAt, peakRss }, { differences: differences.length, firstDifferences: differences.slice(0, 5) });
