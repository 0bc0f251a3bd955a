/**
 * "Hourly operations": for the selected campaigns x channels, each catalog metric as a traffic light for
 * the current hour, the same hour yesterday and the shop's plan, next to its hourly trend; then every
 * metric per campaign x channel cell.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { METRICS, type MetricDefinition } from '../schemas/metric-catalog.js';
import { generatedDashboard, type DashboardSettings } from './dashboard-settings.js';
import { cellMetricsTable, metricStat, metricTrend, planStat } from './metric-panels.js';
import { COUNTERS_YESTERDAY, HOURS, selectedCellsMetricSql } from './panel-sql.js';
import { selectionVariables } from './selection-variables.js';

/** The stats beside each metric's trend, left to right: this hour, the same hour yesterday, the plan. */
export type StatColumn = (metric: MetricDefinition, settings: DashboardSettings) => StatPanelBuilder;

export const STAT_COLUMNS: readonly StatColumn[] = [
  (metric, settings) => metricStat(metric, 'this hour', selectedCellsMetricSql(metric, HOURS.current), settings),
  (metric, settings) => metricStat(metric, 'same hour yesterday', selectedCellsMetricSql(metric, HOURS.current, COUNTERS_YESTERDAY), settings),
  (metric, settings) => planStat(metric, 'plan (whole shop)', ['plan', 'attainment'], HOURS.current, settings),
];

const GRID_WIDTH = 24;
const STAT_WIDTH = 4;
const LINE_HEIGHT = 6;

export function hourlyOperationsDashboard(settings: DashboardSettings): DashboardBuilder {
  const dashboard = generatedDashboard(settings, {
    title: 'Hourly operations',
    uid: 'ecom-hourly-operations',
    description: 'Catalog metrics per event-time hour in the pipeline time zone, for the selected campaigns and channels.',
    from: 'now/d',
    refresh: '1m',
  });
  for (const variable of selectionVariables()) dashboard.withVariable(variable);

  dashboard.withRow(new RowBuilder('Selected campaigns x channels: this hour and by hour'));
  METRICS.forEach((metric, line) => {
    const y = 1 + line * LINE_HEIGHT;
    STAT_COLUMNS.forEach((column, i) => {
      dashboard.withPanel(column(metric, settings).gridPos({ x: i * STAT_WIDTH, y, w: STAT_WIDTH, h: LINE_HEIGHT }));
    });
    const x = STAT_COLUMNS.length * STAT_WIDTH;
    dashboard.withPanel(metricTrend(metric, HOURS.inRange, settings).gridPos({ x, y, w: GRID_WIDTH - x, h: LINE_HEIGHT }));
  });

  const tableY = 1 + METRICS.length * LINE_HEIGHT;
  dashboard.withRow(new RowBuilder('Per campaign x channel: this hour').gridPos({ x: 0, y: tableY, w: GRID_WIDTH, h: 1 }));
  dashboard.withPanel(cellMetricsTable('All metrics per campaign x channel, this hour', HOURS.current, settings).gridPos({ x: 0, y: tableY + 1, w: GRID_WIDTH, h: 12 }));
  return dashboard;
}
