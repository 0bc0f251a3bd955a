/** `npm run ddl`: regenerates the catalog-derived migrations; `--check` fails when a file is stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderMetricViews } from './catalog-sql.js';
import { MIGRATIONS_DIR } from './migrate.js';
import { renderSignalViews } from './signal-sql.js';

export const GENERATED_MIGRATIONS: readonly { file: string; render: () => string }[] = [
  { file: `${MIGRATIONS_DIR}0002_metric_views.sql`, render: renderMetricViews },
  { file: `${MIGRATIONS_DIR}0004_signal_views.sql`, render: renderSignalViews },
];

const check = process.argv.includes('--check');
let stale = false;
for (const { file, render } of GENERATED_MIGRATIONS) {
  const rendered = render();
  if (!check) {
    writeFileSync(file, rendered);
    console.log(`wrote ${file}`);
  } else if (readFileSync(file, 'utf8') !== rendered) {
    console.error(`${file} is stale: run \`npm run ddl\``);
    stale = true;
  }
}
if (stale) process.exit(1);
