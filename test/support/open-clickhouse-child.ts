/**
 * Child process for the chDB tests: opens the embedded store with `--data-dir` and `--database` and
 * prints one JSON line, either {"ok":true,"rows":[...]} with the result of the optional `--query`, or
 * {"ok":false,"code":...,"retriable":...,"message":...} when opening fails.
 */
import { parseArgs } from 'node:util';
import { openClickHouse } from '../../processors/clickhouse/client.js';

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, database: { type: 'string' }, query: { type: 'string' } },
  strict: true,
});
const dataDir = values['data-dir'];
const database = values.database;
if (!dataDir || !database) {
  process.stderr.write('usage: open-clickhouse-child --data-dir DIR --database DB [--query SQL]\n');
  process.exit(2);
}

try {
  const client = await openClickHouse({ url: undefined, dataDir, database });
  const rows = values.query ? await (await client.query({ query: values.query, format: 'JSONEachRow' })).json() : [];
  await client.close();
  process.stdout.write(`${JSON.stringify({ ok: true, rows })}\n`);
} catch (error) {
  const { code, retriable, message } = error as { code?: unknown; retriable?: unknown; message: string };
  process.stdout.write(`${JSON.stringify({ ok: false, code, retriable, message })}\n`);
}
