/**
 * The Grafana datasources the dashboards query, by the uids the provisioning file gives them: panels
 * and provisioning read both from here, so a renamed uid cannot leave panels pointing at nothing.
 */
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** The official plugin (grafana-clickhouse-datasource), not the older community one. */
export const CLICKHOUSE_PLUGIN = 'grafana-clickhouse-datasource';

export const CLICKHOUSE: Required<DataSourceRef> = { type: CLICKHOUSE_PLUGIN, uid: 'clickhouse' };
export const PROMETHEUS: Required<DataSourceRef> = { type: 'prometheus', uid: 'prometheus' };
