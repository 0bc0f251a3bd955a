/**
 * One processor instance: a consumer-group member that owns some partitions, counts their messages
 * into cumulative hourly rows and flushes them to ClickHouse on a short cadence.
 *
 * The order of a flush is what makes the totals exact: dead letters are produced, then the rows are
 * written, then the progress rows, and only then are offsets committed to Kafka (for lag monitoring).
 * A partition is resumed from its stored progress, never from the committed offset.
 */
import { inputTopics, streamOfTopic, topicNames, type TopicNames } from '../../schemas/topics.js';
import type { PipelineConfig } from '../config.js';
import type { StateStore } from '../clickhouse/state-store.js';
import { EARLIEST, type Batch, type PartitionStart, type StreamConsumer, type TopicPartition } from '../kafka/consumer.js';
import type { EventProducer, ProducerMessage } from '../kafka/producer.js';
import { processContext, processMessage, type ProcessContext } from '../pipeline/process-message.js';
import type { RejectReason } from '../../schemas/reasons.js';
import type { CampaignRow, PartitionState } from '../state/partition-state.js';
import { takeSnapshot } from '../state/snapshot.js';
import { HOUR_MS } from '../window/hour-bucket.js';
import { DeadLetterSummary } from './dead-letter-summary.js';
import type { Logger } from './log.js';
import { NO_OBSERVER, type FlushReport, type OutcomeKind, type ProcessorObserver } from './processor-observer.js';

/** At most one dead-letter summary line per minute (see dead-letter-summary.ts). */
const DEAD_LETTER_SUMMARY_INTERVAL_MS = 60_000;

export interface ProcessorStats {
  counted: number;
  duplicates: number;
  replayed: number;
  deadLetters: number;
  flushes: number;
  flushFailures: number;
  /** Times fetching paused because a flush was slower than MAX_UNFLUSHED_MESSAGES messages' worth of counting. */
  backpressurePauses: number;
  /** Campaign or SKU ids counted under `__other__` because their hour was full (MAX_KEYS_PER_HOUR). */
  overflowed: number;
  /** Messages counted but not yet in a flush (a gauge). */
  unflushed: number;
  lastFlushMs: number;
  assigned: number;
}

export interface ProcessorDeps {
  config: PipelineConfig;
  consumer: StreamConsumer;
  store: StateStore;
  deadLetters: EventProducer;
  log: Logger;
  /** @default NO_OBSERVER */
  observer?: ProcessorObserver;
}

/** One assigned partition as monitoring sees it. */
export interface PartitionView extends TopicPartition {
  /** Messages in Kafka beyond the last one processed; undefined before the first batch. */
  lag: number | undefined;
  /** Latest event time counted, epoch ms; 0 before the first event. */
  watermarkMs: number;
}

export interface ProcessorHealth {
  assigned: number;
  /** The last flush failed; consumption is paused until one succeeds. */
  flushFailing: boolean;
  /** Summed lag of the partitions whose lag is known. */
  lag: number;
}

/** The campaign rows of the event-time hour the processor is in, for the business gauges. */
export interface CurrentHour {
  hourMs: number;
  rows: CampaignRow[];
}

/**
 * A dead letter carries at most this much of the rejected value (and its full length), so it fits
 * in a Kafka message (1 MB by default) however large the original was: an oversized message whose
 * dead letter could never be produced would fail every flush and stop the processor.
 */
const DEAD_LETTER_VALUE_BYTES = 256 * 1024;

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

