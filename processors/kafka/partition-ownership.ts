/**
 * The part of a stream consumer that both client adapters share: who owns which partition, in which
 * order the handlers hear about it, and which fetched messages may be delivered.
 *
 * Rules it enforces (see consumer.ts for the contract):
 * - A generation starts when the client reports an assignment. Its partitions are 'assigning' until
 *   `onAssigned` resolved and the adapter made the client fetch from the chosen starts; only then are
 *   they 'active', and only active partitions get batches.
 * - `revokeAll` stops deliveries synchronously. Batches already inside `onBatch` are allowed to finish
 *   (never abandoned half-way); `onRevoked` is called once they have settled, and nothing of those
 *   partitions is delivered afterwards.
 * - Handler calls (`onAssigned`, `onRevoked`) run one at a time, in the order the client reported the
 *   changes; `onRevoked` covers exactly what `onAssigned` handed out before.
 * - Per partition, delivery starts at the chosen offset and continues without gaps: a message below the
 *   next expected offset is a duplicate and dropped; a message above it means the broker no longer has
 *   the ones in between (retention, or transaction markers), which is logged.
 * - A rejected handler is fatal: the adapter's `fail` is called and no handler is called again.
 */
import { SerialQueue, toError, tpKey, tpLabel } from './adapter-common.js';
import type { Batch, ConsumerHandlers, ConsumerLogger, PartitionStart, RawMessage, TopicPartition } from './consumer.js';
import { EARLIEST } from './consumer.js';

export interface PartitionEntry extends TopicPartition {
  readonly key: string;
  readonly generation: number;
  phase: 'assigning' | 'active';
  /** Next offset to deliver; EARLIEST until the first message when the start was EARLIEST. */
  position: number;
  /** Adapter-defined mark of when the client started fetching it (rdkafka: its consume epoch). */
  activatedAt: number;
}

export class PartitionOwnership {
  private generation = 0;
  private readonly entries = new Map<string, PartitionEntry>();
  /** Partitions that `onAssigned` handed to the handlers and `onRevoked` has not taken back yet. */
  private readonly owned = new Map<string, TopicPartition>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly control = new SerialQueue();
  private failed = false;

  constructor(
    private readonly handlers: ConsumerHandlers,
    private readonly log: ConsumerLogger,
    /** Called once, with the first handler error. */
    private readonly fail: (error: Error) => void,
  ) {}

  /** The entry of a partition the client may deliver now, if any. */
  active(topic: string, partition: number): PartitionEntry | undefined {
    const entry = this.entries.get(tpKey({ topic, partition }));
    return entry?.phase === 'active' ? entry : undefined;
  }

  isCurrent(entry: PartitionEntry): boolean {
    return this.entries.get(entry.key) === entry;
  }

  isCurrentGeneration(generation: number): boolean {
    return generation === this.generation && !this.failed;
  }

  /** Partitions of the current generation, active or still being assigned. */
  current(): PartitionEntry[] {
    return [...this.entries.values()];
  }

  /** Owned by the handlers: assigned and not revoked yet, so a commit for it makes sense. */
  isOwned(tp: TopicPartition): boolean {
    return this.owned.has(tpKey(tp));
  }

  /** Settles when every queued assign/revoke has run. */
  settled(): Promise<void> {
    return this.control.idle();
  }

  /** No handler is called any more; deliveries stop. */
  markFailed(): void {
    this.failed = true;
    this.generation++;
    this.entries.clear();
  }

