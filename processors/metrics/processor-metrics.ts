/**
 * The processors' Prometheus metrics: one registry per process. Counters and the flush histogram are
 * fed by the processor's observer calls (once per batch or flush); partition and business gauges are
 * computed at scrape time from the processor's in-memory state, so they cost nothing between scrapes.
 *
 * Labels are topic, partition, outcome, reject reason, flush stage and the configured business scopes:
 * all bounded. Never a user, SKU, order or event id.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { STATUSES } from '../../schemas/metric-catalog.js';
import type { PipelineConfig } from '../config.js';
import type { CurrentHour, PartitionView } from '../runtime/processor.js';
import { FLUSH_STAGES, type ProcessorObserver } from '../runtime/processor-observer.js';
import { businessMetrics } from './business-metrics.js';
import { PROCESSOR_METRICS as M } from './metric-names.js';

/** What the scrape-time gauges read; Processor implements it. */
export interface MonitoredProcessor {
  partitions(): PartitionView[];
  currentHour(): CurrentHour | undefined;
}

export interface ProcessorMetrics {
  registry: Registry;
  observer: ProcessorObserver;
  /** Connects the scrape-time gauges to a processor (created after the observer it reports to). */
  monitor(processor: MonitoredProcessor): void;
}

/** Flushes take milliseconds to seconds; slower than 10 s is already a failure in the making. */
const FLUSH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createProcessorMetrics(config: Pick<PipelineConfig, 'metrics'>, now: () => number = Date.now): ProcessorMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  let processor: MonitoredProcessor | undefined;

  const consumed = new Counter({ name: M.consumed, help: 'Messages read from the input topics, by what became of them', labelNames: ['topic', 'outcome'] as const, registers });
  const rejected = new Counter({ name: M.rejected, help: 'Messages sent to the dead-letter topic, by reject reason', labelNames: ['topic', 'reason'] as const, registers });
  const flushDuration = new Histogram({ name: M.flushDuration, help: 'Time to write a flush (dead letters, rows, progress)', labelNames: ['result'] as const, buckets: FLUSH_BUCKETS, registers });
  const flushFailures = new Counter({ name: M.flushFailures, help: 'Failed flushes, by the step that failed', labelNames: ['stage'] as const, registers });
  const lastFlushSuccess = new Gauge({ name: M.lastFlushSuccess, help: 'Unix time of the last successful flush', registers });
  const rowsWritten = new Counter({ name: M.rowsWritten, help: 'Rows written to ClickHouse (state and progress rows)', registers });
  const rebalances = new Counter({ name: M.rebalances, help: 'Partition assignments and revocations', labelNames: ['event'] as const, registers });
  // Present at 0 from the start: increase() cannot see a counter's first increment when the series begins with it.
  for (const stage of FLUSH_STAGES) flushFailures.inc({ stage }, 0);
  // A process that has not flushed yet counts from its start, so "no flush for N minutes" holds from the beginning.
  lastFlushSuccess.set(now() / 1000);

  new Gauge({
    name: M.assigned,
    help: 'Input partitions assigned to this processor',
    registers,
    collect() {
      this.set(processor?.partitions().length ?? 0);
    },
  });
  new Gauge({
    name: M.lag,
    help: 'Messages in the partition beyond the last one processed (as of its last fetched batch)',
    labelNames: ['topic', 'partition'] as const,
    registers,
    collect() {
      this.reset();
      for (const p of processor?.partitions() ?? []) if (p.lag !== undefined) this.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
    },
  });
  new Gauge({
    name: M.watermark,
    help: 'Latest event time counted in the partition (Unix seconds)',
    labelNames: ['topic', 'partition'] as const,
    registers,
    collect() {
      this.reset();
      for (const p of processor?.partitions() ?? []) if (p.watermarkMs > 0) this.set({ topic: p.topic, partition: String(p.partition) }, p.watermarkMs / 1000);
    },
  });
  new Gauge({
    name: M.watermarkDelay,
    help: 'Wall-clock time minus the partition event-time watermark',
    labelNames: ['topic', 'partition'] as const,
    registers,
    collect() {
      this.reset();
      const nowMs = now();
      for (const p of processor?.partitions() ?? []) if (p.watermarkMs > 0) this.set({ topic: p.topic, partition: String(p.partition) }, (nowMs - p.watermarkMs) / 1000);
    },
  });

  registerBusinessGauges(registry, config.metrics, () => processor?.currentHour());

  return {
    registry,
    monitor(p) {
      processor = p;
    },
    observer: {
      batchProcessed({ topic, outcomes, rejections }) {
        for (const [outcome, n] of Object.entries(outcomes)) if (n > 0) consumed.inc({ topic, outcome }, n);
        for (const [reason, n] of rejections) rejected.inc({ topic, reason }, n);
      },
      flushed({ seconds, rows, failedStage }) {
        flushDuration.observe({ result: failedStage === undefined ? 'ok' : 'failed' }, seconds);
        if (failedStage !== undefined) return flushFailures.inc({ stage: failedStage });
        lastFlushSuccess.set(now() / 1000);
        rowsWritten.inc(rows);
      },
      rebalanced(event) {
        rebalances.inc({ event });
      },
    },
  };
}

function registerBusinessGauges(registry: Registry, config: PipelineConfig['metrics'], currentHour: () => CurrentHour | undefined): void {
  const registers = [registry];
  const labelNames = ['metric', 'scope', 'channel', 'campaign'] as const;
  // One collect fills all four gauges, so a scrape never mixes two evaluations. It must be registered
  // before the other three: a scrape reads each metric right after its own collect, in registration order.
  new Gauge({
    name: M.businessStatus,
    help: `Status of the catalog metric in the current hour: 1 for the current one of ${STATUSES.join(', ')}`,
    labelNames: [...labelNames, 'status'] as const,
    registers,
    collect() {
      for (const gauge of [this, value, volume, hour]) gauge.reset();
      const current = currentHour();
      if (current === undefined) return;
      hour.set(current.hourMs / 1000);
      for (const m of businessMetrics(current.rows, config)) {
        const labels = { metric: m.metric, scope: m.scope, channel: m.channel, campaign: m.campaign };
        if (m.value !== null) value.set(labels, m.value);
        volume.set(labels, m.volume);
        for (const status of STATUSES) this.set({ ...labels, status }, status === m.status ? 1 : 0);
      }
    },
  });
  const value = new Gauge({ name: M.businessValue, help: 'Catalog metric of the current event-time hour (ratios as fractions, money in currency units)', labelNames, registers });
  const volume = new Gauge({ name: M.businessVolume, help: 'Volume the catalog minimum applies to (impressions, clicks, payment attempts...) in the current hour', labelNames, registers });
  const hour = new Gauge({ name: M.businessHour, help: 'Start of the event-time hour the business gauges describe (Unix seconds)', registers });
  new Gauge({ name: M.warRoom, help: '1 while a promotion war room is on (WAR_ROOM): business alerts page sooner', registers }).set(config.warRoom ? 1 : 0);
}
