/** Everything `npm run dashboards` writes, as repository-relative path -> content, computed without touching the disk. */
import type { DashboardSettings } from './dashboard-settings.js';
import { DASHBOARDS } from './index.js';
import { dashboardProviderYaml, datasourcesYaml } from './provisioning.js';

export const GRAFANA_DIR = 'infra/grafana';
export const DASHBOARDS_DIR = `${GRAFANA_DIR}/dashboards`;

export function renderGrafanaFiles(settings: DashboardSettings): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of DASHBOARDS) files.set(`${DASHBOARDS_DIR}/${d.file}`, `${JSON.stringify(d.build(settings).build(), null, 2)}\n`);
  files.set(`${GRAFANA_DIR}/provisioning/datasources/datasources.yaml`, datasourcesYaml(settings));
  files.set(`${GRAFANA_DIR}/provisioning/dashboards/dashboards.yaml`, dashboardProviderYaml());
  return files;
}
