/**
 * Renders the war-room signal views from the metric catalog: stock-out warnings per SKU, comparisons
 * with the same hour yesterday and last week (with the surge flag), and plan attainment. Written to
 * infra/clickhouse/migrations/0005_signal_views.sql by `npm run ddl`; they read the views of 0002.
 */
import { CAMPAIGN_COUNTERS } from '../../schemas/counters.js';
import { isAdditive, METRICS, STOCK_COVER, SURGE, type MetricDefinition } from '../../schemas/metric-catalog.js';
import { metricValueSql, metricsOverSql, thresholdBranchesSql, type CounterColumn } from './catalog-sql.js';

/**
 * Earlier hours compared with each hour. An hour is keyed by the UTC instant of its local start, so
 * "the same hour yesterday" is 24 h earlier: exact in zones without daylight saving time (:30 and :45
 * offsets included); across a DST change it is the hour one wall-clock hour off.
 */
const COMPARED = [
  { suffix: 'yesterday', days: 1 },
  { suffix: 'last_week', days: 7 },
] as const;

const indent = (lines: readonly string[], spaces: number) => lines.map((l) => `${' '.repeat(spaces)}${l}`).join(',\n');
/** The comparison views' column for a counter's same hour `suffix` ('yesterday', 'last_week'). */
export const sameHourColumn = (suffix: (typeof COMPARED)[number]['suffix']): CounterColumn => (counter) => `${counter}_${suffix}`;

function changePercentSql(current: string, previous: string): string {
  return `if(${previous} IS NULL OR ${previous} = 0, NULL, (toFloat64(${current}) - toFloat64(${previous})) / abs(toFloat64(${previous})) * 100)`;
}

/** Every catalog metric now, the same hour yesterday and last week, and the change in percent; `keys` as well as the hour. */
function comparisonViewSql(name: string, keys: readonly string[]): string {
  const counterSums = CAMPAIGN_COUNTERS.flatMap((c) => [
    `sumIf(counted_${c}, days_back = 0) AS ${c}`,
    ...COMPARED.map(({ suffix, days }) => `sumIf(counted_${c}, days_back = ${days}) AS ${c}_${suffix}`),
  ]);
  const metricColumns = METRICS.flatMap((m) => [
    `${metricValueSql(m)} AS ${m.id}`,
    ...COMPARED.map(({ suffix }) => `${metricValueSql(m, sameHourColumn(suffix))} AS ${m.id}_${suffix}`),
    ...COMPARED.map(({ suffix }) => `${changePercentSql(m.id, `${m.id}_${suffix}`)} AS ${m.id}_change_${suffix}_pct`),
  ]);
  const counterColumns = CAMPAIGN_COUNTERS.flatMap((c) => [c, ...COMPARED.map(({ suffix }) => `${c}_${suffix}`)]);
  const surge = surgeColumnsSql(SURGE.counter, `${SURGE.counter}_yesterday`);
  const keyColumns = ['hour', ...keys];
  const days = [0, ...COMPARED.map((c) => c.days)].join(', ');
  return `CREATE OR REPLACE VIEW ${name} AS
SELECT
${indent([...keyColumns, ...counterColumns, ...metricColumns, ...surge], 4)}
FROM
(
    -- Each hour's counters also count as "yesterday" of the hour 24 h later and "last week" of the hour 168 h later.
    SELECT
${indent(['compared_hour AS hour', ...keys, ...counterSums], 8)}
    FROM
    (
        SELECT ${keyColumns.join(', ')}, ${CAMPAIGN_COUNTERS.map((c) => `${c} AS counted_${c}`).join(', ')}, days_back, hour + toIntervalDay(days_back) AS compared_hour
        FROM campaign_hourly
        ARRAY JOIN [${days}] AS days_back
    )
    GROUP BY ${['compared_hour', ...keys].join(', ')}
    HAVING countIf(days_back = 0) > 0
)`;
}

