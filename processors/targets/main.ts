/**
 * `npm run targets -- load FILE`: validates a plan-targets file (CSV or JSON, by extension) and stores
 * it in ClickHouse, all or nothing. Hours in the file are read in PIPELINE_TZ; ClickHouse is the one the
 * processors use (CLICKHOUSE_URL, or the chDB directory, which no processor may hold open meanwhile).
 * Exit codes: 0 stored, 1 the file was rejected (nothing stored), 2 bad usage or configuration.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { openClickHouse } from '../clickhouse/client.js';
import { migrate } from '../clickhouse/migrate.js';
import { ConfigError, loadConfig } from '../config.js';
import { parseTargets } from './parse-targets.js';
import { storeTargets } from './store-targets.js';

const USAGE = 'usage: npm run targets -- load FILE   (FILE: .csv or .json)';

const [command, file, ...rest] = process.argv.slice(2);
const format = extname(file ?? '').toLowerCase() === '.csv' ? 'csv' : extname(file ?? '').toLowerCase() === '.json' ? 'json' : undefined;
if (command !== 'load' || file === undefined || rest.length > 0 || format === undefined) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  process.stderr.write(`cannot read ${file}: ${(error as Error).message}\n`);
  process.exit(2);
}

const parsed = parseTargets(text, format, config.pipeline.timeZone);
if (!parsed.ok) {
  for (const p of parsed.problems) process.stderr.write(`${file}:${p.line}: ${p.message}\n`);
  process.stderr.write(`${file}: rejected (${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}); nothing was stored\n`);
  process.exit(1);
}

const ch = await openClickHouse(config.clickhouse);
try {
  await migrate(ch);
  const loadedAtMs = Date.now();
  await storeTargets(ch, parsed.rows, `${basename(file)}@${new Date(loadedAtMs).toISOString()}`, loadedAtMs);
  process.stdout.write(`${file}: stored ${parsed.rows.length} targets (hours in ${config.pipeline.timeZone})\n`);
} finally {
  await ch.close();
}
