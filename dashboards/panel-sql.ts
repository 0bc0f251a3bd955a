/**
 * The SQL behind the ClickHouse panels. Panels read the catalog views (processors/clickhouse/catalog-sql.ts);
 * where a panel sums several campaign x channel cells, the ratio is recomputed from the summed counters by
 * the same catalog-generated expressions the views use, never by SQL written here.
 *
 * Queries use the ClickHouse plugin's macros and Grafana's template variables; tests expand both the
 * way the plugin and Grafana document and run every query against chDB.
 */
import { CAMPAIGN_COUNTERS } from '../schemas/counters.js';
import { METRICS, type MetricDefinition } from '../schemas/metric-catalog.js';
import { metricStatusSql, metricValueSql } from '../processors/clickhouse/catalog-sql.js';

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

/** One metric per hour over the selected cells: columns `time` and the metric's id. */
export function selectedCellsMetricSql(metric: MetricDefinition, hours: string): string {
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
${CAMPAIGN_COUNTERS.map((c) => `            sum(${c}) AS ${c}`).join(',\n')}
        FROM campaign_hourly
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

/** The values a selection variable offers: those with data in the time range. */
export function selectionValuesSql(variable: SelectionVariable): string {
  const column = SELECTION_VARIABLES[variable];
  return `SELECT DISTINCT ${column} FROM campaign_hourly WHERE ${HOURS.inRange} ORDER BY ${column}`;
}
