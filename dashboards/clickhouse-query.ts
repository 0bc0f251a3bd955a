/**
 * A query of the ClickHouse datasource plugin. The SDK has no builder for it, so this is the plugin's
 * own query model (the fields its SQL editor saves), as a cog Dataquery variant.
 */
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import { CLICKHOUSE } from './datasources.js';

/** The plugin's result shapes: a wide frame with a time column first, or rows. */
export const CLICKHOUSE_FORMATS = { timeseries: 0, table: 1 } as const;
export type ClickHouseQueryType = keyof typeof CLICKHOUSE_FORMATS;

export interface ClickHouseQuery extends Dataquery {
  refId: string;
  datasource: typeof CLICKHOUSE;
  editorType: 'sql';
  queryType: ClickHouseQueryType;
  format: (typeof CLICKHOUSE_FORMATS)[ClickHouseQueryType];
  /** SQL with the plugin's macros ($__timeFilter, $__fromTime, $__toTime) and Grafana template variables. */
  rawSql: string;
}

export function clickhouseQuery(refId: string, queryType: ClickHouseQueryType, rawSql: string): Builder<Dataquery> {
  const query: ClickHouseQuery = {
    refId,
    datasource: CLICKHOUSE,
    editorType: 'sql',
    queryType,
    format: CLICKHOUSE_FORMATS[queryType],
    rawSql,
    _implementsDataqueryVariant() {},
  };
  return { build: () => query };
}
