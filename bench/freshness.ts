/**
 * Freshness: from an event produced to the same event visible in the hourly tables, while a simulated
 * day streams in at a fixed rate (half the measured maximum, by default from the latest throughput
 * result). Every 100 ms a probe click with its own campaign id is produced; the state rows' written_at
 * (set by ClickHouse when the row is inserted) says when it became visible. The probes share the
 * processor, partitions and flush cadence with the day's traffic.
 *
 *   npx tsx bench/freshness.ts [--rate 20000] [--seconds 30] [--client kafkajs]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openClickHouse } from '../processors/clickhouse/client.js';
import { loadConfig } from '../processors/config.js';
import { createProducer } from '../processors/kafka/producer.js';
import { runSimulation } from '../simulator/index.js';
import { spawnBroker } from '../test/support/broker.js';
import { spawnTsx } from '../test/support/tsx-child.js';
import { median, percentile, printTable, RESULTS_DIR, writeResults } from './results-file.js';

/** Half the default client's median from the newest throughput record, if there is one. */
function halfOfMeasuredMaximum(client: string): number | undefined {
  const newest = readdirSync(RESULTS_DIR).filter((f) => f.startsWith('throughput-')).sort().at(-1);
  if (newest === undefined) return undefined;
  const record = JSON.parse(readFileSync(join(RESULTS_DIR, newest), 'utf8')) as { processor?: Record<string, { eventsPerSecond: number }[]> };
  const runs = record.processor?.[client];
  return runs === undefined ? undefined : Math.round(median(runs.map((r) => r.eventsPerSecond)) / 2);
}

const { values } = parseArgs({ options: { rate: { type: 'string' }, seconds: { type: 'string', default: '30' }, client: { type: 'string', default: 'kafkajs' } } });
const rate = Number(values.rate ?? halfOfMeasuredMaximum(values.client) ?? 20_000);
const seconds = Number(values.seconds);
const timeZone = 'Asia/Kolkata';
const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-fresh-'));
const env = {
  KAFKA_CLIENT: values.client,
  KAFKA_GROUP_ID: 'bench-freshness',
  CLICKHOUSE_DATA_DIR: dir,
  CLICKHOUSE_DATABASE: 'bench',
  PIPELINE_TZ: timeZone,
  LOG_LEVEL: 'warn',
  METRICS_PORT: '0',
};

const broker = await spawnBroker({ partitions: 32 });
const processor = spawnTsx('processors/main.ts', [], { ...env, KAFKA_BROKERS: broker.bootstraps });
try {
  await processor.waitForLine((l): l is unknown => ((l as { status?: { assigned: number } }).status?.assigned ?? 0) > 0, { timeoutMs: 60_000, description: 'processor assigned' });
  const producer = await createProducer({ client: 'rdkafka', brokers: [broker.bootstraps] });
  const probes = await createProducer({ client: 'rdkafka', brokers: [broker.bootstraps] });
  const sentAt = new Map<string, number>();
  const probeTime = Date.parse('2026-11-11T12:00:00Z');
  let probing = true;
  const probeLoop = (async () => {
    for (let n = 0; probing; n++) {
      const campaign = `probe-${n}`;
      const event = { schema_version: 1, event_id: `probe-${n}`, event_time: new Date(probeTime).toISOString(), type: 'click', user_id: 'probe', campaign_id: campaign, channel: 'probe', cost_micros: 0, currency: 'CNY' };
      sentAt.set(campaign, Date.now());
      await probes.send([{ topic: broker.topics.click, key: campaign, value: Buffer.from(JSON.stringify(event)), timestampMs: probeTime }]);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  console.error(`streaming a day at ${rate.toLocaleString('en-US')} events/s for ${seconds} s with a probe every 100 ms...`);
  await runSimulation({ producer, topics: broker.topics, simulation: { seed: 9, events: rate * seconds, timeZone, start: '2026-11-11', hours: 24 }, pacing: { rate }, progress: false });
  probing = false;
  await probeLoop;
  await Promise.all([producer.disconnect(), probes.disconnect()]);
  // Two flush intervals for the last probes to land, then a graceful stop frees the chDB directory.
  await new Promise((r) => setTimeout(r, 3000));
  await processor.stop('SIGTERM', 20_000);

  const ch = await openClickHouse(loadConfig({ ...env, KAFKA_BROKERS: '127.0.0.1:9' }).clickhouse);
  const rows = await (
    await ch.query({ query: "SELECT campaign_id, toUnixTimestamp64Milli(min(written_at)) AS visible FROM campaign_hourly_state WHERE channel = 'probe' GROUP BY campaign_id", format: 'JSONEachRow' })
  ).json<{ campaign_id: string; visible: number | string }>();
  await ch.close();
  const latencies = rows.map((r) => Number(r.visible) - sentAt.get(r.campaign_id)!);
  const missing = sentAt.size - rows.length;
  const table = [
    {
      client: values.client,
      'rate events/s': rate,
      probes: rows.length,
      'not visible': missing,
      'p50 s': median(latencies) / 1000,
      'p99 s': percentile(latencies, 99) / 1000,
      'max s': Math.max(...latencies) / 1000,
    },
  ];
  printTable('Freshness: produced -> visible in the hourly tables (target p99 < 3 s)', table);
  console.error(`written ${writeResults('freshness', { rate, seconds, latencies, table })}`);
} finally {
  await processor.stop('SIGKILL');
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
}
