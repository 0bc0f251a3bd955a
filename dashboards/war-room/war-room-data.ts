/**
 * What the war-room page shows, read from the catalog views (shop_metrics, campaign_hourly,
 * at_risk_skus) and plan_targets for the newest event-time hour. Values arrive
 * formatted for display, so the browser holds no metric logic: it only paints what this returns.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { surgeColumnsSql } from '../../processors/clickhouse/signal-sql.js';
import { METRICS, metricById, SURGE, type Status } from '../../schemas/metric-catalog.js';
import { statusOf } from '../../schemas/metric-math.js';
import { formatMetricValue, formatPercentChange } from './format.js';

export interface MetricTile {
  id: string;
  label: string;
  description: string;
  value: string;
  status: Status;
  yesterday: string;
  change: string;
}

export interface WarRoomSnapshot {
  /** Start of the newest hour with data (UTC ISO), shown in the pipeline's time zone. */
  hour: string | null;
  timeZone: string;
  /** When ClickHouse last received a flush (epoch ms), for "as of N s ago". */
  lastWriteMs: number | null;
  metrics: MetricTile[];
  gmvPlan: { plan: string; actual: string; attainment: string; status: Status; toDate: string; statusToDate: Status } | null;
  atRisk: { sku: string; status: Status; available: string; hoursOfCover: string; cartAdds: number }[];
  surges: { campaign: string; channel: string; cartAdds: number; yesterday: number; ratio: string }[];
}

type Row = Record<string, unknown>;

async function rows(ch: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<Row[]> {
  return (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<Row>();
}

// The page asks for one hour, so it reads the hour and the one it compares with directly: the
// comparison and plan views compute every hour of history before they can filter one (seconds on a
// month of data, measured by bench/queries.ts). The rules themselves come from the catalog.
const SURGES_SQL = `SELECT campaign_id, channel, now, yesterday, ${surgeColumnsSql('now', 'yesterday').join(', ')}
FROM
(
    SELECT campaign_id, channel,
        sumIf(${SURGE.counter}, hour = toDateTime({hour:UInt32})) AS now,
        sumIf(${SURGE.counter}, hour = toDateTime({hour:UInt32}) - INTERVAL 1 DAY) AS yesterday
    FROM campaign_hourly
    WHERE hour IN (toDateTime({hour:UInt32}), toDateTime({hour:UInt32}) - INTERVAL 1 DAY)
    GROUP BY campaign_id, channel
)
WHERE surge
ORDER BY surge_ratio DESC
LIMIT 5`;

/** The shop's GMV plan for the hour, and plan and actual summed over the planned hours up to it. */
const SHOP_GMV_PLAN_SQL = `WITH planned AS (SELECT hour, target FROM plan_targets FINAL WHERE scope = 'shop' AND metric = 'gmv' AND hour <= toDateTime({hour:UInt32}))
SELECT
    (SELECT sumIf(target, hour = toDateTime({hour:UInt32})) FROM planned) AS plan,
    (SELECT countIf(hour = toDateTime({hour:UInt32})) FROM planned) AS planned_now,
    (SELECT sum(target) FROM planned) AS plan_to_date,
    (SELECT sum(gmv) FROM shop_metrics WHERE hour IN (SELECT hour FROM planned)) AS actual_to_date`;

function gmvAgainstPlan(row: Row | undefined, actual: number, orders: number, currency: string): WarRoomSnapshot['gmvPlan'] {
  if (row === undefined || Number(row.planned_now) === 0) return null;
  const gmv = metricById('gmv')!;
  const plan = Number(row.plan);
  const planToDate = Number(row.plan_to_date);
  const actualToDate = Number(row.actual_to_date ?? 0);
  const attainment = (value: number, of: number) => formatPercentChange(of > 0 ? (value / of) * 100 : null, false);
  return {
    plan: formatMetricValue(gmv, plan, currency),
    actual: formatMetricValue(gmv, actual, currency),
    attainment: attainment(actual, plan),
    status: statusOf(gmv, actual, orders, plan),
    toDate: attainment(actualToDate, planToDate),
    statusToDate: statusOf(gmv, actualToDate, Number.POSITIVE_INFINITY, planToDate),
  };
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const percentChange = (now: number | null, before: number | null): number | null =>
  now === null || before === null || before === 0 ? null : ((now - before) / Math.abs(before)) * 100;

export async function readWarRoom(ch: ClickHouseClient, options: { timeZone: string; currency: string }): Promise<WarRoomSnapshot> {
  const { currency } = options;
  const [latest] = await rows(
    ch,
    // From the state table, not a view: max() needs no FINAL or summing, and any stored row means data.
    `SELECT toUnixTimestamp(max(hour)) AS hour, (SELECT toUnixTimestamp64Milli(max(written_at)) FROM partition_progress) AS last_write
     FROM campaign_hourly_state`,
  );
  const hourSec = num(latest?.hour) || null;
  const lastWriteMs = num(latest?.last_write) || null;
  const empty: WarRoomSnapshot = { hour: null, timeZone: options.timeZone, lastWriteMs, metrics: [], gmvPlan: null, atRisk: [], surges: [] };
  if (hourSec === null) return { ...empty, metrics: METRICS.map((m) => ({ id: m.id, label: m.label, description: m.description, value: '–', status: 'insufficient', yesterday: '–', change: '' })) };

  const at = { hour: hourSec };
  // The same hour yesterday straight from shop_metrics: the comparisons view computes every hour of
  // history before it can filter one, seconds on a month of data.
  const [byHour, [plan], atRisk, surges] = await Promise.all([
    rows(ch, 'SELECT toUnixTimestamp(hour) AS h, * FROM shop_metrics WHERE hour IN (toDateTime({hour:UInt32}), toDateTime({hour:UInt32}) - INTERVAL 1 DAY)', at),
    rows(ch, SHOP_GMV_PLAN_SQL, at),
    rows(ch, 'SELECT sku, status, available, hours_of_cover, cart_adds FROM at_risk_skus LIMIT 10'),
    rows(ch, SURGES_SQL, at),
  ]);
  const current = byHour.find((r) => Number(r.h) === hourSec);
  const yesterday = byHour.find((r) => Number(r.h) === hourSec - 86_400);
  return {
    ...empty,
    hour: new Date(hourSec * 1000).toISOString(),
    metrics: METRICS.map((m) => ({
      id: m.id,
      label: m.label,
      description: m.description,
      value: formatMetricValue(m, num(current?.[m.id]), currency),
      status: (current?.[`${m.id}_status`] as Status | undefined) ?? 'insufficient',
      yesterday: formatMetricValue(m, num(yesterday?.[m.id]), currency),
      change: formatPercentChange(percentChange(num(current?.[m.id]), num(yesterday?.[m.id]))),
    })),
    gmvPlan: gmvAgainstPlan(plan, num(current?.gmv) ?? 0, Number(current?.paid_orders ?? 0), currency),
    atRisk: atRisk.map((r) => ({
      sku: String(r.sku),
      status: r.status as Status,
      available: r.available === null ? 'no snapshot' : String(r.available),
      hoursOfCover: num(r.hours_of_cover) === null ? (Number(r.available) === 0 ? 'sold out' : '–') : `${num(r.hours_of_cover)!.toFixed(1)} h`,
      cartAdds: Number(r.cart_adds),
    })),
    surges: surges.map((r) => ({
      campaign: String(r.campaign_id),
      channel: String(r.channel),
      cartAdds: Number(r.now),
      yesterday: Number(r.yesterday),
      ratio: `${Number(r.surge_ratio).toFixed(1)}x`,
    })),
  };
}
