import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type PipelineConfig } from '../../processors/config.js';

let dataDir: string | undefined;
let runs = 0;

/** One chDB directory per test-file process (chDB's rule); each pipeline gets its own database in it. */
export function testConfig(brokers: string[], env: Record<string, string> = {}): PipelineConfig {
  dataDir ??= mkdtempSync(join(tmpdir(), 'ecom-chdb-'));
  runs++;
  return loadConfig({
    KAFKA_BROKERS: brokers.join(','),
    CLICKHOUSE_DATA_DIR: dataDir,
    CLICKHOUSE_DATABASE: `test_${process.pid}_${runs}`,
    KAFKA_GROUP_ID: `test-${process.pid}-${runs}`,
    FLUSH_INTERVAL_MS: '200',
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'warn',
    ...env,
  });
}

