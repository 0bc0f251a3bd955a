/**
 * Applies infra/clickhouse/migrations/*.sql in file-name order. Every statement is idempotent
 * (IF NOT EXISTS, CREATE OR REPLACE), so all of them run at every start and a half-applied start is
 * finished by the next one; the same files run on chDB and on a ClickHouse server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../infra/clickhouse/migrations/', import.meta.url));

export function readMigrations(dir = MIGRATIONS_DIR): { file: string; statements: string[] }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => ({ file, statements: splitStatements(readFileSync(`${dir}/${file}`, 'utf8')) }));
}

export async function migrate(client: ClickHouseClient, dir = MIGRATIONS_DIR): Promise<void> {
  for (const { file, statements } of readMigrations(dir)) {
    for (const [i, query] of statements.entries()) {
      try {
        await client.command({ query });
      } catch (cause) {
        throw new Error(`migration ${file} statement ${i + 1} failed: ${(cause as Error).message}`, { cause });
      }
    }
  }
}

/** Statements end with `;` at the end of a line; `--` comment lines are dropped. */
function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
