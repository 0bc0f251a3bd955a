/**
 * What the war-room page shows, read from the catalog views (shop_metrics, shop_comparisons,
 * plan_attainment, at_risk_skus, campaign_comparisons) for the newest event-time hour. Values arrive
 * formatted for display, so the browser holds no metric logic: it only paints what this returns.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { METRICS, type Status } from '../../schemas/metric-catalog.js';
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

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function readWarRoom(ch: ClickHouseClient, options: { timeZone: string; currency: string }): Promise<WarRoomSnapshot> {
  const { currency } = options;
  const [latest] = await rows(
    ch,
    `SELECT toUnixTimestamp(max(hour)) AS hour, (SELECT toUnixTimestamp64Milli(max(written_at)) FROM partition_progress) AS last_write
     FROM shop_metrics`,
  );
  const hourSec = num(latest?.hour) || null;
  const lastWriteMs = num(latest?.last_write) || null;
  const empty: WarRoomSnapshot = { hour: null, timeZone: options.timeZone, lastWriteMs, metrics: [], gmvPlan: null, atRisk: [], surges: [] };
  if (hourSec === null) return { ...empty, metrics: METRICS.map((m) => ({ id: m.id, label: m.label, description: m.description, value: '–', status: 'insufficient', yesterday: '–', change: '' })) };

  const at = { hour: hourSec };
  const [[current], [compared], [plan], atRisk, surges] = await Promise.all([
    rows(ch, 'SELECT * FROM shop_metrics WHERE hour = toDateTime({hour:UInt32})', at),
    rows(ch, 'SELECT * FROM shop_comparisons WHERE hour = toDateTime({hour:UInt32})', at),
    rows(ch, "SELECT * FROM plan_attainment WHERE scope = 'shop' AND metric = 'gmv' AND hour = toDateTime({hour:UInt32})", at),
    rows(ch, 'SELECT sku, status, available, hours_of_cover, cart_adds FROM at_risk_skus LIMIT 10'),
    rows(
      ch,
      `SELECT campaign_id, channel, cart_adds, cart_adds_yesterday, surge_ratio FROM campaign_comparisons
       WHERE hour = toDateTime({hour:UInt32}) AND surge ORDER BY surge_ratio DESC LIMIT 5`,
      at,
    ),
  ]);
  return {
    ...empty,
    hour: new Date(hourSec * 1000).toISOString(),
    metrics: METRICS.map((m) => ({
      id: m.id,
      label: m.label,
      description: m.description,
      value: formatMetricValue(m, num(current?.[m.id]), currency),
      status: (current?.[`${m.id}_status`] as Status | undefined) ?? 'insufficient',
      yesterday: formatMetricValue(m, num(compared?.[`${m.id}_yesterday`]), currency),
      change: formatPercentChange(num(compared?.[`${m.id}_change_yesterday_pct`])),
    })),
    gmvPlan:
      plan === undefined
        ? null
        : {
            plan: formatMetricValue(METRICS.find((m) => m.id === 'gmv')!, num(plan.plan), currency),
            actual: formatMetricValue(METRICS.find((m) => m.id === 'gmv')!, num(plan.actual), currency),
            attainment: formatPercentChange(num(plan.attainment) === null ? null : num(plan.attainment)! * 100, false),
            status: plan.status as Status,
            toDate: formatPercentChange(num(plan.attainment_to_date) === null ? null : num(plan.attainment_to_date)! * 100, false),
            statusToDate: (plan.status_to_date as Status | null) ?? 'neutral',
          },
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
      cartAdds: Number(r.cart_adds),
      yesterday: Number(r.cart_adds_yesterday),
      ratio: `${Number(r.surge_ratio).toFixed(1)}x`,
    })),
  };
}
