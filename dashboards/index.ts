/** Every generated dashboard and the file it is provisioned from. A new dashboard is one entry here. */
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DashboardSettings } from './dashboard-settings.js';
import { hourlyOperationsDashboard } from './hourly-operations.js';
import { pipelineHealthDashboard } from './pipeline-health.js';
import { warRoomDashboard } from './war-room-dashboard.js';

export interface GeneratedDashboard {
  file: string;
  build: (settings: DashboardSettings) => DashboardBuilder;
}

export const DASHBOARDS: readonly GeneratedDashboard[] = [
  { file: 'hourly-operations.json', build: hourlyOperationsDashboard },
  { file: 'pipeline-health.json', build: pipelineHealthDashboard },
  { file: 'war-room.json', build: warRoomDashboard },
];