/**
 * Hours of cover and status from a SKU-hour's stock at close (`available`, NULL before the SKU's first
 * snapshot) and its demand, shared by the per-hour history and the at-risk list so both apply one rule.
 */
function stockStatusColumns(): string[] {
  const { red, amber } = STOCK_COVER.thresholds;
  return [
    'if(net_units_sold > 0 AND available IS NOT NULL, available / net_units_sold, NULL) AS hours_of_cover',
    `multiIf(available IS NULL, 'insufficient', (available = 0 AND cart_adds > 0) OR hours_of_cover < ${red}, 'red', hours_of_cover < ${amber}, 'amber', 'green') AS status`,
  ];
}

const SKU_FLOWS = ['cart_adds', 'cart_add_units', 'units_sold', 'units_refunded'];
const NET_UNITS_SOLD = 'toInt64(units_sold) - toInt64(units_refunded) AS net_units_sold';

/**
 * Per SKU and event-time hour (every hour the SKU had counters or a snapshot): stock at the hour's
 * close, carried forward per warehouse from its latest snapshot, then hours of cover and the status.
 * A warehouse's level is carried as the change between its snapshots, so a running sum per SKU is the
 * stock at every close without a grid of hours x warehouses.
 * Lost demand: cart adds in an hour that began and closed with no stock (an hourly estimate; cart adds
 * in the hour a SKU sells out are not counted, those in an hour it is restocked are not either).
 */
function stockSignalsSql(): string {
  const toDate = 'PARTITION BY sku ORDER BY hour ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW';
  const lost = [
    'snapshots_before > 0 AND stock_at_start = 0 AND available = 0 AS sold_out_all_hour',
    'if(sold_out_all_hour, cart_adds, 0) AS lost_cart_adds',
    'if(sold_out_all_hour, cart_add_units, 0) AS lost_units',
  ];
  return `CREATE OR REPLACE VIEW sku_stock_signals AS
SELECT
${indent(['hour', 'sku', ...SKU_FLOWS, NET_UNITS_SOLD, 'if(snapshots_to_date = 0, NULL, stock_at_close) AS available', ...stockStatusColumns(), ...lost], 4)}
FROM
(
    SELECT
        *,
        lagInFrame(stock_at_close) OVER (${toDate}) AS stock_at_start,
        lagInFrame(snapshots_to_date) OVER (${toDate}) AS snapshots_before
    FROM
    (
        SELECT
            hour, sku, ${SKU_FLOWS.join(', ')},
            sum(stock_change) OVER (${toDate}) AS stock_at_close,
            sum(snapshots) OVER (${toDate}) AS snapshots_to_date
        FROM
        (
            SELECT hour, sku, ${SKU_FLOWS.map((f) => `sum(${f}) AS ${f}`).join(', ')}, sum(stock_change) AS stock_change, sum(snapshots) AS snapshots
            FROM
            (
                SELECT hour, sku, ${SKU_FLOWS.join(', ')}, toInt64(0) AS stock_change, toUInt64(0) AS snapshots
                FROM sku_hourly
                UNION ALL
                SELECT hour, sku, 0, 0, 0, 0,
                    toInt64(available) - lagInFrame(toInt64(available)) OVER (PARTITION BY sku, warehouse ORDER BY hour ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                    1
                FROM warehouse_stock_hourly
            )
            GROUP BY hour, sku
        )
    )
)`;
}

/**
 * What the war room reads: the SKUs at risk in the latest hour with sales data, worst first (sold out
 * with demand, then red by cover, then amber; shortest cover first). Red and amber both need demand or
 * sales in the hour, so only SKUs with counters in that hour are looked at, against the latest known
 * stock of each warehouse (warehouse_stock_latest, one row per warehouse rather than the snapshot
 * history: bench/at-risk-skus.ts). Lost demand per hour is in sku_stock_signals.
 */
