/** The migrations rendered from the metric catalog, and what renders each. */
import { renderMetricViews } from './catalog-sql.js';
import { MIGRATIONS_DIR } from './migrate.js';
import { renderSignalViews } from './signal-sql.js';

export const GENERATED_MIGRATIONS: readonly { file: string; render: () => string }[] = [
  { file: `${MIGRATIONS_DIR}0002_metric_views.sql`, render: renderMetricViews },
  { file: `${MIGRATIONS_DIR}0005_signal_views.sql`, render: renderSignalViews },
];
