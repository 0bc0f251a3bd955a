/**
 * The process's monitoring surface: Prometheus metrics and the HTTP server with /metrics, /healthz,
 * /readyz and the war-room page. Started before the pipeline so that a slow group join shows as "alive, not ready"
 * instead of a scrape failure that would look like a dead processor.
 */
import { WAR_ROOM_PATHS, warRoomResources } from '../../dashboards/war-room/war-room-endpoint.js';
import { isReachable } from '../clickhouse/client.js';
import type { PipelineConfig } from '../config.js';
import { startHttpServer, type RunningHttpServer } from '../http/http-server.js';
import { readiness } from '../http/readiness.js';
import { createProcessorMetrics } from '../metrics/processor-metrics.js';
import type { ProcessorObserver } from './processor-observer.js';
import type { RunningPipeline } from './start-pipeline.js';

export interface Monitoring {
  observer: ProcessorObserver;
  http: RunningHttpServer;
  /** Points the gauges and /readyz at the pipeline once it runs. */
  attach(pipeline: RunningPipeline): void;
}

/** /readyz must answer well within an orchestrator's probe timeout (typically 1 s) even when ClickHouse hangs. */
const CLICKHOUSE_PROBE_TIMEOUT_MS = 500;

export async function startMonitoring(config: PipelineConfig): Promise<Monitoring> {
  const metrics = createProcessorMetrics(config);
  let pipeline: RunningPipeline | undefined;
  let warRoom: ReturnType<typeof warRoomResources> | undefined;
  const starting = () => ({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'the processor is starting' }) });
  const http = await startHttpServer({
    config: config.http,
    registry: metrics.registry,
    // The war-room page reads ClickHouse through the pipeline's client, so it answers once that is open.
    resources: Object.fromEntries(WAR_ROOM_PATHS.map((path) => [path, () => warRoom?.[path]?.() ?? starting()])),
    async readiness() {
      if (pipeline === undefined) return readiness({ assigned: 0, flushFailing: false, lag: 0 }, false, config.http.readyMaxLag);
      const reachable = await isReachable(pipeline.clickhouse, CLICKHOUSE_PROBE_TIMEOUT_MS);
      return readiness(pipeline.processor.health(), reachable, config.http.readyMaxLag);
    },
  });
  return {
    observer: metrics.observer,
    http,
    attach(running) {
      pipeline = running;
      warRoom = warRoomResources({ clickhouse: running.clickhouse, config, processorHealth: () => running.processor.health() });
      metrics.monitor(running.processor);
    },
  };
}
