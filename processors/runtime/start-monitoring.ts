/**
 * The process's monitoring surface: Prometheus metrics and the HTTP server with /metrics, /healthz
 * and /readyz. Started before the pipeline so that a slow group join shows as "alive, not ready"
 * instead of a scrape failure that would look like a dead processor.
 */
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
  const http = await startHttpServer({
    config: config.http,
    registry: metrics.registry,
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
      metrics.monitor(running.processor);
    },
  };
}
