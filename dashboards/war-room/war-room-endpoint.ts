/**
 * The war-room page's two HTTP resources: the page itself and war-room.json, the snapshot plus how
 * much to trust it (data age, processor health, ClickHouse reachability), plus Alertmanager's active
 * alerts when ALERTMANAGER_URL is set. A failure is answered, never hidden: the page turns it into a banner.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineConfig } from '../../processors/config.js';
import type { HttpResponse } from '../../processors/http/http-server.js';
import type { ProcessorHealth } from '../../processors/runtime/processor.js';
import type { Status } from '../../schemas/metric-catalog.js';
import { readWarRoom, type WarRoomSnapshot } from './war-room-data.js';
import { warRoomPage } from './war-room-page.js';

/** No flush for this long while the page is open: amber, then red. A live promotion flushes every second. */
export const STALE_AFTER_MS = { amber: 60_000, red: 300_000 } as const;
const ALERTMANAGER_TIMEOUT_MS = 1000;

export interface WarRoomDeps {
  clickhouse: ClickHouseClient;
  config: Pick<PipelineConfig, 'pipeline' | 'http'>;
  /** The local processor's health, where the page is served by one. */
  processorHealth?: () => ProcessorHealth;
  now?: () => number;
}

interface Alert {
  name: string;
  severity: string;
  summary: string;
}

export const WAR_ROOM_PATHS = ['/', '/war-room', '/war-room.json'] as const;

/** The resources to mount on the processors' HTTP server, by path. */
export function warRoomResources(deps: WarRoomDeps): Record<(typeof WAR_ROOM_PATHS)[number], () => HttpResponse | Promise<HttpResponse>> {
  const warRoom = createWarRoom(deps);
  return { '/': warRoom.page, '/war-room': warRoom.page, '/war-room.json': warRoom.json };
}

export function createWarRoom(deps: WarRoomDeps): { page(): HttpResponse; json(): Promise<HttpResponse> } {
  const now = deps.now ?? Date.now;
  const { timeZone, currency } = deps.config.pipeline;
  const hourFormat = new Intl.DateTimeFormat('en-GB', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return {
    page: () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: warRoomPage() }),
    async json() {
      let snapshot: WarRoomSnapshot;
      try {
        snapshot = await readWarRoom(deps.clickhouse, { timeZone, currency });
      } catch (error) {
        return { status: 503, contentType: 'application/json', body: JSON.stringify({ error: `ClickHouse unreachable: ${(error as Error).message}` }) };
      }
      const dataAgeMs = snapshot.lastWriteMs === null ? 0 : Math.max(0, now() - snapshot.lastWriteMs);
      const body = {
        ...snapshot,
        hourLabel: snapshot.hour === null ? 'no data yet' : `${hourFormat.format(new Date(snapshot.hour))} (${timeZone})`,
        dataAgeMs,
        health: health(dataAgeMs, snapshot.lastWriteMs, deps.processorHealth?.(), deps.config.http.readyMaxLag),
        alerts: await activeAlerts(deps.config.http.alertmanagerUrl),
      };
      return { status: 200, contentType: 'application/json', body: JSON.stringify(body) };
    },
  };
}

function health(dataAgeMs: number, lastWriteMs: number | null, processor: ProcessorHealth | undefined, maxLag: number): { status: Status; message: string | null } {
  if (processor?.flushFailing) return { status: 'red', message: 'Processors cannot write to ClickHouse: numbers are frozen until writes resume' };
  if (lastWriteMs !== null && dataAgeMs > STALE_AFTER_MS.red) return { status: 'red', message: `No new data for ${Math.round(dataAgeMs / 60_000)} min: check the processors` };
  if (processor !== undefined && processor.lag > maxLag) return { status: 'amber', message: `Processors are behind by ${processor.lag.toLocaleString('en-US')} messages: this hour is incomplete` };
  if (lastWriteMs !== null && dataAgeMs > STALE_AFTER_MS.amber) return { status: 'amber', message: `No new data for ${Math.round(dataAgeMs / 1000)} s` };
  return { status: 'green', message: null };
}

async function activeAlerts(url: string | undefined): Promise<Alert[] | null> {
  if (url === undefined) return null;
  try {
    const response = await fetch(new URL('/api/v2/alerts?active=true&silenced=false&inhibited=false', url), { signal: AbortSignal.timeout(ALERTMANAGER_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const alerts = (await response.json()) as { labels: Record<string, string>; annotations: Record<string, string> }[];
    return alerts.map((a) => ({ name: a.labels.alertname ?? 'unnamed', severity: a.labels.severity ?? 'unknown', summary: a.annotations.summary ?? '' }));
  } catch (error) {
    return [{ name: 'Alertmanager unreachable', severity: 'warning', summary: (error as Error).message }];
  }
}
