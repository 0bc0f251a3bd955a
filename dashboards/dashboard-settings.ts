/** What the generated dashboards take from the pipeline's configuration. */
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
