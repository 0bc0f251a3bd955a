/**
 * Client options for a ClickHouse server, apart from client.ts so that they can be checked without
 * loading chDB's native module (which a vitest worker thread cannot unload).
 */
import { readFileSync } from 'node:fs';
import type { ClickHouseClientConfigOptions } from '@clickhouse/client';
import type { Secret } from '../secret.js';

export const APPLICATION = 'ecom-metrics-pipeline';

/** Where the pipeline's tables live; `PipelineConfig['clickhouse']` is one. */
export interface ClickHouseTarget {
  /** HTTP endpoint of a ClickHouse server; undefined: embedded chDB in `dataDir`. */
  url: string | undefined;
  /** chDB data directory, created if missing; ignored with a server. */
  dataDir: string;
  database: string;
  /** Server only. @default 'default' */
  username?: string;
  /** Server only. @default no password */
  password?: Secret;
  /** Server only: PEM CA bundle that verifies an https:// server. @default the system's CA store */
  caFile?: string | undefined;
}

/** Options of a server client without a database (the caller adds it once the database exists). */
export function serverClientOptions(url: string, target: ClickHouseTarget, readFile: (path: string) => Buffer = readFileSync): ClickHouseClientConfigOptions {
  return {
    url,
    username: target.username ?? 'default',
    password: target.password?.reveal() ?? '',
    application: APPLICATION,
    ...(target.caFile === undefined ? {} : { tls: { ca_cert: readFile(target.caFile) } }),
  };
}
