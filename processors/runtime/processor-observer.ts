/**
 * What a processor reports as it works, for monitoring. The processor calls these once per batch,
 * flush or rebalance (never per message), so an observer can afford to update metrics on every call.
 */
import type { RejectReason } from '../../schemas/reasons.js';
import type { Outcome } from '../pipeline/process-message.js';

export type OutcomeKind = Outcome['kind'];

export interface BatchReport {
  topic: string;
  outcomes: Record<OutcomeKind, number>;
  rejections: ReadonlyMap<RejectReason, number>;
}

/** The flush steps that can fail. */
export const FLUSH_STAGES = ['dead_letter_produce', 'clickhouse_write'] as const;

export interface FlushReport {
  seconds: number;
  /** ClickHouse rows written (state and progress rows); 0 when the flush failed. */
  rows: number;
  /** Set when the flush failed: which step did. */
  failedStage?: (typeof FLUSH_STAGES)[number];
}

export interface ProcessorObserver {
  batchProcessed(report: BatchReport): void;
  flushed(report: FlushReport): void;
  rebalanced(event: 'assigned' | 'revoked', partitions: number): void;
}

export const NO_OBSERVER: ProcessorObserver = {
  batchProcessed() {},
  flushed() {},
  rebalanced() {},
};
