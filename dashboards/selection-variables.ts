/** The campaign and channel pickers: multi-value with "All", offering what has data in the time range. */
import { QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { CLICKHOUSE } from './datasources.js';
import { SELECTION_VARIABLES, selectionValuesSql, type SelectionVariable } from './panel-sql.js';

export function selectionVariables(): QueryVariableBuilder[] {
  return (Object.keys(SELECTION_VARIABLES) as SelectionVariable[]).map((name) =>
    new QueryVariableBuilder(name)
      .label(name[0]!.toUpperCase() + name.slice(1))
      .datasource(CLICKHOUSE)
      .query(selectionValuesSql(name))
      .definition(selectionValuesSql(name))
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .current({ text: 'All', value: '$__all' }),
  );
}
