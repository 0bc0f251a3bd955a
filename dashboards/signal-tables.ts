/** Tables of the war-room signal views: the SKUs running out of stock, and the surges worth acting on. */
import { TableCellDisplayMode } from '@grafana/grafana-foundation-sdk/common';
import { MappingType, type DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { STOCK_COVER, SURGE, type Status } from '../schemas/metric-catalog.js';
import { clickhouseQuery } from './clickhouse-query.js';
import { CLICKHOUSE } from './datasources.js';
import { neutralThresholds } from './metric-thresholds.js';
import { atRiskSkusSql, COUNTERS_YESTERDAY, surgesSql } from './panel-sql.js';
import { OPPORTUNITY_COLOUR, STATUS_COLOURS } from './status-colours.js';

const AT_RISK_STATUSES = ['red', 'amber'] as const satisfies readonly Status[];

function table(title: string, description: string, sql: string): TablePanelBuilder {
  return new TablePanelBuilder().title(title).description(description).datasource(CLICKHOUSE).withTarget(clickhouseQuery('A', 'table', sql)).thresholds(neutralThresholds());
}

const background: DynamicConfigValue = { id: 'custom.cellOptions', value: { type: TableCellDisplayMode.ColorBackground } };

/** The status column is coloured by the status the view computed, in the colours every dashboard uses. */
export function atRiskTable(): TablePanelBuilder {
  const { red, amber } = STOCK_COVER.thresholds;
  const statusColours = Object.fromEntries(AT_RISK_STATUSES.map((s, index) => [s, { color: STATUS_COLOURS[s], index }]));
  return table(
    'At-risk SKUs',
    `SKUs of the newest hour with data whose stock runs out: red under ${red} h of cover or sold out with cart adds, amber under ${amber} h. Lost cart adds and units: in hours that began and closed sold out.`,
    atRiskSkusSql(),
  )
    .overrideByName('status', [{ id: 'mappings', value: [{ type: MappingType.ValueToText, options: statusColours }] }, background])
    .overrideByName('hours_of_cover', [{ id: 'unit', value: 'h' }, { id: 'decimals', value: 1 }, { id: 'noValue', value: 'no sales' }])
    .overrideByName('available', [{ id: 'noValue', value: 'no snapshot' }]);
}

/** Styled as an opportunity: a fixed colour, no thresholds that could turn it red. */
export function surgesTable(hours: string): TablePanelBuilder {
  return table(
    'Surges: opportunities',
    `Campaign x channel cells this hour with ${SURGE.counter} at least ${SURGE.minVolume} and over ${SURGE.factor}x the same hour yesterday: worth more budget or a restock.`,
    surgesSql(hours),
  )
    .overrideByName(COUNTERS_YESTERDAY.column(SURGE.counter), [{ id: 'displayName', value: `${SURGE.counter} yesterday` }])
    .overrideByName('surge_ratio', [
      { id: 'displayName', value: 'x yesterday' },
      { id: 'decimals', value: 1 },
      { id: 'color', value: { mode: 'fixed', fixedColor: OPPORTUNITY_COLOUR } },
      background,
    ]);
}
