/**
 * `npm run alerts`: writes the Prometheus alert rules and their generated promtool tests from the
 * metric catalog and the alert policy. `npm run alerts -- --check` writes nothing and exits 1 if a
 * committed file differs from what would be generated (a test runs it).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_POLICY } from './alert-policy.js';
import { generatedFiles } from './rule-files.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } }, strict: true });

const stale: string[] = [];
for (const [path, content] of Object.entries(generatedFiles(DEFAULT_POLICY))) {
  const file = resolve(root, path);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) continue;
  if (values.check) {
    stale.push(path);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
if (stale.length > 0) {
  process.stderr.write(`out of date (run npm run alerts): ${stale.join(', ')}\n`);
  process.exit(1);
}
