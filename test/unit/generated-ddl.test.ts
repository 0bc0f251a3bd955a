import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_MIGRATIONS } from '../../processors/clickhouse/generated-migrations.js';

describe('catalog-generated migrations', () => {
  it.each(GENERATED_MIGRATIONS.map((g) => [basename(g.file), g] as const))('%s is up to date with the catalog (npm run ddl)', (_name, { file, render }) => {
    expect(readFileSync(file, 'utf8')).toBe(render());
  });
});
