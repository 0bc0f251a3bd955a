/**
 * "War room": for a wall screen, the whole shop in the current hour: GMV against the plan, the payment
 * failure light, the SKUs running out and the surges. No pickers: everyone in the room reads the same
 * numbers, large.
 */
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricById, type MetricDefinition, type MetricId } from '../schemas/metric-catalog.js';
import { generatedDashboard, type DashboardSettings } from './dashboard-settings.js';
import { metricStat, planStat } from './metric-panels.js';
import { HOURS, shopMetricSql } from './panel-sql.js';
import { atRiskTable, surgesTable } from './signal-tables.js';

function catalogMetric(id: MetricId): MetricDefinition {
  const metric = metricById(id);
  if (metric === undefined) throw new Error(`no metric ${id} in the catalog`);
  return metric;
}

const THIRD = 8;
const STAT_HEIGHT = 9;
const TABLE_HEIGHT = 14;

export function warRoomDashboard(settings: DashboardSettings): DashboardBuilder {
  const gmv = catalogMetric('gmv');
  const failures = catalogMetric('payment_failure_rate');
  const stats = [
    planStat(gmv, 'vs plan this hour', ['actual', 'plan', 'attainment'], HOURS.current, settings),
    planStat(gmv, 'vs plan to date', ['actual_to_date', 'plan_to_date', 'attainment_to_date'], HOURS.current, settings),
    metricStat(failures, 'this hour', shopMetricSql(failures, HOURS.current), settings),
  ];
  const dashboard = generatedDashboard(settings, {
    title: 'War room',
    uid: 'ecom-war-room',
    description: 'Wall screen: the whole shop in the hour that contains "now", in the pipeline time zone.',
    from: 'now/d',
    refresh: '30s',
  });
  stats.forEach((panel, i) => dashboard.withPanel(panel.gridPos({ x: i * THIRD, y: 0, w: THIRD, h: STAT_HEIGHT })));
  dashboard.withPanel(atRiskTable().gridPos({ x: 0, y: STAT_HEIGHT, w: 14, h: TABLE_HEIGHT }));
  dashboard.withPanel(surgesTable(HOURS.current).gridPos({ x: 14, y: STAT_HEIGHT, w: 10, h: TABLE_HEIGHT }));
  return dashboard;
}
