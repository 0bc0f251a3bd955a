/**
 * Panel factories for catalog metrics. A metric's unit and thresholds are set in a field override
 * named after the metric's column, in every panel kind alike, so one rule (tested) ties each coloured
 * number on a dashboard to its catalog entry; the panel defaults are neutral.
 */
import { BigValueColorMode, BigValueGraphMode, GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, ReduceDataOptionsBuilder, TableCellDisplayMode, VisibilityMode } from '@grafana/grafana-foundation-sdk/common';
import type { DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { METRICS, type MetricDefinition } from '../schemas/metric-catalog.js';
import { counterSumSql } from '../processors/clickhouse/catalog-sql.js';
import { clickhouseQuery } from './clickhouse-query.js';
import { CLICKHOUSE } from './datasources.js';
import type { DashboardSettings } from './dashboard-settings.js';
import { attainmentThresholds, metricThresholds, neutralThresholds, thresholdSteps } from './metric-thresholds.js';
import { cellMetricsSql, planFieldName, selectedCellsMetricSql, shopPlanSql, type PlanField } from './panel-sql.js';

const INSUFFICIENT = 'insufficient data';

function grafanaUnit(metric: MetricDefinition, currency: string): string {
  switch (metric.unit) {
    case 'percent':
      return 'percentunit';
    case 'ratio':
      return 'none';
    case 'money':
      return `currency:${currencySymbol(currency)}`;
    case 'count':
      return 'short';
  }
}

function currencySymbol(currency: string): string {
  const parts = new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).formatToParts(0);
  return parts.find((p) => p.type === 'currency')?.value ?? currency;
}

export function metricFieldConfig(metric: MetricDefinition, settings: DashboardSettings): DynamicConfigValue[] {
  return [
    { id: 'displayName', value: metric.label },
    { id: 'unit', value: grafanaUnit(metric, settings.currency) },
    { id: 'decimals', value: 2 },
    { id: 'thresholds', value: metricThresholds(metric).build() },
  ];
}

function describe(metric: MetricDefinition): string {
  const volume = metric.minVolume.min > 0 ? ` Shown as "${INSUFFICIENT}" while ${counterSumSql(metric.minVolume.of)} < ${metric.minVolume.min}.` : '';
  return `${metric.description}.${volume}`;
}

/** Big numbers of one hour, each field coloured by its own override; `time` is not shown. */
function hourStat(title: string, description: string, sql: string, fields: readonly string[], noValue: string): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(title)
    .description(description)
    .datasource(CLICKHOUSE)
    .withTarget(clickhouseQuery('A', 'table', sql))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields(`/^(${fields.join('|')})$/`))
    .colorMode(BigValueColorMode.Background)
    .graphMode(BigValueGraphMode.None)
    .noValue(noValue)
    .thresholds(neutralThresholds());
}

/** A traffic light: one metric, one hour (over the cells or the shop, as `sql` reads them). */
export function metricStat(metric: MetricDefinition, title: string, sql: string, settings: DashboardSettings): StatPanelBuilder {
  return hourStat(`${metric.label} · ${title}`, describe(metric), sql, [metric.id], INSUFFICIENT).overrideByName(metric.id, metricFieldConfig(metric, settings));
}

const PLAN_FIELD_LABELS: Record<PlanField, string> = {
  actual: 'actual',
  plan: 'plan',
  attainment: 'of plan',
  actual_to_date: 'actual to date',
  plan_to_date: 'plan to date',
  attainment_to_date: 'of plan to date',
};

/**
 * Plans and sums to date in the metric's unit, uncoloured (a plan is not an observation); the hour's
 * actual as the metric itself; attainment as a percentage, coloured where the catalog judges the metric
 * against its plan.
 */
export function planFieldConfig(metric: MetricDefinition, field: PlanField, settings: DashboardSettings): DynamicConfigValue[] {
  const attainment = field === 'attainment' || field === 'attainment_to_date';
  const thresholds = attainment ? attainmentThresholds(metric) : field === 'actual' ? metricThresholds(metric) : neutralThresholds();
  return [
    { id: 'displayName', value: PLAN_FIELD_LABELS[field] },
    { id: 'unit', value: attainment ? 'percentunit' : grafanaUnit(metric, settings.currency) },
    { id: 'decimals', value: attainment ? 1 : 2 },
    { id: 'thresholds', value: thresholds.build() },
  ];
}

/** The whole shop's plan for one metric against its actual, in the hours `hours` selects (no plan: "no plan"). */
export function planStat(metric: MetricDefinition, title: string, fields: readonly PlanField[], hours: string, settings: DashboardSettings): StatPanelBuilder {
  const names = fields.map((f) => planFieldName(metric, f));
  const description = `The whole shop's ${metric.label} plan (\`npm run targets -- load FILE\`) and actual, whatever campaigns and channels are selected. Attainment = actual / plan; to date: over every planned hour up to this one.`;
  const panel = hourStat(`${metric.label} · ${title}`, description, shopPlanSql(metric, hours, fields), names, 'no plan');
  fields.forEach((f, i) => panel.overrideByName(names[i]!, planFieldConfig(metric, f, settings)));
  return panel;
}

/** The metric hour by hour over the time range; insufficient hours are gaps, thresholds are drawn as lines. */
export function metricTrend(metric: MetricDefinition, hours: string, settings: DashboardSettings): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title(`${metric.label} by hour`)
    .description(describe(metric))
    .datasource(CLICKHOUSE)
    .withTarget(clickhouseQuery('A', 'timeseries', selectedCellsMetricSql(metric, hours)))
    .showPoints(VisibilityMode.Always)
    .spanNulls(false)
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(thresholdSteps(metric).length > 1 ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off))
    .thresholds(neutralThresholds())
    .overrideByName(metric.id, metricFieldConfig(metric, settings));
}

/** Every metric per campaign x channel cell, each cell coloured by its own status. */
export function cellMetricsTable(title: string, hours: string, settings: DashboardSettings): TablePanelBuilder {
  const table = new TablePanelBuilder()
    .title(title)
    .description(`One row per selected campaign x channel ('' = unattributed). Empty cells: ${INSUFFICIENT}.`)
    .datasource(CLICKHOUSE)
    .withTarget(clickhouseQuery('A', 'table', cellMetricsSql(hours)))
    .thresholds(neutralThresholds());
  for (const metric of METRICS) {
    table.overrideByName(metric.id, [...metricFieldConfig(metric, settings), { id: 'custom.cellOptions', value: { type: TableCellDisplayMode.ColorBackground } }]);
  }
  return table;
}