function atRiskSql(): string {
  return `CREATE OR REPLACE VIEW at_risk_skus AS
SELECT sku, hour, status, available, net_units_sold, hours_of_cover, cart_adds, cart_add_units
FROM
(
    SELECT
${indent(['d.hour AS hour', 'd.sku AS sku', ...SKU_FLOWS.map((f) => `d.${f} AS ${f}`), NET_UNITS_SOLD, 'if(s.warehouses = 0, NULL, s.available) AS available', ...stockStatusColumns()], 8)}
    FROM
    (
        SELECT hour, sku, ${SKU_FLOWS.join(', ')}
        FROM sku_hourly
        WHERE hour = (SELECT max(hour) FROM sku_hourly_state) AND (cart_adds > 0 OR units_sold > units_refunded)
    ) AS d
    LEFT JOIN
    (
        SELECT sku, sum(available) AS available, count() AS warehouses
        FROM warehouse_stock_latest FINAL
        GROUP BY sku
    ) AS s ON s.sku = d.sku
)
WHERE status IN ('red', 'amber')
ORDER BY status = 'red' DESC, available = 0 AND cart_adds > 0 DESC, hours_of_cover ASC NULLS FIRST, cart_adds DESC, sku`;
}

/** Demand lost to sold-out stock so far, per SKU (an hourly estimate, see sku_stock_signals). */
function lostDemandSql(): string {
  return `CREATE OR REPLACE VIEW sku_lost_demand AS
SELECT sku, sum(lost_cart_adds) AS lost_cart_adds, sum(lost_units) AS lost_units, countIf(sold_out_all_hour) AS sold_out_hours
FROM sku_stock_signals
GROUP BY sku
HAVING sold_out_hours > 0`;
}

/**
 * Where no counters were stored for a targeted hour: additive metrics are 0 (no sales is 0 GMV, and
 * against a plan that is red), the others have no value.
 */
function missingActualSql(m: MetricDefinition): { value: string; status: string } {
  const additive = isAdditive(m);
  return { value: additive ? '0' : 'NULL', status: !additive || m.minVolume.min > 0 ? "'insufficient'" : "'neutral'" };
}

const PLAN_METRICS_COLUMNS = METRICS.flatMap((m) => [m.id, `${m.id}_status`]).join(', ');

/** Actual value and status of every metric, one row per (scope, campaign, hour, metric), to join with targets. */
function planActualsSql(): string {
  // accurateCastOrNull: rows whose ratio is NULL still hold inf/NaN underneath, which a plain CAST rejects.
  const tuples = METRICS.map((m) => `tuple('${m.id}', accurateCastOrNull(${m.id}, 'Decimal(38, 6)'), ${m.id}_status)`);
  return `CREATE OR REPLACE VIEW plan_actuals AS
SELECT scope, campaign_id, hour, metric_value.1 AS metric, metric_value.2 AS actual, metric_value.3 AS status
FROM
(
    SELECT 'shop' AS scope, '' AS campaign_id, hour, ${PLAN_METRICS_COLUMNS}
    FROM shop_metrics
    UNION ALL
    SELECT 'campaign' AS scope, campaign_id, hour, ${PLAN_METRICS_COLUMNS}
    FROM
    (
${metricsOverSql(['hour', 'campaign_id']).replace(/^/gm, '        ')}
    )
)
ARRAY JOIN
[
${indent(tuples, 4)}
] AS metric_value`;
}

/** `metric = 'x'` branches of a multiIf, one per metric that has an entry. */
function perMetricSql(entries: readonly [MetricDefinition, string][], otherwise: string): string {
  if (entries.length === 0) return otherwise;
  return `multiIf(${entries.map(([m, sql]) => `metric = '${m.id}', ${sql}`).join(', ')}, ${otherwise})`;
}

