/**
 * StreamConsumer on node-rdkafka 3.6.1 (librdkafka 2.12).
 *
 * - Assignment. `rebalance_cb` is a function, so librdkafka waits for the application's own
 *   `assign()`. On ERR__ASSIGN_PARTITIONS the adapter awaits `onAssigned` (asynchronously: node-rdkafka
 *   dispatches the callback to the JS thread and librdkafka keeps heartbeating meanwhile) and then calls
 *   `assign()` with the chosen offsets; EARLIEST is librdkafka's OFFSET_BEGINNING (-2). The group's
 *   committed offsets are never used. Until `assign()` nothing of those partitions can be fetched.
 *
 * - Revocation. On ERR__REVOKE_PARTITIONS deliveries of every partition stop at once; `onRevoked` is
 *   called once batches in `onBatch` have settled, and only after it resolved does the adapter call
 *   `unassign()`, which is what lets librdkafka finish the rebalance. So `onRevoked` has completed
 *   before the coordinator can give our partitions to another member. Lost partitions (session timed
 *   out) come through the same callback.
 *
 * - Consume loop. `consume(n)` in a loop (a batch per call, one `onBatch` per partition and call,
 *   different partitions concurrently); the next `consume` runs while the current batches are in
 *   `onBatch`. Rebalance and offset-commit callbacks are served inside `consume`, so the loop keeps
 *   polling during handler calls. Messages returned by a consume call that began before the latest
 *   `assign()` are never delivered for the partitions of that assignment (they may be from the
 *   previous one), and `assign()` only runs while no consume call is in progress, so no message of the
 *   new assignment can be consumed and then discarded.
 *
 * - High watermark: `getWatermarkOffsets`, librdkafka's cached value from the last fetch response,
 *   read once per batch.
 *
 * - Errors: a fatal librdkafka error (`isFatal`, ERR__FATAL) goes to `onFatal` (or rejects `run()`);
 *   other errors are logged, librdkafka recovers from them itself.
 *
 * `auto.offset.reset` is set in the topic config (the constructor's second argument): librdkafka
 * silently ignores it in the global one. It only applies when a chosen offset is out of range.
 */
import RdKafka, { type KafkaConsumer, type LibrdKafkaError, type Message, type TopicPartitionOffset } from 'node-rdkafka';
import {
  type ConsumerHandlers,
  type ConsumerLogger,
  type ConsumerOptions,
  type PartitionStart,
  type RawMessage,
  type StreamConsumer,
  type TopicPartition,
} from './consumer.js';
import { crashProcess, DEFAULT_SESSION_TIMEOUT_MS, heartbeatIntervalFor, stderrConsumerLogger, toError, tpKey, tpLabel, stopStep } from './adapter-common.js';
import { PartitionOwnership, type PartitionEntry } from './partition-ownership.js';
import { NO_SECURITY, rdKafkaSecurity } from './security.js';

export interface RdKafkaTuning {
  /**
   * Messages per `consume()` call. Larger calls are faster per message through node-rdkafka's binding
   * (400k small messages, 16 partitions, this machine: 10k ~115k msg/s, 50k ~170k msg/s); a call returns
   * early once the local queue stays empty for `consumeTimeoutMs`. @default 50000
   */
  consumeBatchSize: number;
  /** How long one `consume()` call waits for the next message. @default 100 */
  consumeTimeoutMs: number;
  /** librdkafka `fetch.message.max.bytes` (per partition and fetch). @default 4 MiB */
  fetchMaxBytesPerPartition: number;
  /** librdkafka `fetch.wait.max.ms`. @default 100 */
  fetchWaitMaxMs: number;
  /** librdkafka `queued.max.messages.kbytes`: prefetch buffer. @default 65536 */
  queuedMaxKbytes: number;
  /** Budget of `stop()`: revoking (handlers included) and disconnecting. @default 5000 */
  stopTimeoutMs: number;
  /** A commit that has not completed by then rejects (or is dropped, for partitions no longer owned). @default 5000 */
  commitTimeoutMs: number;
}

const DEFAULT_TUNING: RdKafkaTuning = {
  consumeBatchSize: 50_000,
  consumeTimeoutMs: 100,
  fetchMaxBytesPerPartition: 4 * 1024 * 1024,
  fetchWaitMaxMs: 100,
  queuedMaxKbytes: 65_536,
  stopTimeoutMs: 5_000,
  commitTimeoutMs: 5_000,
};

const { ERRORS } = RdKafka.CODES;
const CONNECT_TIMEOUT_MS = 10_000;
const CONSUME_ERROR_BACKOFF_MS = 100;

interface Fetched {
  messages: Message[];
  /** The assign epoch when the consume call began. */
  epoch: number;
}

