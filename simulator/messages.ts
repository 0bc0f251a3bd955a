/** What the simulator yields: Kafka-ready messages, each labelled with what the pipeline must do with it. */
import type { EventOfStream } from '../schemas/events.js';
import type { RejectReason } from '../schemas/reasons.js';
import type { Stream } from '../schemas/topics.js';

/** `duplicate`: an already counted event sent again (same bytes, or a payment callback with a new event_id). */
export type Expected = 'counted' | 'duplicate' | { reason: RejectReason };

export type TimedEvent = { [S in Stream]: { stream: S; body: EventOfStream[S]; timeMs: number } }[Stream];

export interface SimMessage {
  stream: Stream;
  key: string;
  value: Buffer;
  /** Simulated send time; producers set it as the Kafka record timestamp. */
  timestampMs: number;
  expected: Expected;
  /** The event behind a well-formed message, so the truth counts it without re-parsing bytes. */
  event?: TimedEvent;
}

export function deadLetterReason(expected: Expected): RejectReason | undefined {
  return typeof expected === 'object' ? expected.reason : undefined;
}

export function serialize(event: TimedEvent): Buffer {
  return Buffer.from(JSON.stringify(event.body));
}
