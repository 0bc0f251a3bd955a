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
import { metricThresholds, neutralThresholds, thresholdSteps } from './metric-thresholds.js';
import { cellMetricsSql, selectedCellsMetricSql } from './panel-sql.js';

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

/** A traffic light: one metric, one hour, over the selected campaign x channel cells. */
export function metricStat(metric: MetricDefinition, title: string, sql: string, settings: DashboardSettings): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(`${metric.label} · ${title}`)
    .description(describe(metric))
    .datasource(CLICKHOUSE)
    .withTarget(clickhouseQuery('A', 'table', sql))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields(`/^${metric.id}$/`))
    .colorMode(BigValueColorMode.Background)
    .graphMode(BigValueGraphMode.None)
    .noValue(INSUFFICIENT)
    .thresholds(neutralThresholds())
    .overrideByName(metric.id, metricFieldConfig(metric, settings));
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
