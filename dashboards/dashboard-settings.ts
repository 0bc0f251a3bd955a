/** What the generated dashboards take from the pipeline's configuration, and what they all share. */
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { PipelineConfig } from '../processors/config.js';

export interface DashboardSettings {
  /** PIPELINE_TZ: the zone whose local hours the metrics are bucketed by, so also the dashboards' clock. */
  timeZone: string;
  /** PIPELINE_CURRENCY: the unit of GMV and AOV. */
  currency: string;
  /** CLICKHOUSE_DATABASE: the datasource's default database, so panel SQL names views unqualified. */
  database: string;
}

export function dashboardSettings(config: PipelineConfig): DashboardSettings {
  return { timeZone: config.pipeline.timeZone, currency: config.pipeline.currency, database: config.clickhouse.database };
}

/** What every generated dashboard shares: read-only (edits belong in code), the pipeline's clock, a live range. */
export function generatedDashboard(
  settings: DashboardSettings,
  d: { title: string; uid: string; description: string; from: string; refresh: string },
): DashboardBuilder {
  return new DashboardBuilder(d.title)
    .uid(d.uid)
    .description(d.description)
    .tags(['ecom', 'generated'])
    .timezone(settings.timeZone)
    .time({ from: d.from, to: 'now' })
    .refresh(d.refresh)
    .readonly();
}