interface PendingCommit {
  offsets: PartitionStart[];
  settle(error?: LibrdKafkaError | Error): void;
}

export class RdKafkaStreamConsumer implements StreamConsumer {
  private readonly tuning: RdKafkaTuning;
  private readonly log: ConsumerLogger;
  private consumer: KafkaConsumer | undefined;
  private ownership: PartitionOwnership | undefined;
  private readonly userPaused = new Set<string>();
  /** Counts `assign()` calls; see Fetched.epoch. */
  private epoch = 0;
  /** The consume call in progress, if any. */
  private consuming: Promise<unknown> | undefined;
  /** While set, no consume call starts (an `assign()` is about to happen). */
  private gate: { closed: Promise<void>; open: () => void } | undefined;
  private loopDone: Promise<void> | undefined;
  private loopStop = false;
  private readonly pendingCommits: PendingCommit[] = [];
  private runResolved = false;
  private stopRequested = false;
  private stopping: Promise<void> | undefined;
  private fatalError: Error | undefined;

  constructor(
    private readonly options: ConsumerOptions,
    tuning: Partial<RdKafkaTuning> = {},
  ) {
    if (options.brokers.length === 0) throw new Error('a consumer needs at least one broker');
    const merged = { ...DEFAULT_TUNING, ...tuning };
    this.tuning = { ...merged, consumeBatchSize: Math.min(merged.consumeBatchSize, options.maxMessagesPerFetch ?? Infinity) };
    this.log = options.log ?? stderrConsumerLogger();
  }

  async run(topics: string[], handlers: ConsumerHandlers): Promise<void> {
    if (this.ownership) throw new Error('run() was already called on this consumer');
    if (this.stopRequested) throw new Error('run() after stop()');
    this.ownership = new PartitionOwnership(handlers, this.log, (error) => this.fatal(error));
    const sessionTimeoutMs = this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const consumer = (this.consumer = new RdKafka.KafkaConsumer(
      {
        'group.id': this.options.groupId,
        'client.id': this.options.clientId ?? `${this.options.groupId}-consumer`,
        'metadata.broker.list': this.options.brokers.join(','),
        ...rdKafkaSecurity(this.options.security ?? NO_SECURITY),
        'session.timeout.ms': sessionTimeoutMs,
        'heartbeat.interval.ms': heartbeatIntervalFor(sessionTimeoutMs),
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'enable.partition.eof': false,
        'fetch.wait.max.ms': this.tuning.fetchWaitMaxMs,
        'fetch.message.max.bytes': this.tuning.fetchMaxBytesPerPartition,
        'queued.max.messages.kbytes': this.tuning.queuedMaxKbytes,
        rebalance_cb: (error: LibrdKafkaError, assignment: TopicPartition[]) => this.onRebalance(error, assignment),
        offset_commit_cb: (error: LibrdKafkaError | undefined, offsets: TopicPartitionOffset[]) => this.onCommitted(error, offsets),
      },
      // In the global config librdkafka silently ignores this: it is a topic property.
      { 'auto.offset.reset': 'earliest' },
    ));
    consumer.on('event.error', (error) => {
      if (error.isFatal || error.code === ERRORS.ERR__FATAL) this.fatal(new Error(`librdkafka fatal error: ${error.message}`, { cause: error }));
      else this.log.warn('kafka.client_error', { client: 'rdkafka', code: error.code, error: error.message });
    });
    try {
      await new Promise<void>((resolve, reject) => consumer.connect({ timeout: CONNECT_TIMEOUT_MS }, (error) => (error ? reject(error) : resolve())));
      consumer.setDefaultConsumeTimeout(this.tuning.consumeTimeoutMs);
      consumer.subscribe(topics);
    } catch (error) {
      this.fatal(toError(error));
    }
    if (this.fatalError) throw this.fatalError;
    this.loopDone = this.loop(consumer, this.ownership);
    this.runResolved = true;
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.userPaused.add(tpKey(tp));
    this.clientCall('pause', () => this.consumer?.pause(partitions.map(({ topic, partition }) => ({ topic, partition }))));
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.userPaused.delete(tpKey(tp));
    this.clientCall('resume', () => this.consumer?.resume(partitions.map(({ topic, partition }) => ({ topic, partition }))));
  }

