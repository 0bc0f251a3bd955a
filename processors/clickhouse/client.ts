/**
 * One way to reach ClickHouse whether it runs as a server or embedded: both are an
 * `@clickhouse/client` ClickHouseClient, so the same SQL, bound parameters and insert formats work on
 * either. Embedded chDB runs queries on libuv worker threads, off the JS thread.
 *
 * The client comes back pointed at the configured database, created if missing, so callers write
 * unqualified table names. The server client gets that from the `database` option. The chDB
 * connection ignores that option, so the embedded client runs `USE` once instead: the current database
 * is state of its native connection, which every query of this client goes through and which no other
 * client shares (two clients in one process can each use their own database).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ClickHouseError, createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { APPLICATION, serverClientOptions, type ClickHouseTarget } from './server-options.js';

export type { ClickHouseTarget } from './server-options.js';

export const CLICKHOUSE_OPEN_ERROR_CODES = {
  /** Another process holds the chDB directory. Retriable: that process may be on its way out. */
  dataDirLocked: 'CLICKHOUSE_DATA_DIR_LOCKED',
  /** This process already has a different chDB directory open. */
  dataDirConflict: 'CLICKHOUSE_DATA_DIR_CONFLICT',
  dataDirUnusable: 'CLICKHOUSE_DATA_DIR_UNUSABLE',
  embeddedOpenFailed: 'CLICKHOUSE_EMBEDDED_OPEN_FAILED',
  /** No answer from the server. Retriable: it may still be starting. */
  serverUnreachable: 'CLICKHOUSE_SERVER_UNREACHABLE',
  /** The server answered with an error (authentication, permissions, ...). */
  serverRejected: 'CLICKHOUSE_SERVER_REJECTED',
} as const;
export type ClickHouseOpenErrorCode = (typeof CLICKHOUSE_OPEN_ERROR_CODES)[keyof typeof CLICKHOUSE_OPEN_ERROR_CODES];

const RETRIABLE: ReadonlySet<ClickHouseOpenErrorCode> = new Set([CLICKHOUSE_OPEN_ERROR_CODES.dataDirLocked, CLICKHOUSE_OPEN_ERROR_CODES.serverUnreachable]);

export class ClickHouseOpenError extends Error {
  override readonly name = 'ClickHouseOpenError';
  readonly retriable: boolean;
  constructor(
    readonly code: ClickHouseOpenErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.retriable = RETRIABLE.has(code);
  }
}

export async function openClickHouse(target: ClickHouseTarget): Promise<ClickHouseClient> {
  return target.url === undefined ? openEmbedded(target.dataDir, target.database) : openServer(target.url, target);
}

/** `CREATE DATABASE IF NOT EXISTS`, with the name bound as an identifier rather than spliced into SQL. */
export async function ensureDatabase(client: ClickHouseClient, name: string): Promise<void> {
  await client.command({ query: 'CREATE DATABASE IF NOT EXISTS {db:Identifier}', query_params: { db: name } });
}

async function openServer(url: string, target: ClickHouseTarget): Promise<ClickHouseClient> {
  const options = serverClientOptions(url, target);
  // A client bound to a missing database fails every request, CREATE DATABASE included, so the
  // database is created through a client on the server's default database first.
  const bootstrap = createClient(options);
  try {
    await ensureDatabase(bootstrap, target.database);
  } catch (cause) {
    throw serverError(url, target.database, cause);
  } finally {
    await bootstrap.close();
  }
  return createClient({ ...options, database: target.database });
}

function serverError(url: string, database: string, cause: unknown): ClickHouseOpenError {
  if (cause instanceof ClickHouseError) {
    return new ClickHouseOpenError(
      CLICKHOUSE_OPEN_ERROR_CODES.serverRejected,
      `ClickHouse at ${url} refused to create database ${database}: ${cause.message} (check CLICKHOUSE_USER, CLICKHOUSE_PASSWORD and the user's grants)`,
      { cause },
    );
  }
  return new ClickHouseOpenError(
    CLICKHOUSE_OPEN_ERROR_CODES.serverUnreachable,
    `ClickHouse at ${url} did not answer: ${(cause as Error).message} (is it running, and is CLICKHOUSE_URL right?)`,
    { cause },
  );
}

async function openEmbedded(dataDir: string, database: string): Promise<ClickHouseClient> {
  const path = resolve(dataDir);
  try {
    mkdirSync(path, { recursive: true });
  } catch (cause) {
    throw new ClickHouseOpenError(
      CLICKHOUSE_OPEN_ERROR_CODES.dataDirUnusable,
      `cannot create chDB data directory ${path}: ${(cause as Error).message} (set CLICKHOUSE_DATA_DIR to a writable directory)`,
      { cause },
    );
  }
  let connection: ClickHouseClientConfigOptions['connection'];
  try {
    // chdb types its connection against @clickhouse/client-common, the client against its own bundled
    // copy of the same interface: identical at run time, distinct nominal types for tsc.
    connection = createChdbConnection({ path }) as unknown as ClickHouseClientConfigOptions['connection'];
  } catch (cause) {
    throw embeddedOpenError(path, cause);
  }
  const client = createClient({ connection, application: APPLICATION });
  try {
    await ensureDatabase(client, database);
    await client.command({ query: 'USE {db:Identifier}', query_params: { db: database } });
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

/**
 * chDB reports both ways of being refused a directory as a generic connection error: the per-process
 * rule only in its message, the other process's lock only on stderr. The lock holder is found the way
 * ClickHouse itself records it, in `<dir>/status`, which the holder rewrites at start-up and removes on
 * a clean exit; a stale file left by a killed process does not block, so only a live PID counts.
 */
function embeddedOpenError(path: string, cause: unknown): ClickHouseOpenError {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (message.includes('only one active data directory per process')) {
    const current = /path='([^']*)'/.exec(message)?.[1] ?? 'another chDB data directory';
    return new ClickHouseOpenError(
      CLICKHOUSE_OPEN_ERROR_CODES.dataDirConflict,
      `cannot open chDB data directory ${path}: this process (pid ${process.pid}) already has ${current} open, and chDB allows one data directory per process. ` +
        'Open every client in this process on the same directory (they can share it), or close the clients of the other one first.',
      { cause },
    );
  }
  const holder = lockHolderPid(path);
  if (holder !== undefined) {
    return new ClickHouseOpenError(
      CLICKHOUSE_OPEN_ERROR_CODES.dataDirLocked,
      `cannot open chDB data directory ${path}: it is locked by another process (pid ${holder}), and chDB lets one process at a time use a directory. ` +
        'Stop that process or wait for it to exit, give this process its own CLICKHOUSE_DATA_DIR, or run the processors in one process.',
      { cause },
    );
  }
  return new ClickHouseOpenError(
    CLICKHOUSE_OPEN_ERROR_CODES.embeddedOpenFailed,
    `cannot open chDB data directory ${path}: ${message} (chDB prints the reason on stderr)`,
    { cause },
  );
}

function lockHolderPid(path: string): number | undefined {
  let status: string;
  try {
    status = readFileSync(resolve(path, 'status'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(/^PID:\s*(\d+)/m.exec(status)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, but owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** True when ClickHouse answers a trivial query within `timeoutMs`; for /readyz, never throws. */
export async function isReachable(client: ClickHouseClient, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const answer = client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then(
    async (result) => (await result.json()).length === 1,
    () => false,
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