/**
 * Actual vs plan per targeted hour. Plan-to-date sums the targets and the actuals of every targeted hour
 * up to this one (additive metrics only: a ratio's hours do not add up). Metrics whose thresholds are
 * against the plan (GMV) get their status from attainment; the others keep their own status.
 */
function planAttainmentSql(): string {
  const additive = METRICS.filter(isAdditive);
  const additiveList = additive.map((m) => `'${m.id}'`).join(', ');
  const missing = METRICS.map((m) => [m, missingActualSql(m)] as const);
  const againstPlan = (METRICS as readonly MetricDefinition[]).flatMap((m) => (m.thresholds?.against === 'plan' ? [{ m, t: m.thresholds }] : []));
  const planStatus = (attainment: string, plan: string) =>
    againstPlan.map(({ m, t }) => [m, `multiIf(${plan} <= 0, 'neutral', ${thresholdBranchesSql(t, attainment)})`] as [MetricDefinition, string]);
  const toDate = 'PARTITION BY t.scope, t.campaign_id, t.metric ORDER BY t.hour ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW';
  return `CREATE OR REPLACE VIEW plan_attainment AS
SELECT
    scope,
    campaign_id,
    metric,
    hour,
    plan,
    actual,
    if(plan = 0, NULL, toFloat64(actual) / toFloat64(plan)) AS attainment,
    plan_to_date,
    actual_to_date,
    if(plan_to_date = 0, NULL, toFloat64(actual_to_date) / toFloat64(plan_to_date)) AS attainment_to_date,
    if(actual_status = 'insufficient', 'insufficient', ${perMetricSql(planStatus('attainment', 'plan'), 'actual_status')}) AS status,
    ${perMetricSql(planStatus('attainment_to_date', 'plan_to_date'), 'NULL')} AS status_to_date
FROM
(
    SELECT
        t.scope AS scope,
        t.campaign_id AS campaign_id,
        t.metric AS metric,
        t.hour AS hour,
        t.target AS plan,
        if(a.present = 1, a.actual, ${perMetricSql(missing.map(([m, x]) => [m, x.value]), 'NULL')}) AS actual,
        if(a.present = 1, a.status, ${perMetricSql(missing.map(([m, x]) => [m, x.status]), "'insufficient'")}) AS actual_status,
        if(t.metric IN (${additiveList}), sum(t.target) OVER (${toDate}), NULL) AS plan_to_date,
        if(t.metric IN (${additiveList}), sum(coalesce(actual, 0)) OVER (${toDate}), NULL) AS actual_to_date
    FROM (SELECT scope, campaign_id, metric, hour, target FROM plan_targets FINAL) AS t
    LEFT JOIN (SELECT *, 1 AS present FROM plan_actuals) AS a
        ON a.scope = t.scope AND a.campaign_id = t.campaign_id AND a.metric = t.metric AND a.hour = t.hour
)`;
}

export function renderSignalViews(): string {
  return `-- GENERATED by \`npm run ddl\` from schemas/metric-catalog.ts: do not edit by hand.
-- War-room signals over the views of 0002: stock-out warnings, same hour yesterday / last week with
-- the surge flag, and plan attainment against plan_targets (0003).

${[
  stockSignalsSql(),
  lostDemandSql(),
  atRiskSql(),
  comparisonViewSql('campaign_comparisons', ['campaign_id', 'channel']),
  comparisonViewSql('shop_comparisons', []),
  planActualsSql(),
  planAttainmentSql(),
].join(';\n\n')};
`;
}

/** The catalog's surge rule over a counter this hour and the same hour yesterday: `surge` and `surge_ratio` columns. */
export function surgeColumnsSql(now: string, yesterday: string): string[] {
  return [
    `${now} >= ${SURGE.minVolume} AND ${yesterday} > 0 AND ${now} > ${SURGE.factor} * ${yesterday} AS surge`,
    `if(${yesterday} = 0, NULL, ${now} / ${yesterday}) AS surge_ratio`,
  ];
}