  async commit(offsets: PartitionStart[]): Promise<void> {
    const ownership = this.ownership;
    const consumer = this.consumer;
    if (!ownership || !consumer) return;
    const owned = offsets.filter((o) => ownership.isOwned(o));
    if (owned.length < offsets.length) {
      this.log.info('consumer.commit_skipped', { reason: 'not assigned', partitions: offsets.filter((o) => !ownership.isOwned(o)).map(tpLabel) });
    }
    if (owned.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => pending.settle(new Error(`offset commit did not complete within ${this.tuning.commitTimeoutMs} ms`)), this.tuning.commitTimeoutMs);
      const pending: PendingCommit = {
        offsets: owned,
        settle: (error) => {
          clearTimeout(timer);
          const index = this.pendingCommits.indexOf(pending);
          if (index === -1) return;
          this.pendingCommits.splice(index, 1);
          if (error === undefined || (error as LibrdKafkaError).code === ERRORS.ERR__NO_OFFSET) return resolve();
          const stillOwned = owned.filter((o) => ownership.isOwned(o));
          if (stillOwned.length > 0 && !this.stopRequested) return reject(error);
          this.log.warn('consumer.commit_dropped', { reason: 'partitions no longer assigned', partitions: owned.map(tpLabel), error: error.message });
          resolve();
        },
      };
      this.pendingCommits.push(pending);
      try {
        consumer.commit(owned.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      } catch (error) {
        pending.settle(toError(error));
      }
    });
  }

  stop(): Promise<void> {
    this.stopRequested = true;
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    const deadline = Date.now() + this.tuning.stopTimeoutMs;
    const step = stopStep(this.log, 'rdkafka', deadline);
    const consumer = this.consumer;
    if (!consumer) return;
    // Stop fetching at once; the loop keeps polling (offset-commit callbacks of a final commit in
    // onRevoked are served by consume) until the handlers are done.
    this.clientCall('pause', () => consumer.pause(consumer.assignments()));
    this.ownership?.revokeAll('stop', () => this.clientCall('unassign', () => consumer.unassign()));
    await step('onRevoked', this.ownership?.settled());
    this.loopStop = true;
    await step('consume loop', this.loopDone);
    await step('rdkafka disconnect', new Promise<void>((resolve) => consumer.disconnect(() => resolve())));
    for (const pending of [...this.pendingCommits]) pending.settle(new Error('consumer stopped'));
  }

  private onRebalance(error: LibrdKafkaError | undefined, assignment: TopicPartition[]): void {
    const consumer = this.consumer;
    const ownership = this.ownership;
    if (!consumer || !ownership) return;
    const partitions = assignment.map(({ topic, partition }) => ({ topic, partition }));
    if (error?.code === ERRORS.ERR__ASSIGN_PARTITIONS) {
      const assignAsIs = () => this.clientCall('assign', () => consumer.assign(partitions));
      // Stopping or failed: librdkafka still expects its assign() call; nothing will be delivered.
      if (this.stopRequested || this.fatalError) return assignAsIs();
      void ownership.assign(partitions, (starts, generation) => this.startFetching(consumer, ownership, starts, generation), assignAsIs);
    } else if (error?.code === ERRORS.ERR__REVOKE_PARTITIONS) {
      void ownership.revokeAll('rebalance', () => this.clientCall('unassign', () => consumer.unassign()));
    } else {
      this.log.warn('consumer.rebalance_error', { client: 'rdkafka', code: error?.code, error: error?.message });
    }
  }

  private async startFetching(consumer: KafkaConsumer, ownership: PartitionOwnership, starts: PartitionStart[], generation: number): Promise<void> {
    const gate = this.closeGate();
    try {
      // No consume call may be in progress across assign(): it could return messages of the new
      // assignment that (having begun earlier) we would have to discard after librdkafka counted them.
      await this.consuming?.catch(() => undefined);
      // EARLIEST (-2) is librdkafka's RD_KAFKA_OFFSET_BEGINNING.
      consumer.assign(starts.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      const epoch = ++this.epoch;
      for (const start of starts) ownership.activate(start.topic, start.partition, generation, start.offset, epoch);
      // librdkafka keeps a partition's pause flag across assignments: set it from our own state.
      const paused = starts.filter((s) => this.userPaused.has(tpKey(s)));
      const running = starts.filter((s) => !this.userPaused.has(tpKey(s)));
      if (paused.length > 0) consumer.pause(paused.map(({ topic, partition }) => ({ topic, partition })));
      if (running.length > 0) consumer.resume(running.map(({ topic, partition }) => ({ topic, partition })));
    } finally {
      gate.open();
    }
  }

  private closeGate(): { open: () => void } {
    let open!: () => void;
    const closed = new Promise<void>((resolve) => (open = resolve));
    const gate = {
      closed,
      open: () => {
        if (this.gate === gate) this.gate = undefined;
        open();
      },
    };
    this.gate = gate;
    return gate;
  }

  private async consumeOnce(consumer: KafkaConsumer): Promise<Fetched> {
    while (this.gate) await this.gate.closed;
    const epoch = this.epoch;
    const call = new Promise<Message[]>((resolve, reject) =>
      consumer.consume(this.tuning.consumeBatchSize, (error, messages) => (error ? reject(error) : resolve(messages))),
    );
    this.consuming = call;
    try {
      return { messages: await call, epoch };
    } finally {
      if (this.consuming === call) this.consuming = undefined;
    }
  }

  private async loop(consumer: KafkaConsumer, ownership: PartitionOwnership): Promise<void> {
    let next: Promise<Fetched> | undefined;
    while (!this.loopStop) {
      let fetched: Fetched;
      try {
        fetched = await (next ?? this.consumeOnce(consumer));
      } catch (error) {
        next = undefined;
        if (this.loopStop) break;
        const rdError = error as Partial<LibrdKafkaError>;
        if (rdError.isFatal || rdError.code === ERRORS.ERR__FATAL) {
          this.fatal(new Error(`librdkafka fatal error: ${rdError.message}`, { cause: error }));
          break;
        }
        this.log.warn('consumer.consume_error', { client: 'rdkafka', code: rdError.code, error: toError(error).message });
        await new Promise((resolve) => setTimeout(resolve, CONSUME_ERROR_BACKOFF_MS));
        continue;
      }
      next = undefined;
      if (this.loopStop) break;
      const batches = this.collect(ownership, fetched);
      if (batches.length === 0) continue;
      next = this.consumeOnce(consumer);
      // Its error, if any, is handled when the loop awaits it.
      next.catch(() => undefined);
      await Promise.all(batches.map(({ entry, messages }) => ownership.deliver(entry, messages, this.highWatermark(consumer, entry, messages))));
    }
    await next?.catch(() => undefined);
  }

  /** Groups one consume call's messages by partition and keeps what may be delivered. */
  private collect(ownership: PartitionOwnership, fetched: Fetched): Array<{ entry: PartitionEntry; messages: RawMessage[] }> {
    const byPartition = new Map<PartitionEntry, RawMessage[]>();
    let lastEntry: PartitionEntry | undefined;
    let lastList: RawMessage[] | undefined;
    for (const message of fetched.messages) {
      let list: RawMessage[] | undefined;
      if (lastEntry !== undefined && lastEntry.topic === message.topic && lastEntry.partition === message.partition) {
        list = lastList;
      } else {
        const entry = ownership.active(message.topic, message.partition);
        // Fetched before this partition's assign(): possibly from the previous assignment.
        if (entry === undefined || entry.activatedAt > fetched.epoch) {
          lastEntry = undefined;
          continue;
        }
        list = byPartition.get(entry);
        if (list === undefined) byPartition.set(entry, (list = []));
        lastEntry = entry;
        lastList = list;
      }
      list!.push(toRawMessage(message));
    }
    const batches: Array<{ entry: PartitionEntry; messages: RawMessage[] }> = [];
    for (const [entry, messages] of byPartition) {
      const admitted = ownership.admit(entry, messages);
      if (admitted.length > 0) batches.push({ entry, messages: admitted });
    }
    return batches;
  }

  private highWatermark(consumer: KafkaConsumer, entry: PartitionEntry, messages: RawMessage[]): number {
    const next = messages[messages.length - 1]!.offset + 1;
    try {
      return Math.max(next, consumer.getWatermarkOffsets(entry.topic, entry.partition).highOffset);
    } catch {
      return next;
    }
  }

  private onCommitted(error: LibrdKafkaError | undefined, offsets: TopicPartitionOffset[]): void {
    if (this.pendingCommits.length === 0) return;
    const same = (pending: PendingCommit) =>
      pending.offsets.length === offsets.length &&
      pending.offsets.every((o) => offsets.some((c) => c.topic === o.topic && c.partition === o.partition && c.offset === o.offset));
    // Results come back in request order; matching the offsets is a cross-check.
    const pending = this.pendingCommits.find(same) ?? this.pendingCommits[0]!;
    pending.settle(error);
  }

  private clientCall(what: string, call: () => unknown): void {
    try {
      call();
    } catch (error) {
      this.log.warn('consumer.client_call_failed', { client: 'rdkafka', call: what, error: toError(error).message });
    }
  }

  private fatal(error: Error): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.ownership?.markFailed();
    this.log.error('consumer.fatal', { client: 'rdkafka', groupId: this.options.groupId, error: error.message });
    if (this.runResolved) (this.options.onFatal ?? crashProcess)(error);
    void this.stop();
  }
}

function toRawMessage(message: Message): RawMessage {
  const key = message.key;
  return {
    offset: message.offset,
    key: key === undefined || key === null ? null : typeof key === 'string' ? Buffer.from(key) : key,
    value: message.value,
    timestampMs: message.timestamp ?? -1,
  };
}

