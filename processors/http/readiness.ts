/**
 * /readyz: whether this processor is doing its job, for an orchestrator deciding to route around it or
 * restart it. Each check is reported by name so an operator sees which one failed.
 */
import type { ProcessorHealth } from '../runtime/processor.js';

export interface Readiness {
  ready: boolean;
  checks: {
    partitions_assigned: boolean;
    clickhouse_reachable: boolean;
    flush_ok: boolean;
    lag_ok: boolean;
  };
  lag: number;
}

export function readiness(health: ProcessorHealth, clickhouseReachable: boolean, maxLag: number): Readiness {
  const checks = {
    partitions_assigned: health.assigned > 0,
    clickhouse_reachable: clickhouseReachable,
    flush_ok: !health.flushFailing,
    lag_ok: health.lag <= maxLag,
  };
  return { ready: Object.values(checks).every(Boolean), checks, lag: health.lag };
}