  /**
   * Starts a generation: `partitions` become 'assigning' at once. Queued after earlier changes:
   * `onAssigned`, then `start(starts)` if no newer change came in meanwhile. `start` must make the
   * client fetch from the starts and call `activate` for each, in one synchronous step after its last
   * await, so that nothing fetched before can pass as fetched after.
   */
  assign(
    partitions: TopicPartition[],
    start: (starts: PartitionStart[], generation: number) => Promise<void> | void,
    /** Runs instead of `start` when the generation was superseded or a handler failed. */
    skipped?: () => void,
  ): Promise<void> {
    const generation = ++this.generation;
    this.entries.clear();
    for (const tp of partitions) {
      const key = tpKey(tp);
      this.entries.set(key, { topic: tp.topic, partition: tp.partition, key, generation, phase: 'assigning', position: EARLIEST, activatedAt: 0 });
    }
    return this.control.run(async () => {
      if (!this.isCurrentGeneration(generation) || partitions.length === 0) return skipped?.();
      let starts: PartitionStart[];
      try {
        for (const tp of partitions) this.owned.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
        starts = checkStarts(partitions, await this.handlers.onAssigned(partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition }))));
      } catch (error) {
        this.handlerFailed('onAssigned', error);
        return skipped?.();
      }
      if (!this.isCurrentGeneration(generation)) return skipped?.();
      // Debug: the processor logs the assignment with its resume offsets; one info line per event.
      this.log.debug('consumer.partitions_assigned', { partitions: starts.map((s) => `${tpLabel(s)}@${s.offset === EARLIEST ? 'earliest' : s.offset}`) });
      try {
        await start(starts, generation);
      } catch (error) {
        // A client call failed (not a handler): the client is in an unknown state.
        if (!this.failed) {
          this.failed = true;
          this.fail(toError(error));
        }
      }
    });
  }

  /** Makes an assigned partition deliverable from `position` (EARLIEST: the first message fetched). */
  activate(topic: string, partition: number, generation: number, position: number, activatedAt = 0): void {
    const entry = this.entries.get(tpKey({ topic, partition }));
    if (entry === undefined || entry.generation !== generation) return;
    entry.position = position;
    entry.activatedAt = activatedAt;
    entry.phase = 'active';
  }

  /**
   * Stops every delivery now. Queued after earlier changes: wait for batches in flight, then
   * `onRevoked` for what the handlers own, then `after` (also when handlers are not called any more).
   */
  revokeAll(reason: string, after?: () => void | Promise<void>): Promise<void> {
    this.generation++;
    this.entries.clear();
    return this.control.run(async () => {
      try {
        const revoked = [...this.owned.values()];
        if (revoked.length === 0 || this.failed) return;
        const pending = revoked.map((tp) => this.inFlight.get(tpKey(tp))).filter((p) => p !== undefined);
        if (pending.length > 0) await Promise.allSettled(pending);
        if (this.failed) return;
        this.log.info('consumer.partitions_revoked', { reason, partitions: revoked.map(tpLabel) });
        try {
          await this.handlers.onRevoked(revoked);
        } catch (error) {
          return this.handlerFailed('onRevoked', error);
        }
        for (const tp of revoked) this.owned.delete(tpKey(tp));
      } finally {
        await after?.();
      }
    });
  }

  /**
   * The part of `messages` (one partition, ascending offsets) that may be delivered: from the entry's
   * position on. Returns an empty array when nothing is new.
   */
  admit(entry: PartitionEntry, messages: RawMessage[]): RawMessage[] {
    let first = 0;
    if (entry.position !== EARLIEST) {
      while (first < messages.length && messages[first]!.offset < entry.position) first++;
    }
    if (first === messages.length) return [];
    const startOffset = messages[first]!.offset;
    if (entry.position !== EARLIEST && startOffset > entry.position) {
      this.log.warn('consumer.offsets_unavailable', {
        partition: tpLabel(entry),
        expected: entry.position,
        next: startOffset,
        missing: startOffset - entry.position,
        hint: 'the broker no longer has them (retention) or they are transaction markers',
      });
    }
    return first === 0 ? messages : messages.slice(first);
  }

  /**
   * Hands one batch of an active partition to `onBatch` and waits for it. Advances the position to
   * `nextOffset` (default: after the last message). Returns false when the batch failed or the
   * partition was revoked meanwhile (its result must then not be acknowledged to the client).
   */
  async deliver(entry: PartitionEntry, messages: RawMessage[], highWatermark: number, nextOffset?: number): Promise<boolean> {
    const batch: Batch = { topic: entry.topic, partition: entry.partition, messages, highWatermark };
    const processing = this.handlers.onBatch(batch);
    this.inFlight.set(entry.key, processing);
    try {
      await processing;
    } catch (error) {
      this.handlerFailed('onBatch', error);
      return false;
    } finally {
      if (this.inFlight.get(entry.key) === processing) this.inFlight.delete(entry.key);
    }
    entry.position = nextOffset ?? messages[messages.length - 1]!.offset + 1;
    return this.isCurrent(entry);
  }

  private handlerFailed(handler: string, error: unknown): void {
    if (this.failed) return;
    this.markFailed();
    const cause = toError(error);
    this.fail(new Error(`consumer handler ${handler} failed: ${cause.message}`, { cause }));
  }
}

/** Every assigned partition needs a start: a missing one is a processor bug, not something to guess. */
function checkStarts(partitions: TopicPartition[], starts: PartitionStart[]): PartitionStart[] {
  const byKey = new Map(starts.map((s) => [tpKey(s), s]));
  return partitions.map((tp) => {
    const start = byKey.get(tpKey(tp));
    if (start === undefined) throw new Error(`onAssigned returned no start offset for ${tpLabel(tp)}`);
    if (!Number.isSafeInteger(start.offset) || (start.offset < 0 && start.offset !== EARLIEST)) {
      throw new Error(`onAssigned returned an invalid start offset ${start.offset} for ${tpLabel(tp)}`);
    }
    return { topic: tp.topic, partition: tp.partition, offset: start.offset };
  });
}
