/**
 * The SQL behind the ClickHouse panels. Panels read the catalog views (processors/clickhouse/catalog-sql.ts);
 * where a panel sums several campaign x channel cells, the ratio is recomputed from the summed counters by
 * the same catalog-generated expressions the views use, never by SQL written here.
 *
 * Queries use the ClickHouse plugin's macros and Grafana's template variables; tests expand both the
 * way the plugin and Grafana document and run every query against chDB.
 */
import { CAMPAIGN_COUNTERS } from '../schemas/counters.js';
import { METRICS, SURGE, type MetricDefinition } from '../schemas/metric-catalog.js';
import { metricStatusSql, metricValueSql, type CounterColumn } from '../processors/clickhouse/catalog-sql.js';
import { sameHourColumn, surgeColumnsSql } from '../processors/clickhouse/signal-sql.js';

/** Which hours a query reads; `hour` is the UTC instant of a local hour's start in the pipeline zone. */
export const HOURS = {
  /** Every hour that starts inside the dashboard's time range. */
  inRange: '$__timeFilter(hour)',
  /** The hour that contains the end of the time range ("now" on a live dashboard); hours are contiguous, so exactly one. */
  current: 'hour > $__toTime - INTERVAL 1 HOUR AND hour <= $__toTime',
} as const;

export const SELECTION_VARIABLES = { campaign: 'campaign_id', channel: 'channel' } as const;
export type SelectionVariable = keyof typeof SELECTION_VARIABLES;

/** The campaign x channel cells picked in the template variables (multi-value, "All" expands to every value). */
const SELECTED_CELLS = Object.entries(SELECTION_VARIABLES)
  .map(([variable, column]) => `${column} IN (\${${variable}:singlequote})`)
  .join(' AND ');

/** Below the catalog's minimum volume a value is not shown at all: a red light on ten impressions would be noise. */
function reportedValueSql(value: string, status: string): string {
  return `if(${status} = 'insufficient', NULL, ${value})`;
}

/** Where a panel reads a campaign x channel cell's counters from, per hour. */
export interface CellCounters {
  view: string;
  column: CounterColumn;
}

export const COUNTERS_THIS_HOUR: CellCounters = { view: 'campaign_hourly', column: (counter) => counter };

/**
 * The same local hour yesterday (24 h earlier, as the comparison views define it), keyed by this hour:
 * every selected cell's counters of that hour. The hourly rows shifted by a day rather than the
 * campaign_comparisons view, because ClickHouse pushes the panel's hour filter through the shift into
 * the table's index, where the view computes every hour of history first (bench/queries.ts: ~20 ms
 * against ~300 ms on 30 days).
 */
export const COUNTERS_YESTERDAY: CellCounters = {
  view: `(SELECT hour + INTERVAL 1 DAY AS hour, campaign_id, channel, ${CAMPAIGN_COUNTERS.map((c) => `${c} AS ${sameHourColumn('yesterday')(c)}`).join(', ')} FROM campaign_hourly) AS same_hour_yesterday`,
  column: sameHourColumn('yesterday'),
};

/** One metric per hour over the selected cells: columns `time` and the metric's id. */
export function selectedCellsMetricSql(metric: MetricDefinition, hours: string, counters: CellCounters = COUNTERS_THIS_HOUR): string {
  return `SELECT
    hour AS time,
    ${reportedValueSql('value', 'status')} AS ${metric.id}
FROM
(
    SELECT
        hour,
        ${metricValueSql(metric)} AS value,
        ${metricStatusSql(metric, 'value')} AS status
    FROM
    (
        SELECT
            hour,
${CAMPAIGN_COUNTERS.map((c) => `            sum(${counters.column(c)}) AS ${c}`).join(',\n')}
        FROM ${counters.view}
        WHERE ${hours} AND ${SELECTED_CELLS}
        GROUP BY hour
    )
)
ORDER BY time`;
}

/** Every catalog metric per selected campaign x channel cell, straight from the campaign_metrics view. */
export function cellMetricsSql(hours: string): string {
  return `SELECT
    campaign_id,
    channel,
${METRICS.map((m) => `    ${reportedValueSql(m.id, `${m.id}_status`)} AS ${m.id}`).join(',\n')}
FROM campaign_metrics
WHERE ${hours} AND ${SELECTED_CELLS}
ORDER BY campaign_id, channel`;
}

