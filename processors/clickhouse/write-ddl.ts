/** `npm run ddl`: regenerates the catalog-derived migrations; `--check` fails when a file is stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { GENERATED_MIGRATIONS } from './generated-migrations.js';

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
