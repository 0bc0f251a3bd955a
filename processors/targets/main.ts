/**
 * `npm run targets -- load FILE`: validates a plan-targets file (CSV or JSON, by extension) and stores
 * it in ClickHouse, all or nothing. Hours in the file are read in PIPELINE_TZ; ClickHouse is the one the
 * processors use (CLICKHOUSE_URL, or the chDB directory, which no processor may hold open meanwhile).
 * A rejected file is reported before ClickHouse is even opened.
 * Exit codes: 0 stored, 1 the file was rejected (nothing stored), 2 bad usage, configuration or file.
 */
import { basename } from 'node:path';
import { openClickHouse } from '../clickhouse/client.js';
import { migrate } from '../clickhouse/migrate.js';
import { ConfigError, loadConfig, type PipelineConfig } from '../config.js';
import type { ParsedTargets } from './parse-targets.js';
import { readTargetsFile, targetsFormat } from './read-targets-file.js';
import { storeTargets } from './store-targets.js';

const USAGE = 'usage: npm run targets -- load FILE   (FILE: .csv or .json)';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const [command, file, ...rest] = process.argv.slice(2);
if (command !== 'load' || file === undefined || rest.length > 0 || targetsFormat(file) === undefined) fail(USAGE, 2);

let config: PipelineConfig;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message, 2);
  throw error;
}

let parsed: ParsedTargets;
try {
  parsed = readTargetsFile(file, config.pipeline.timeZone);
} catch (error) {
  fail(`cannot read ${file}: ${(error as Error).message}`, 2);
}
if (!parsed.ok) {
  for (const p of parsed.problems) process.stderr.write(`${file}:${p.line}: ${p.message}\n`);
  fail(`${file}: rejected (${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}); nothing was stored`, 1);
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
