/**
 * `npm run demo`: the whole pipeline on the embedded stack in one process. The embedded broker, a
 * compressed promotion day from the simulator, the processor writing to chDB under ./data, and a live
 * table of the current simulated hour. At the end the stored totals are checked against the ground truth.
 *
 * Environment: the processor's variables (see processors/config.ts), plus DEMO_EVENTS (default 300000)
 * and DEMO_SPEED (simulated seconds per wall second, default 720: a day in two minutes).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { METRICS } from '../schemas/metric-catalog.js';
import { inputTopics, topicNames } from '../schemas/topics.js';
import { compareWithTruth, runSimulation } from '../simulator/index.js';
import { openClickHouse } from './clickhouse/client.js';
import { ConfigError, loadConfig } from './config.js';
import { startMockCluster } from './embedded/mock-cluster.js';
import { createProducer } from './kafka/producer.js';
import { createLogger } from './runtime/log.js';
import { startMonitoring } from './runtime/start-monitoring.js';
import { startPipeline } from './runtime/start-pipeline.js';

const demoEnv = z.object({
  DEMO_EVENTS: z.coerce.number().int().min(1000).max(5_000_000).default(300_000),
  DEMO_SPEED: z.coerce.number().positive().max(100_000).default(720),
});

const PARTITIONS = 32;
const COLOURS = { red: '\x1b[41;97m', amber: '\x1b[43;30m', green: '\x1b[42;30m', insufficient: '\x1b[100;97m', neutral: '\x1b[47;30m' } as const;
const RESET = '\x1b[0m';

async function main(): Promise<void> {
  const demo = demoEnv.safeParse(process.env);
  if (!demo.success) throw new Error(demo.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
  const topics = topicNames(process.env.TOPIC_PREFIX ?? '');
  // The mock keeps ~5 MiB per partition: many partitions keep a whole compressed day replayable.
  const cluster = startMockCluster({ topics: { ...Object.fromEntries(inputTopics(topics).map((t) => [t, PARTITIONS])), [topics.deadLetter]: 4 } });
  const config = loadConfig({ CLICKHOUSE_DATABASE: 'demo', ...process.env, KAFKA_BROKERS: cluster.bootstraps });
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);

  const clickhouse = await openClickHouse(config.clickhouse);
  // The embedded broker starts empty every time, so state from an earlier demo would point at offsets
  // that no longer exist: the demo database starts empty too.
  await clickhouse.command({ query: 'DROP DATABASE IF EXISTS {db:Identifier} SYNC', query_params: { db: config.clickhouse.database } });
  await clickhouse.close();
  const ch = await openClickHouse(config.clickhouse);
  const monitoring = await startMonitoring(config);
  const pipeline = await startPipeline(config, { clickhouse: ch, log, observer: monitoring.observer });
  monitoring.attach(pipeline);
  const pageUrl = `http://${monitoring.http.host}:${monitoring.http.port}/war-room`;

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(screen);
    await pipeline.stop().catch(() => undefined);
    await monitoring.http.close();
    await ch.close();
    cluster.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(130));
  process.on('SIGTERM', () => void shutdown(143));

  let simLine = 'starting simulator...';
  const tz = config.pipeline.timeZone;
  const screen = setInterval(() => void render(ch, tz, pipeline.processor.stats, `${simLine}\nwar-room page: ${pageUrl}`), 1000);
  const producer = await createProducer({ client: 'rdkafka', brokers: [cluster.bootstraps] });
  const truth = await runSimulation({
    producer,
    topics,
    simulation: { events: demo.data.DEMO_EVENTS, timeZone: config.pipeline.timeZone },
    pacing: { speed: demo.data.DEMO_SPEED },
    progress: (line) => (simLine = line),
  });
  await producer.disconnect();
  const s = pipeline.processor.stats;
  while (s.counted + s.duplicates + s.deadLetters < truth.messages.total) await new Promise((r) => setTimeout(r, 200));
  await pipeline.processor.flush();
  clearInterval(screen);
  await render(ch, tz, s, simLine);
  const differences = await compareWithTruth(ch, truth);
  console.log(
    differences.length === 0
      ? `\nverified: every hourly counter, metric, stock level and dead letter equals the simulator's ground truth (${truth.messages.total} messages)`
      : `\n${differences.length} differences from the ground truth:\n${differences.slice(0, 20).join('\n')}`,
  );
  await shutdown(differences.length === 0 ? 0 : 1);
}

async function render(ch: ClickHouseClient, timeZone: string, stats: { counted: number; duplicates: number; deadLetters: number; lastFlushMs: number }, simLine: string): Promise<void> {
  const result = await ch.query({
    query: 'SELECT toString(toTimeZone(hour, {tz:String})) AS local_hour, * FROM shop_metrics ORDER BY hour DESC LIMIT 1',
    query_params: { tz: timeZone },
    format: 'JSONEachRow',
  });
  const [hour] = await result.json<Record<string, string | number | null>>();
  const lines = [
    '\x1b[2J\x1b[H== ecom-metrics demo (Ctrl-C stops) ==',
    simLine,
    `processor: ${stats.counted} counted, ${stats.duplicates} duplicates dropped, ${stats.deadLetters} dead letters, last flush ${stats.lastFlushMs.toFixed(0)} ms`,
    '',
  ];
  if (hour !== undefined) {
    lines.push(`current hour: ${String(hour.local_hour)} ${timeZone}`);
    for (const m of METRICS) {
      const status = String(hour[`${m.id}_status`]) as keyof typeof COLOURS;
      const value = hour[m.id] === null ? '—' : m.unit === 'percent' ? `${(Number(hour[m.id]) * 100).toFixed(2)} %` : Number(hour[m.id]).toFixed(2);
      lines.push(`  ${m.label.padEnd(22)} ${value.padStart(14)}  ${COLOURS[status] ?? ''} ${status.padEnd(12)} ${RESET}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error))}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