export class Processor {
  readonly topics: TopicNames;
  readonly stats: ProcessorStats = { counted: 0, duplicates: 0, replayed: 0, deadLetters: 0, flushes: 0, flushFailures: 0, backpressurePauses: 0, overflowed: 0, unflushed: 0, lastFlushMs: 0, assigned: 0 };
  private readonly states = new Map<string, PartitionState>();
  /** Per partition, the high watermark of its last batch, for lag. */
  private readonly highWatermarks = new Map<string, number>();
  private readonly observer: ProcessorObserver;
  private readonly ctx: ProcessContext;
  private pendingDeadLetters: ProducerMessage[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pausedBy: 'flush_failure' | 'backpressure' | undefined;
  /** When the current run of failed flushes began; one error line per outage, not per attempt. */
  private failingSince: number | undefined;
  private readonly deadLetterSummary = new DeadLetterSummary(DEAD_LETTER_SUMMARY_INTERVAL_MS);

  constructor(private readonly deps: ProcessorDeps) {
    this.topics = topicNames(deps.config.kafka.topicPrefix);
    this.observer = deps.observer ?? NO_OBSERVER;
    this.ctx = processContext(deps.config.pipeline, this.topics);
  }

  async start(): Promise<void> {
    await this.deps.consumer.run(inputTopics(this.topics), {
      onAssigned: (tps) => this.assign(tps),
      onRevoked: (tps) => this.revoke(tps),
      onBatch: async (batch) => this.process(batch),
    });
    this.timer = setInterval(() => void this.flush(), this.deps.config.pipeline.flushIntervalMs);
  }

  /** Stops consuming, writes what was counted, commits and leaves the group. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.deps.consumer.stop();
    await this.flush();
  }

  /**
   * Leaves without writing what was counted since the last flush, as a crash would; the partitions'
   * next owner replays it from the stored progress.
   */
  async abort(): Promise<void> {
    clearInterval(this.timer);
    this.states.clear();
    await this.deps.consumer.stop();
  }

  /** Writes everything counted so far; resolves when it is stored (retries are the caller's, via the timer). */
  async flush(): Promise<void> {
    // A flush in flight took its snapshot before this call: what was counted since needs the next one.
    if (this.flushing !== undefined) await this.flushing;
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  partitions(): PartitionView[] {
    return [...this.states.entries()].map(([k, s]) => {
      const high = this.highWatermarks.get(k);
      return { topic: s.topic, partition: s.partition, lag: high === undefined ? undefined : Math.max(0, high - (s.position + 1)), watermarkMs: s.watermarkMs };
    });
  }

  health(): ProcessorHealth {
    const lag = this.partitions().reduce((sum, p) => sum + (p.lag ?? 0), 0);
    return { assigned: this.states.size, flushFailing: this.pausedBy === 'flush_failure', lag };
  }

  /**
   * The hour of the latest event time seen on any assigned partition: event time, not the wall clock,
   * so that a replay or a backlog reports the hour it is counting. Undefined before the first event.
   */
  currentHour(): CurrentHour | undefined {
    let watermarkMs = 0;
    for (const state of this.states.values()) watermarkMs = Math.max(watermarkMs, state.watermarkMs);
    if (watermarkMs === 0) return undefined;
    const hourMs = this.ctx.hourOf(watermarkMs);
    const rows: CampaignRow[] = [];
    for (const state of this.states.values()) {
      for (const byChannel of state.campaign.get(hourMs)?.values() ?? []) rows.push(...byChannel.values());
    }
    return { hourMs, rows };
  }

  private async assign(tps: TopicPartition[]): Promise<PartitionStart[]> {
    const { dedupWindow, allowedLatenessHours, maxKeysPerHour } = this.deps.config.pipeline;
    const starts = await Promise.all(
      tps.map(async (tp) => {
        const stream = streamOfTopic(this.topics, tp.topic);
        if (stream === undefined) throw new Error(`assigned unknown topic ${tp.topic}`);
        const state = await this.deps.store.loadPartition(tp.topic, tp.partition, stream, {
          allowedLatenessMs: allowedLatenessHours * HOUR_MS,
          dedupWindow,
          maxKeysPerHour,
        });
        this.states.set(key(tp), state);
        // Re-read the dedup window's worth of messages before the resume point, so a duplicate of a
        // message counted before the restart is still recognised.
        const offset = state.stored.offset < 0 ? EARLIEST : Math.max(0, state.stored.offset + 1 - dedupWindow);
        if (offset !== EARLIEST) state.position = offset - 1;
        return { ...tp, offset, resumeAfter: state.stored.offset };
      }),
    );
    this.stats.assigned = this.states.size;
    this.observer.rebalanced('assigned', tps.length);
    if (this.pausedBy !== undefined) this.deps.consumer.pause(tps);
    this.deps.log.info('partitions.assigned', { partitions: starts.map((s) => `${s.topic}/${s.partition}@${s.resumeAfter + 1}`) });
    return starts.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
  }

  private async revoke(tps: TopicPartition[]): Promise<void> {
    await this.flush().catch(() => undefined);
    for (const tp of tps) {
      this.states.delete(key(tp));
      this.highWatermarks.delete(key(tp));
    }
    this.stats.assigned = this.states.size;
    this.observer.rebalanced('revoked', tps.length);
    // Debug: the consumer logs the revocation with its cause (rebalance, stop); one info line per event.
    this.deps.log.debug('partitions.revoked', { partitions: tps.map((tp) => `${tp.topic}/${tp.partition}`) });
  }

  private process(batch: Batch): void {
    const state = this.states.get(key(batch));
    if (state === undefined) return;
    this.highWatermarks.set(key(batch), batch.highWatermark);
    const outcomes: Record<OutcomeKind, number> = { counted: 0, duplicate: 0, replayed: 0, dead_letter: 0 };
    const rejections = new Map<RejectReason, number>();
    const overflowed = state.overflowed;
    for (const message of batch.messages) {
      if (message.offset <= state.position) continue;
      const outcome = processMessage(state, message, this.ctx);
      outcomes[outcome.kind]++;
      switch (outcome.kind) {
        case 'counted':
          this.stats.counted++;
          break;
        case 'duplicate':
          this.stats.duplicates++;
          break;
        case 'replayed':
          this.stats.replayed++;
          break;
        case 'dead_letter':
          this.stats.deadLetters++;
          this.deadLetterSummary.add(outcome.rejection.reason, batch.topic);
          this.pendingDeadLetters.push(this.deadLetterMessage(batch, message, outcome.rejection));
          rejections.set(outcome.rejection.reason, (rejections.get(outcome.rejection.reason) ?? 0) + 1);
          break;
      }
      this.stats.unflushed++;
    }
    this.stats.overflowed += state.overflowed - overflowed;
    this.observer.batchProcessed({ topic: batch.topic, outcomes, rejections });
    if (this.stats.unflushed >= this.deps.config.pipeline.maxUnflushedMessages) this.holdBack();
  }

  /** Enough is counted to be worth a flush now; if one is still being written, stop fetching until it is. */
  private holdBack(): void {
    if (this.flushing === undefined) {
      void this.flush();
    } else if (this.pausedBy === undefined) {
      this.stats.backpressurePauses++;
      this.pause('backpressure');
    }
  }

  private deadLetterMessage(batch: Batch, message: Batch['messages'][number], rejection: { reason: string; detail: string; field?: string }): ProducerMessage {
    const value = message.value ?? Buffer.alloc(0);
    return {
      topic: this.topics.deadLetter,
      // Source coordinates identify a dead letter: a consumer of the topic can drop re-sends after a crash.
      key: `${batch.topic}/${batch.partition}/${message.offset}`,
      value: Buffer.from(
        JSON.stringify({
          reason: rejection.reason,
          detail: rejection.detail.slice(0, 1000),
          field: rejection.field,
          source: { topic: batch.topic, partition: batch.partition, offset: message.offset, timestamp_ms: message.timestampMs },
          value_base64: value.subarray(0, DEAD_LETTER_VALUE_BYTES).toString('base64'),
          value_bytes: value.length,
        }),
      ),
      timestampMs: message.timestampMs,
    };
  }

  private async flushOnce(): Promise<void> {
    const started = performance.now();
    const deadLetters = this.pendingDeadLetters;
    this.pendingDeadLetters = [];
    const snapshot = takeSnapshot(this.states.values());
    const unflushed = this.stats.unflushed;
    this.stats.unflushed = 0;
    const restore = () => {
      snapshot.restore();
      this.stats.unflushed += unflushed;
    };
    try {
      if (deadLetters.length > 0) await this.deps.deadLetters.send(deadLetters);
    } catch (error) {
      this.pendingDeadLetters = deadLetters.concat(this.pendingDeadLetters);
      restore();
      return this.failed('dead_letter_produce', error, started);
    }
    try {
      await this.deps.store.write(snapshot);
    } catch (error) {
      restore();
      return this.failed('clickhouse_write', error, started);
    }
    snapshot.commit();
    this.stats.flushes++;
    this.stats.lastFlushMs = performance.now() - started;
    const rows = snapshot.campaign.length + snapshot.sku.length + snapshot.inventory.length + snapshot.rejections.length + snapshot.progress.length;
    this.observer.flushed({ seconds: this.stats.lastFlushMs / 1000, rows });
    if (this.pausedBy !== undefined) {
      // A flush failure's end is logged as flush.recovered below; this line is for backpressure.
      if (this.pausedBy === 'backpressure') this.deps.log.debug('consumption.resumed', { pausedBy: this.pausedBy });
      this.pausedBy = undefined;
      this.deps.consumer.resume(this.assignedPartitions());
    }
    if (this.failingSince !== undefined) {
      this.deps.log.info('flush.recovered', { failures: this.stats.flushFailures, outageMs: Date.now() - this.failingSince });
      this.failingSince = undefined;
    }
    const summary = this.deadLetterSummary.take();
    if (summary) this.deps.log.info('dead_letters.summary', { ...summary });
    this.evictClosedHours();
    await this.deps.consumer.commit(snapshot.positions).catch((error: Error) => this.deps.log.warn('commit.failed', { error: error.message }));
  }

  /** While writes fail, consumption pauses: the lag grows in Kafka, not in this process's memory. */
  private failed(stage: NonNullable<FlushReport['failedStage']>, error: unknown, started: number): void {
    this.stats.flushFailures++;
    this.observer.flushed({ seconds: (performance.now() - started) / 1000, rows: 0, failedStage: stage });
    this.pause('flush_failure');
    const fields = { stage, error: (error as Error).message, failures: this.stats.flushFailures };
    if (this.failingSince === undefined) {
      this.failingSince = Date.now();
      this.deps.log.error('flush.failed', fields);
    } else {
      this.deps.log.debug('flush.failed_again', fields);
    }
  }

  private pause(reason: 'flush_failure' | 'backpressure'): void {
    if (this.pausedBy === undefined) this.deps.consumer.pause(this.assignedPartitions());
    // A failure outranks backpressure in the log: it is what the operator has to fix.
    if (this.pausedBy !== 'flush_failure') this.pausedBy = reason;
  }

  private evictClosedHours(): void {
    for (const state of this.states.values()) {
      state.evictBefore(this.ctx.hourOf(state.watermarkMs - this.ctx.allowedLatenessMs) - HOUR_MS);
    }
  }

  private assignedPartitions(): TopicPartition[] {
    return [...this.states.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }
}
