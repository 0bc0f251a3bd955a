/**
 * Latency of the at-risk SKU view (what the war room reads) over 100k SKUs: `npx tsx bench/at-risk-skus.ts`.
 * Fills a fresh database with a day of processor state: every SKU has a stock snapshot per warehouse
 * every hour (half the SKUs in two warehouses: 3.6M snapshot rows) and sales in a share of its hours
 * and in the latest one, a few hundred SKUs running low or out. Then times `SELECT * FROM at_risk_skus`
 * (after two warm-up runs) and prints the median and p95. Uses the same
 * ClickHouse settings as the processors (CLICKHOUSE_URL, or chDB in CLICKHOUSE_DATA_DIR, default a temp dir).
 *
 * Options: --skus N (100000), --hours N (24), --runs N (20), --sales-share X (0.3).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openClickHouse } from '../processors/clickhouse/client.js';
import { migrate } from '../processors/clickhouse/migrate.js';
import { loadConfig } from '../processors/config.js';
import { median, percentile, printTable, writeResults } from './results-file.js';

const { values } = parseArgs({
  options: {
    skus: { type: 'string', default: '100000' },
    hours: { type: 'string', default: '24' },
    runs: { type: 'string', default: '20' },
    'sales-share': { type: 'string', default: '0.3' },
  },
});
const skus = Number(values.skus);
const hours = Number(values.hours);
const runs = Number(values.runs);
const salesShare = Number(values['sales-share']);
if (![skus, hours, runs].every((n) => Number.isInteger(n) && n > 0) || !(salesShare > 0 && salesShare <= 1)) {
  throw new Error('--skus, --hours and --runs take whole numbers above 0, --sales-share a fraction in (0, 1]');
}

const database = `bench_at_risk_${process.pid}`;
const config = loadConfig({ ...process.env, CLICKHOUSE_DATA_DIR: process.env.CLICKHOUSE_DATA_DIR || mkdtempSync(join(tmpdir(), 'bench-chdb-')), CLICKHOUSE_DATABASE: database });
const ch = await openClickHouse(config.clickhouse);
const start = '2026-11-10 00:00:00';
const params = { skus, hours, start, salesShare };

try {
  await migrate(ch);
  const filled = Date.now();
  // Stock falls through the day; every 301st SKU runs low enough to be amber or red, every 1000th sells out.
  await ch.command({
    query: `INSERT INTO inventory_hourly_state (hour, sku, warehouse, source_topic, source_partition, available, snapshot_time, snapshot_offset, source_offset)
      SELECT hour, sku, warehouse, 'inventory', 0, available, hour + 1800, offset, offset
      FROM
      (
          SELECT
              toDateTime({start:String}, 'UTC') + toIntervalHour(number % {hours:UInt32}) AS hour,
              intDiv(number, {hours:UInt32}) AS n,
              number % {hours:UInt32} AS h,
              concat('sku-', toString(n)) AS sku,
              arrayJoin(if(n % 2 = 0, ['wh-east', 'wh-south'], [''])) AS warehouse,
              toUInt64(greatest(0, if(n % 1000 = 0, 40 - 4 * h, if(n % 301 = 0, 200 - 8 * h, 5000 - 10 * h)))) AS available,
              number AS offset
          FROM numbers({skus:UInt32} * {hours:UInt32})
      )`,
    query_params: params,
  });
  await ch.command({
    query: `INSERT INTO sku_hourly_state (hour, sku, source_topic, source_partition, cart_adds, cart_add_units, units_sold, units_refunded, source_offset)
      SELECT toDateTime({start:String}, 'UTC') + toIntervalHour(number % {hours:UInt32}), concat('sku-', toString(intDiv(number, {hours:UInt32}))), 'cart', 0, 6, 8, 5, 0, number
      FROM numbers({skus:UInt32} * {hours:UInt32})
      WHERE rand(number) % 1000 < {salesShare:Float64} * 1000 OR number % {hours:UInt32} = {hours:UInt32} - 1`,
    query_params: params,
  });
  const [counts] = await (
    await ch.query({
      query: 'SELECT (SELECT count() FROM inventory_hourly_state) AS snapshots, (SELECT count() FROM sku_hourly_state) AS sku_hours',
      format: 'JSONEachRow',
    })
  ).json<{ snapshots: number | string; sku_hours: number | string }>();
  console.log(`${skus} SKUs x ${hours} h: ${Number(counts!.snapshots)} stock rows, ${Number(counts!.sku_hours)} SKU-hour rows (filled in ${Date.now() - filled} ms)`);

  const timings: number[] = [];
  let listed = 0;
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    const rows = await (await ch.query({ query: 'SELECT * FROM at_risk_skus', format: 'JSONEachRow' })).json();
    const ms = performance.now() - t0;
    listed = rows.length;
    if (i >= 2) timings.push(ms); // the first two warm caches
  }
  const table = [
    { query: 'SELECT * FROM at_risk_skus', skus, 'at risk': listed, 'p50 ms': Math.round(median(timings)), 'p95 ms': Math.round(percentile(timings, 95)), 'max ms': Math.round(Math.max(...timings)) },
  ];
  printTable(`At-risk SKUs over ${skus.toLocaleString('en-US')} SKUs x ${hours} h, ${runs} runs (target: well under a second)`, table);
  console.error(`written ${writeResults('at-risk-skus', { skus, hours, runs, timings, table })}`);
} finally {
  await ch.command({ query: 'DROP DATABASE IF EXISTS {db:Identifier}', query_params: { db: database } });
  await ch.close();
}
