/** `npm run ddl`: regenerates the catalog-derived migration; `--check` fails when the file is stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderMetricViews } from './catalog-sql.js';
import { MIGRATIONS_DIR } from './migrate.js';

export const METRIC_VIEWS_FILE = `${MIGRATIONS_DIR}0002_metric_views.sql`;

const rendered = renderMetricViews();
if (process.argv.includes('--check')) {
  if (readFileSync(METRIC_VIEWS_FILE, 'utf8') !== rendered) {
    console.error(`${METRIC_VIEWS_FILE} is stale: run \`npm run ddl\``);
    process.exit(1);
  }
} else {
  writeFileSync(METRIC_VIEWS_FILE, rendered);
  console.log(`wrote ${METRIC_VIEWS_FILE}`);
}
