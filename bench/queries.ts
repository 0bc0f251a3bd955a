/**
 * Dashboard query latency: every catalog view as the war-room page reads it, and every ClickHouse panel
 * of the committed Grafana dashboards, over
 * 30 days x 200 campaigns x 4 channels of hourly rows (three source topics each) and 100k SKUs x 24 h,
 * generated inside chDB. p50/p95 of repeated runs per query; target p95 < 200 ms.
 *
 *   npx tsx bench/queries.ts [--repeat 20]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openClickHouse } from '../processors/clickhouse/client.js';
import { migrate } from '../processors/clickhouse/migrate.js';
import { loadConfig } from '../processors/config.js';
import { DASHBOARDS_DIR } from '../dashboards/render-files.js';
import { readWarRoom } from '../dashboards/war-room/war-room-data.js';
import { expandGrafanaQuery, type DashboardState } from '../test/support/grafana-query.js';
import { median, percentile, printTable, writeResults } from './results-file.js';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '20' } } });
const DAYS = 30;
const CAMPAIGNS = 200;
const CHANNELS = ['search', 'social', 'feed', 'live'];
const SKUS = 100_000;
const END = Date.parse('2026-11-12T00:00:00Z') / 1000;
const START = END - DAYS * 86_400;
const LAST_DAY = END - 86_400;

/** Deterministic pseudo-random counters from the row number, so every run reads the same data. */
const counter = (n: string, salt: number, max: number) => `cityHash64(${n}, ${salt}) % ${max}`;

const SETUP = [
  ...['ecom.clicks', 'ecom.cart', 'ecom.payments'].map(
    (topic, t) => `INSERT INTO campaign_hourly_state (hour, campaign_id, channel, source_topic, source_partition, impressions, clicks, spend_micros,
       cart_adds, cart_removes, paid_orders, failed_payments, paid_micros, refunds, refunded_micros, source_offset)
     SELECT toDateTime(${START} + intDiv(number, ${CAMPAIGNS * CHANNELS.length}) * 3600, 'UTC'),
       concat('cmp-', toString(intDiv(number % ${CAMPAIGNS * CHANNELS.length}, ${CHANNELS.length}))),
       [${CHANNELS.map((c) => `'${c}'`).join(',')}][number % ${CHANNELS.length} + 1], '${topic}', number % 16,
       ${t === 0 ? counter('number', 1, 5000) : 0}, ${t === 0 ? counter('number', 2, 200) : 0}, ${t === 0 ? counter('number', 3, 100_000_000) : 0},
       ${t === 1 ? counter('number', 4, 60) : 0}, 0, ${t === 2 ? counter('number', 5, 20) : 0}, ${t === 2 ? counter('number', 6, 3) : 0},
       ${t === 2 ? counter('number', 7, 5_000_000_000) : 0}, 0, 0, number
     FROM numbers(${DAYS * 24 * CAMPAIGNS * CHANNELS.length})`,
  ),
  `INSERT INTO sku_hourly_state (hour, sku, source_topic, source_partition, cart_adds, cart_add_units, units_sold, units_refunded, source_offset)
   SELECT toDateTime(${LAST_DAY} + intDiv(number, ${SKUS}) * 3600, 'UTC'), concat('sku-', toString(number % ${SKUS})), 'ecom.payments', number % 16,
     ${counter('number', 8, 10)}, ${counter('number', 9, 12)}, ${counter('number', 10, 8)}, 0, number
   FROM numbers(${SKUS * 24})`,
  `INSERT INTO inventory_hourly_state (hour, sku, warehouse, source_topic, source_partition, available, snapshot_time, snapshot_offset, source_offset)
   SELECT toDateTime(${LAST_DAY} + intDiv(number, ${SKUS}) * 3600, 'UTC'), concat('sku-', toString(number % ${SKUS})), '', 'ecom.inventory', number % 16,
     ${counter('number', 11, 500)}, toDateTime64(${LAST_DAY} + intDiv(number, ${SKUS}) * 3600 + 60, 3, 'UTC'), number, number
   FROM numbers(${SKUS * 24})`,
];

