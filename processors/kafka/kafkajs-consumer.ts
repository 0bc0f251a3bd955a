/**
 * StreamConsumer on kafkajs 2.2.4.
 *
 * kafkajs has no "partitions assigned, choose where to start" callback: once a join completes it
 * fetches straight from the group's committed offsets. So:
 *
 * - Assignment. GROUP_JOIN is emitted synchronously at the end of every join, before kafkajs fetches
 *   for the new generation. Its listener pauses every assigned partition in kafkajs at once; then
 *   (asynchronously) `onAssigned` chooses the starts, EARLIEST is turned into the partition's current
 *   log-start offset (ListOffsets), and in one synchronous step each partition is `seek()`ed, marked
 *   active and resumed. A seek is applied by kafkajs before its next fetch request, and kafkajs drops
 *   fetched data of partitions with a pending seek (`isStale()`), so the first batch a partition
 *   delivers was fetched from the chosen offset. As a last guard, messages below the partition's next
 *   expected offset are never delivered (after an out-of-range reset kafkajs may start lower).
 *
 * - Revocation. kafkajs uses the eager protocol: every rejoin gives up every partition. On REBALANCING
 *   (and, for rejoins that skip that event, at the start of every join attempt) deliveries stop and
 *   `onRevoked` is called for everything; each join attempt waits until it has resolved (see the join
 *   hold in kafkajs-assigner.ts). So `onRevoked` has completed before the coordinator can give our
 *   partitions to another member, as long as it finishes within the rebalance timeout.
 *
 * - In-flight batches complete. kafkajs only rejoins after its fetch loop has stopped, i.e. after the
 *   batches it handed out returned; `onRevoked` is also called only after a batch of those partitions
 *   in `onBatch` has settled. Its offsets are then not acknowledged to kafkajs, and since every
 *   assignment seeks, that changes nothing. A batch that outlasts the rebalance timeout (with the mock:
 *   session timeout - 1 s) gets the member excluded from the new generation while it still runs.
 *
 * - Liveness. kafkajs heartbeats only between batches, so while `onBatch` runs the adapter heartbeats
 *   every heartbeat interval; a batch longer than the session timeout does not get the member evicted.
 *
 * - Crashes. CRASH with restart=false is fatal (`onFatal`, or `run()` rejects); with restart=true
 *   kafkajs rejoins on its own, which goes through revoke and assign like any rebalance.
 *
 * The mock-specific workaround lives in the assigner (leader waits before SyncGroup). kafkajs's
 * LeaveGroup is misread by the mock, so a stopped kafkajs member stays in the group until its session
 * times out: keep session timeouts short in tests.
 */
import { Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload, type KafkaMessage, type LogEntry } from 'kafkajs';
import {
  EARLIEST,
  type ConsumerHandlers,
  type ConsumerLogger,
  type ConsumerOptions,
  type PartitionStart,
  type RawMessage,
  type StreamConsumer,
  type TopicPartition,
} from './consumer.js';
import { createFollowerFirstRoundRobin, LEADER_SYNC_DELAY_MS } from './kafkajs-assigner.js';
import { beforeDeadline, crashProcess, DEFAULT_SESSION_TIMEOUT_MS, heartbeatIntervalFor, stderrConsumerLogger, toError, tpKey, tpLabel, stopStep } from './adapter-common.js';
import { PartitionOwnership } from './partition-ownership.js';
import { kafkaJsSecurity, NO_SECURITY } from './security.js';

export interface KafkaJsTuning {
  /** Largest fetch per partition; the mock returns one producer batch per partition per fetch. @default 4 MiB */
  maxBytesPerPartition: number;
  /** Largest fetch response. @default 64 MiB */
  maxBytes: number;
  /** How long the broker may hold an empty fetch; also bounds the heartbeat gap when idle. @default 100 */
  maxWaitTimeMs: number;
  /** kafkajs `partitionsConsumedConcurrently`: batches of different partitions in `onBatch` at once. @default 1 */
  partitionsConsumedConcurrently: number;
  /** @default LEADER_SYNC_DELAY_MS (300) */
  leaderSyncDelayMs: number;
  /** Budget of `stop()`: revoking (handlers included) and disconnecting. @default 5000 */
  stopTimeoutMs: number;
  /** A commit that has not completed by then rejects (or is dropped, for partitions no longer owned). @default 5000 */
  commitTimeoutMs: number;
  /** @default 30000 */
  rebalanceTimeoutMs: number;
}

const DEFAULT_TUNING: KafkaJsTuning = {
  maxBytesPerPartition: 4 * 1024 * 1024,
  maxBytes: 64 * 1024 * 1024,
  maxWaitTimeMs: 100,
  partitionsConsumedConcurrently: 1,
  leaderSyncDelayMs: LEADER_SYNC_DELAY_MS,
  stopTimeoutMs: 5_000,
  commitTimeoutMs: 5_000,
  rebalanceTimeoutMs: 30_000,
};

