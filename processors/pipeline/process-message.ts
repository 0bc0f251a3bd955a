/**
 * The processing steps for one message, in order. Each step's outcome is returned, never thrown, so
 * what happens to a bad message is explicit: it is dead-lettered with a reason and its partition moves on.
 *
 *   1. replay   offsets the last complete flush already covers only refill the dedup window
 *   2. decode   bytes -> typed event, or dead letter with the contract's reason
 *   3. dedup    same dedup key within the window's offsets -> dropped, counted as duplicate
 *   4. lateness event time older than the partition watermark minus the allowed lateness -> too_late
 *   5. window   advance the watermark, add the event to its event-time hour's rows
 *
 * Every decision depends only on the partition's messages (the record timestamp stands in for "now"),
 * so replaying a partition after a crash decides every message the same way.
 */
import { decode, reject, type DecodeOptions, type Decoded, type Rejection } from '../../schemas/decode.js';
import type { RawMessage } from '../kafka/consumer.js';
import type { TopicNames } from '../../schemas/topics.js';
import type { PipelineConfig } from '../config.js';
import { createHourBucketer, HOUR_MS, type HourBucketer } from '../window/hour-bucket.js';
import type { PartitionState } from '../state/partition-state.js';
import { applyEvent } from './apply-event.js';

export type Outcome =
  | { kind: 'counted' }
  | { kind: 'duplicate' }
  | { kind: 'replayed' }
  | { kind: 'dead_letter'; rejection: Rejection; eventTimeMs?: number };

export interface ProcessContext {
  decodeOptions: DecodeOptions;
  allowedLatenessMs: number;
  hourOf: HourBucketer;
}

export function processContext(p: PipelineConfig['pipeline'], topics: TopicNames): ProcessContext {
  return {
    decodeOptions: { topics, maxMessageBytes: p.maxMessageBytes, maxFutureSkewMs: p.maxFutureSkewSeconds * 1000, currency: p.currency },
    allowedLatenessMs: p.allowedLatenessHours * HOUR_MS,
    hourOf: createHourBucketer(p.timeZone),
  };
}

const COUNTED: Outcome = { kind: 'counted' };
const DUPLICATE: Outcome = { kind: 'duplicate' };
const REPLAYED: Outcome = { kind: 'replayed' };

export function processMessage(state: PartitionState, message: RawMessage, ctx: ProcessContext): Outcome {
  const offset = message.offset;
  state.position = offset;
  const decoded = decode(state.topic, message.value ?? EMPTY, { ...ctx.decodeOptions, now: message.timestampMs });

  if (offset <= state.stored.offset) {
    if (decoded.ok) state.dedup.seen(dedupKey(decoded), offset);
    return REPLAYED;
  }
  if (!decoded.ok) return deadLetter(state, offset, decoded);
  if (state.dedup.seen(dedupKey(decoded), offset)) {
    state.duplicates++;
    return DUPLICATE;
  }
  if (decoded.eventTimeMs < state.watermarkMs - ctx.allowedLatenessMs) {
    const hours = ((state.watermarkMs - decoded.eventTimeMs) / 3_600_000).toFixed(1);
    return deadLetter(state, offset, reject('too_late', `event_time is ${hours} h behind the partition watermark`, 'event_time'), decoded.eventTimeMs);
  }
  if (decoded.eventTimeMs > state.watermarkMs) state.watermarkMs = decoded.eventTimeMs;
  applyEvent(state, decoded, offset, ctx.hourOf);
  state.counted++;
  return COUNTED;
}

/** Producer retries repeat the event id; payment providers re-send a callback with a new id, same attempt. */
export function dedupKey(decoded: Decoded): string {
  if (decoded.stream === 'payment') {
    const e = decoded.event;
    return `${e.order_id}|${e.attempt}|${e.status}`;
  }
  return decoded.event.event_id;
}

function deadLetter(state: PartitionState, offset: number, rejection: Rejection, eventTimeMs?: number): Outcome {
  const row = state.rejectionRow(rejection.reason);
  if (state.admits(row, offset)) row.messages++;
  state.deadLetters++;
  return eventTimeMs === undefined ? { kind: 'dead_letter', rejection } : { kind: 'dead_letter', rejection, eventTimeMs };
}

const EMPTY = Buffer.alloc(0);
