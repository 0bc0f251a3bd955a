/**
 * `npm run dashboards`: writes the dashboard JSON and Grafana provisioning files for the configured
 * PIPELINE_TZ, PIPELINE_CURRENCY and CLICKHOUSE_DATABASE. `--check` writes nothing and exits 1 when a
 * file is missing, differs, or is a stale dashboard no generator produces any more.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../processors/config.js';
import { dashboardSettings } from './dashboard-settings.js';
import { DASHBOARDS_DIR, renderGrafanaFiles } from './render-files.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Repository-relative paths whose content on disk is not what the generators produce. */
export function outdatedGrafanaFiles(files: Map<string, string>, root = ROOT): string[] {
  const outdated = [...files].filter(([path, content]) => read(join(root, path)) !== content).map(([path]) => path);
  const stale = listJson(join(root, DASHBOARDS_DIR)).map((f) => `${DASHBOARDS_DIR}/${f}`).filter((path) => !files.has(path));
  return [...outdated, ...stale];
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function listJson(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}

function main(args: string[]): number {
  const files = renderGrafanaFiles(dashboardSettings(loadConfig()));
  const outdated = outdatedGrafanaFiles(files);
  if (args.includes('--check')) {
    if (outdated.length === 0) return 0;
    console.error(`Grafana files are not current (run \`npm run dashboards\`):\n${outdated.map((p) => `  ${p}`).join('\n')}`);
    return 1;
  }
  for (const path of outdated) {
    const content = files.get(path);
    if (content === undefined) {
      console.error(`stale, not generated any more (delete it if that is intended): ${path}`);
      continue;
    }
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), content);
    console.log(`wrote ${path}`);
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