/** One metric per hour for the whole shop, straight from the shop_metrics view: columns `time` and the metric's id. */
export function shopMetricSql(metric: MetricDefinition, hours: string): string {
  return `SELECT
    hour AS time,
    ${reportedValueSql(metric.id, `${metric.id}_status`)} AS ${metric.id}
FROM shop_metrics
WHERE ${hours}
ORDER BY time`;
}

/** The plan_attainment columns a plan panel can show; `actual` is the metric's own value. */
export const PLAN_FIELDS = ['actual', 'plan', 'attainment', 'actual_to_date', 'plan_to_date', 'attainment_to_date'] as const;
export type PlanField = (typeof PLAN_FIELDS)[number];

/** The column a plan field is returned as: the metric's id for its actual value (so it is styled as the metric), `<id>_<field>` otherwise. */
export function planFieldName(metric: MetricDefinition, field: PlanField): string {
  return field === 'actual' ? metric.id : `${metric.id}_${field}`;
}

/** An hour's own actual and attainment are not shown below the metric's minimum volume; to-date figures exist only for additive metrics, which have none. */
function planFieldSql(field: PlanField): string {
  return field === 'actual' || field === 'attainment' ? reportedValueSql(field, 'status') : field;
}

/** The whole shop's plan for one metric per targeted hour (no row: no plan for the hour). */
export function shopPlanSql(metric: MetricDefinition, hours: string, fields: readonly PlanField[]): string {
  return `SELECT
    hour AS time,
${fields.map((f) => `    ${planFieldSql(f)} AS ${planFieldName(metric, f)}`).join(',\n')}
FROM plan_attainment
WHERE scope = 'shop' AND metric = '${metric.id}' AND ${hours}
ORDER BY time`;
}

/**
 * The red and amber SKUs of the newest hour with data, worst first as the at_risk_skus view orders them
 * (row_number keeps that order through the join), with the demand each lost while sold out.
 */
export function atRiskSkusSql(): string {
  return `SELECT a.hour AS hour, a.sku AS sku, a.status AS status, a.available AS available, a.hours_of_cover AS hours_of_cover,
    a.cart_adds AS cart_adds, l.lost_cart_adds AS lost_cart_adds, l.lost_units AS lost_units
FROM (SELECT *, row_number() OVER () AS rank FROM at_risk_skus) AS a
LEFT JOIN (SELECT * FROM sku_lost_demand WHERE sku IN (SELECT sku FROM at_risk_skus)) AS l ON l.sku = a.sku
ORDER BY a.rank`;
}

/**
 * Campaign x channel cells whose cart adds surge against the same hour yesterday (the catalog's rule,
 * shared with the comparison views), strongest first. Built from this hour's rows and yesterday's shifted
 * ones like the yesterday stats, so the hour filter reaches the table's index.
 */
export function surgesSql(hours: string): string {
  const now = SURGE.counter;
  const yesterday = COUNTERS_YESTERDAY.column(SURGE.counter);
  return `SELECT campaign_id, channel, ${now}, ${yesterday}, surge_ratio
FROM
(
    SELECT campaign_id, channel, ${now}, ${yesterday}, ${surgeColumnsSql(now, yesterday).join(', ')}
    FROM
    (
        SELECT campaign_id, channel, sum(counted_now) AS ${now}, sum(counted_yesterday) AS ${yesterday}
        FROM
        (
            SELECT hour, campaign_id, channel, ${now} AS counted_now, 0 AS counted_yesterday FROM campaign_hourly
            UNION ALL
            SELECT hour, campaign_id, channel, 0, ${yesterday} FROM ${COUNTERS_YESTERDAY.view}
        )
        WHERE ${hours}
        GROUP BY campaign_id, channel
    )
)
WHERE surge
ORDER BY surge_ratio DESC, campaign_id, channel`;
}

/** The values a selection variable offers: those with data in the time range. */
export function selectionValuesSql(variable: SelectionVariable): string {
  const column = SELECTION_VARIABLES[variable];
  return `SELECT DISTINCT ${column} FROM campaign_hourly WHERE ${HOURS.inRange} ORDER BY ${column}`;
}