/** What the dashboards and the war-room page ask, with the ranges Grafana sends. */
export const QUERIES: Record<string, string> = {
  'campaign_metrics: all campaigns, last 24 h': `SELECT * FROM campaign_metrics WHERE hour >= toDateTime(${LAST_DAY}) AND hour < toDateTime(${END})`,
  'campaign_metrics: one campaign, 7 days': `SELECT * FROM campaign_metrics WHERE campaign_id = 'cmp-42' AND hour >= toDateTime(${END - 7 * 86_400}) AND hour < toDateTime(${END})`,
  'campaign_metrics: current hour, worst ROAS first': `SELECT campaign_id, channel, roas, roas_status FROM campaign_metrics WHERE hour = toDateTime(${END - 3600}) ORDER BY roas ASC NULLS LAST LIMIT 20`,
  'shop_metrics: last 24 h': `SELECT * FROM shop_metrics WHERE hour >= toDateTime(${LAST_DAY}) AND hour < toDateTime(${END})`,
  'shop_metrics: 30 days': `SELECT * FROM shop_metrics WHERE hour >= toDateTime(${START}) AND hour < toDateTime(${END})`,
  'sku_hourly: current hour, top 50 sellers': `SELECT sku, units_sold FROM sku_hourly WHERE hour = toDateTime(${END - 3600}) ORDER BY units_sold DESC LIMIT 50`,
  'sku_stock_hourly: current hour, 100k SKUs, lowest 50': `SELECT sku, available FROM sku_stock_hourly WHERE hour = toDateTime(${END - 3600}) ORDER BY available ASC LIMIT 50`,
  'dead_letters': 'SELECT * FROM dead_letters',
};

/**
 * Every ClickHouse panel of the committed dashboards, expanded as Grafana would send it for the last 24 h
 * with every campaign and channel selected (the default "All").
 */
function dashboardPanelQueries(): Record<string, string> {
  const state: DashboardState = {
    fromMs: LAST_DAY * 1000,
    toMs: END * 1000 - 1,
    variables: { campaign: Array.from({ length: CAMPAIGNS }, (_, i) => `cmp-${i}`), channel: CHANNELS },
  };
  const queries: Record<string, string> = {};
  for (const file of readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as { title: string; panels: { title: string; targets?: { rawSql?: string }[] }[] };
    for (const panel of dashboard.panels) {
      for (const [i, target] of (panel.targets ?? []).entries()) {
        if (target.rawSql !== undefined) queries[`panel ${dashboard.title} / ${panel.title}${i > 0 ? ` #${i + 1}` : ''}`] = expandGrafanaQuery(target.rawSql, state);
      }
    }
  }
  return queries;
}

const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-queries-'));
const ch = await openClickHouse(loadConfig({ KAFKA_BROKERS: '127.0.0.1:9', CLICKHOUSE_DATA_DIR: dir, CLICKHOUSE_DATABASE: 'bench' }).clickhouse);
try {
  await migrate(ch);
  console.error(`generating ${DAYS} days x ${CAMPAIGNS} campaigns x ${CHANNELS.length} channels and ${SKUS.toLocaleString('en-US')} SKUs x 24 h...`);
  for (const query of SETUP) await ch.command({ query: query.replace(/\s+/g, ' ') });
  const rows = [];
  const timed = { ...QUERIES, ...dashboardPanelQueries() };
  for (const [name, query] of Object.entries(timed)) {
    const times: number[] = [];
    let resultRows = 0;
    for (let i = 0; i < Number(values.repeat); i++) {
      const started = performance.now();
      resultRows = (await (await ch.query({ query, format: 'JSONEachRow' })).json()).length;
      times.push(performance.now() - started);
    }
    rows.push({ query: name, rows: resultRows, 'p50 ms': Math.round(median(times)), 'p95 ms': Math.round(percentile(times, 95)) });
    console.error(`${name}: p95 ${Math.round(percentile(times, 95))} ms`);
  }
  const snapshots: number[] = [];
  for (let i = 0; i < Number(values.repeat); i++) {
    const started = performance.now();
    await readWarRoom(ch, { timeZone: 'UTC', currency: 'CNY' });
    snapshots.push(performance.now() - started);
  }
  rows.push({ query: 'war-room page: one war-room.json snapshot (all its queries)', rows: 1, 'p50 ms': Math.round(median(snapshots)), 'p95 ms': Math.round(percentile(snapshots, 95)) });
  printTable(`Dashboard queries on chDB, ${values.repeat} runs each (target p95 < 200 ms)`, rows);
  console.error(`written ${writeResults('queries', { days: DAYS, campaigns: CAMPAIGNS, channels: CHANNELS.length, skus: SKUS, table: rows })}`);
} finally {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
}