export class KafkaJsStreamConsumer implements StreamConsumer {
  private readonly tuning: KafkaJsTuning;
  private readonly log: ConsumerLogger;
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private admin: Promise<Admin> | undefined;
  private ownership: PartitionOwnership | undefined;
  /** Partitions the caller paused (backpressure); they stay paused across rebalances. */
  private readonly userPaused = new Set<string>();
  private runResolved = false;
  private stopRequested = false;
  private stopping: Promise<void> | undefined;
  private fatalError: Error | undefined;

  constructor(
    private readonly options: ConsumerOptions,
    tuning: Partial<KafkaJsTuning> = {},
  ) {
    if (options.brokers.length === 0) throw new Error('a consumer needs at least one broker');
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
    this.log = options.log ?? stderrConsumerLogger();
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.heartbeatIntervalMs = heartbeatIntervalFor(this.sessionTimeoutMs);
    const log = this.log;
    this.kafka = new Kafka({
      clientId: options.clientId ?? `${options.groupId}-consumer`,
      brokers: options.brokers,
      ...kafkaJsSecurity(options.security ?? NO_SECURITY),
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry.log as LogEntry['log'] & { logger?: unknown };
        const line = { client: 'kafkajs', namespace: entry.namespace, kafkajsLevel: entry.label, message, ...fields };
        // kafkajs logs every failed request at ERROR, retried ones and rebalances included; what the
        // consumer cannot recover from surfaces as consumer.fatal.
        if (entry.level <= logLevel.WARN) log.warn('kafka.client_log', line);
        else log.debug('kafka.client_log', line);
      },
    });
  }

  async run(topics: string[], handlers: ConsumerHandlers): Promise<void> {
    if (this.ownership) throw new Error('run() was already called on this consumer');
    if (this.stopRequested) throw new Error('run() after stop()');
    const ownership = (this.ownership = new PartitionOwnership(handlers, this.log, (error) => this.fatal(error)));
    const consumer = (this.consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(this.tuning.rebalanceTimeoutMs, this.sessionTimeoutMs),
      maxWaitTimeInMs: this.tuning.maxWaitTimeMs,
      maxBytesPerPartition: this.tuning.maxBytesPerPartition,
      maxBytes: this.tuning.maxBytes,
      minBytes: 1,
      partitionAssigners: [
        createFollowerFirstRoundRobin({
          leaderDelayMs: this.tuning.leaderSyncDelayMs,
          beforeJoin: async () => {
            const started = Date.now();
            this.revoke('rejoin');
            await ownership.settled();
            this.log.debug('consumer.joining', { client: 'kafkajs', heldMs: Date.now() - started });
          },
        }),
      ],
      // A crash during stop() (its disconnect aborts a join) must not bring the consumer back.
      retry: { retries: 5, restartOnFailure: async () => !this.stopRequested },
    }));
    consumer.on(consumer.events.REBALANCING, () => this.revoke('rebalance'));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onGroupJoin(payload.memberAssignment));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.revoke('crash');
      if (this.stopRequested) this.log.debug('consumer.crash_while_stopping', { client: 'kafkajs', error: payload.error.message });
      else if (payload.restart) this.log.warn('consumer.crash_restarting', { client: 'kafkajs', error: payload.error.message });
      else this.fatal(new Error(`kafkajs consumer crashed: ${payload.error.message}`, { cause: payload.error }));
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.tuning.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.eachBatch(payload, ownership),
      });
    } catch (error) {
      this.fatal(toError(error));
    }
    if (this.fatalError) throw this.fatalError;
    this.runResolved = true;
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.userPaused.add(tpKey(tp));
    this.pauseInClient(partitions);
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.userPaused.delete(tpKey(tp));
    // Partitions still being assigned are resumed once they have been seeked.
    this.resumeInClient(partitions.filter((tp) => this.ownership?.active(tp.topic, tp.partition)));
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
    try {
      await beforeDeadline(
        consumer.commitOffsets(owned.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) }))),
        Date.now() + this.tuning.commitTimeoutMs,
        'offset commit',
      );
    } catch (error) {
      const stillOwned = owned.filter((o) => ownership.isOwned(o));
      if (stillOwned.length > 0 && !this.stopRequested) throw error;
      this.log.warn('consumer.commit_dropped', { reason: 'partitions no longer assigned', partitions: owned.map(tpLabel), error: toError(error).message });
    }
  }

  stop(): Promise<void> {
    this.stopRequested = true;
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    const deadline = Date.now() + this.tuning.stopTimeoutMs;
    const step = stopStep(this.log, 'kafkajs', deadline);
    // Deliveries stop now; kafkajs itself can only stop fetching by leaving the group, which must come
    // after onRevoked.
    this.ownership?.revokeAll('stop');
    await step('onRevoked', this.ownership?.settled());
    // Mid-rebalance kafkajs finishes the join before it leaves; the deadline bounds that wait.
    await step('kafkajs disconnect', this.consumer?.disconnect());
    await step('admin disconnect', this.admin?.then((admin) => admin.disconnect()));
  }

  /** Revokes everything the handlers own (idempotent: nothing happens when nothing is assigned). */
  private revoke(reason: string): void {
    const ownership = this.ownership;
    if (!ownership || ownership.current().length === 0) return;
    ownership.revokeAll(reason);
  }

  private onGroupJoin(memberAssignment: Record<string, number[]>): void {
    const ownership = this.ownership;
    if (!ownership || this.stopRequested || this.fatalError) return;
    const partitions = Object.entries(memberAssignment).flatMap(([topic, list]) => list.map((partition) => ({ topic, partition })));
    // Every join attempt revoked first (beforeJoin); this only catches a path that did not.
    this.revoke('rejoin');
    // Synchronously, before kafkajs's first fetch of this generation: nothing is fetched until seeked.
    this.pauseInClient(partitions);
    void ownership.assign(partitions, (starts, generation) => this.startFetching(ownership, starts, generation));
  }

  private async startFetching(ownership: PartitionOwnership, starts: PartitionStart[], generation: number): Promise<void> {
    const earliest = starts.filter((s) => s.offset === EARLIEST);
    const logStart = earliest.length > 0 ? await this.logStartOffsets([...new Set(earliest.map((s) => s.topic))]) : new Map<string, number>();
    const consumer = this.consumer;
    if (!consumer || !ownership.isCurrentGeneration(generation) || this.stopRequested) return;
    const resume: TopicPartition[] = [];
    for (const start of starts) {
      const offset = start.offset === EARLIEST ? logStart.get(tpKey(start)) : start.offset;
      if (offset === undefined) throw new Error(`no log-start offset for ${tpLabel(start)}`);
      consumer.seek({ topic: start.topic, partition: start.partition, offset: String(offset) });
      ownership.activate(start.topic, start.partition, generation, offset);
      if (!this.userPaused.has(tpKey(start))) resume.push(start);
    }
    this.resumeInClient(resume);
  }

  /** EARLIEST means "the oldest retained message": ask the broker where its log starts now. */
  private async logStartOffsets(topics: string[]): Promise<Map<string, number>> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    const admin = await this.admin;
    const result = new Map<string, number>();
    for (const topic of topics) {
      for (const { partition, low } of await admin.fetchTopicOffsets(topic)) result.set(tpKey({ topic, partition }), Number(low));
    }
    return result;
  }

  private async eachBatch(payload: EachBatchPayload, ownership: PartitionOwnership): Promise<void> {
    const { batch } = payload;
    const entry = ownership.active(batch.topic, batch.partition);
    // Not acknowledged: if the partition is (still) ours, kafkajs fetches it again from its position.
    if (entry === undefined || payload.isStale() || !payload.isRunning()) return;
    const lastOffset = Number(batch.lastOffset());
    const messages = ownership.admit(entry, batch.messages.map(toRawMessage));
    if (messages.length > 0) {
      const keepAlive = setInterval(() => void payload.heartbeat().catch(() => undefined), this.heartbeatIntervalMs);
      let current: boolean;
      try {
        current = await ownership.deliver(entry, messages, Number(batch.highWatermark), lastOffset + 1);
      } finally {
        clearInterval(keepAlive);
      }
      if (!current) return;
    }
    // Also for a batch wholly below the start (after an out-of-range reset): move kafkajs past it.
    payload.resolveOffset(batch.lastOffset());
  }

  private pauseInClient(partitions: TopicPartition[]): void {
    if (partitions.length === 0) return;
    try {
      this.consumer?.pause(groupByTopic(partitions));
    } catch (error) {
      // Before run() kafkajs has no consumer group to pause; GROUP_JOIN re-applies every pause.
      this.log.debug('consumer.pause_deferred', { error: toError(error).message });
    }
  }

  private resumeInClient(partitions: TopicPartition[]): void {
    if (partitions.length === 0) return;
    try {
      this.consumer?.resume(groupByTopic(partitions));
    } catch (error) {
      this.log.debug('consumer.resume_deferred', { error: toError(error).message });
    }
  }

  private fatal(error: Error): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.ownership?.markFailed();
    this.log.error('consumer.fatal', { client: 'kafkajs', groupId: this.options.groupId, error: error.message });
    if (this.runResolved) (this.options.onFatal ?? crashProcess)(error);
    void this.stop();
  }
}

function toRawMessage(message: KafkaMessage): RawMessage {
  return { offset: Number(message.offset), key: message.key ?? null, value: message.value, timestampMs: Number(message.timestamp) };
}

function groupByTopic(partitions: TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? [];
    list.push(partition);
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}
