import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_FILE, renderConfigTable, withConfigTable } from '../../processors/config-doc.js';
import { CONFIG_VARIABLES, SECRET_VARIABLES } from '../../processors/config.js';

describe('README configuration table', () => {
  it('is current (run `npm run config-doc` after changing processors/config.ts)', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('has one row per variable, with its default, and marks secrets', () => {
    const rows = renderConfigTable().split('\n').slice(2);
    expect(rows.map((row) => /^\| `([A-Z_]+)` \|/.exec(row)?.[1])).toEqual(CONFIG_VARIABLES);
    expect(rows.find((row) => row.startsWith('| `FLUSH_INTERVAL_MS`'))).toContain('| `1000` |');
    expect(rows.find((row) => row.startsWith('| `KAFKA_BROKERS`'))).toContain('| unset |');
    for (const name of SECRET_VARIABLES) expect(rows.find((row) => row.startsWith(`| \`${name}\``))).toContain('**Secret**');
  });
});
