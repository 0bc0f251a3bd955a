/**
 * Turns a ClickHouse panel query into the SQL the server receives, as Grafana and the ClickHouse plugin
 * would: Grafana interpolates template variables first (formats per its documentation), then the
 * plugin's backend expands its macros (grafana/clickhouse-datasource pkg/macros/macros.go). Only what
 * the dashboards use is supported; anything else throws, so a new macro cannot pass untested.
 */
export interface DashboardState {
  fromMs: number;
  toMs: number;
  /** Selected values per template variable; "All" is every value the variable offers. */
  variables: Readonly<Record<string, readonly string[]>>;
}

/** Grafana's `singlequote` format: each value quoted with ', inner ' escaped as \', joined by commas. */
function singleQuote(values: readonly string[]): string {
  return values.map((v) => `'${v.replaceAll("'", "\\'")}'`).join(',');
}

/** The plugin renders times as whole Unix seconds (Go's Time.Unix() truncates). */
const dateTime = (ms: number) => `toDateTime(${Math.floor(ms / 1000)})`;

export function expandGrafanaQuery(sql: string, state: DashboardState): string {
  const interpolated = sql.replace(/\$\{(\w+)(?::(\w+))?\}|\$(?!__)(\w+)/g, (match, braced: string | undefined, format: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const values = state.variables[name];
    if (values === undefined) throw new Error(`query uses variable ${match}, which the test gives no value`);
    if (format !== 'singlequote') throw new Error(`${match}: only \${${name}:singlequote} is supported (ClickHouse needs quoted strings)`);
    return singleQuote(values);
  });
  return interpolated.replace(/\$__timeFilter\(([^)]*)\)|\$__(\w+)/g, (match, column: string | undefined, macro: string | undefined) => {
    if (column !== undefined) {
      if (column.includes(',')) throw new Error(`${match}: $__timeFilter takes one column`);
      return `${column.trim()} >= ${dateTime(state.fromMs)} AND ${column.trim()} <= ${dateTime(state.toMs)}`;
    }
    if (macro === 'fromTime') return dateTime(state.fromMs);
    if (macro === 'toTime') return dateTime(state.toMs);
    throw new Error(`${match}: macro not supported by this expander`);
  });
}
