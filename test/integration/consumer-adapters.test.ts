/**
 * The StreamConsumer contract (processors/kafka/consumer.ts), proven for both adapters against the
 * embedded broker: chosen start offsets, exclusive partition ownership across OS processes (revoke
 * before anyone else reads, takeover after SIGKILL), commit, pause/resume, bounded stop, and handler
 * failures surfacing through onFatal.
 *
 * Each test uses its own topic (the mock auto-creates it with 4 partitions on first produce) and its
 * own group. Timestamps compared across processes are wall-clock ms from the same machine.
 */
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_CLIENTS, type KafkaClientName } from '../../processors/config.js';
import { EARLIEST, type Batch, type ConsumerHandlers, type StreamConsumer, type TopicPartition } from '../../processors/kafka/consumer.js';
import { createConsumer } from '../../processors/kafka/create-consumer.js';
import { spawnBroker, type SpawnedBroker } from '../support/broker.js';
import { waitFor, type Truthy, type WaitForOptions } from '../support/poll.js';
import { spawnTsx, type TsxChild } from '../support/tsx-child.js';

const PARTITIONS = [0, 1, 2, 3];
const SESSION_TIMEOUT_MS = 3_000;
/** stop()'s own budget is 5 s; a little scheduling slack on top. */
const STOP_BOUND_MS = 6_000;

let broker: SpawnedBroker;
let kafka: Kafka;
let producer: Producer;
let admin: Admin;

beforeAll(async () => {
  broker = await spawnBroker({ partitions: 4, deadLetterPartitions: 1, prefix: 'adapters.' });
  kafka = new Kafka({ clientId: 'consumer-adapters-test', brokers: broker.brokers, logLevel: logLevel.ERROR });
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.stop();
});

let topicSeq = 0;
const newTopic = (name: string, client: string) => `adapters-${name}-${client}-${process.pid}-${++topicSeq}`;

/** `count` messages per listed partition, keyed `${tag}-${partition}-${i}`. */
async function produce(topic: string, partitions: readonly number[], count: number, tag: string): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    const n = Math.min(500, count - start);
    await producer.send({
      topic,
      messages: partitions.flatMap((partition) =>
        Array.from({ length: n }, (_, i) => ({ partition, key: `${tag}-${partition}-${start + i}`, value: JSON.stringify({ tag, i: start + i }) })),
      ),
    });
  }
}

/** Keyed messages, spread over partitions by the murmur2 partitioner; returns the keys. */
async function produceKeyed(topic: string, count: number, tag: string): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
  for (let start = 0; start < count; start += 500) {
    await producer.send({ topic, messages: keys.slice(start, start + 500).map((key) => ({ key, value: JSON.stringify({ key }) })) });
  }
  return keys;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Records what an in-process consumer's handlers saw. */
class Recorder {
  readonly assigned: Array<{ partitions: number[]; at: number }> = [];
  readonly revoked: Array<{ partitions: number[]; at: number }> = [];
  readonly batches: Array<Batch & { at: number }> = [];
  readonly fatal: Error[] = [];
  fatalAt = Number.POSITIVE_INFINITY;

  constructor(private readonly start: (tp: TopicPartition) => number = () => EARLIEST) {}

  handlers(overrides: Partial<ConsumerHandlers> = {}): ConsumerHandlers {
    return {
      onAssigned: async (tps) => {
        this.assigned.push({ partitions: tps.map((tp) => tp.partition).sort((x, y) => x - y), at: Date.now() });
        return overrides.onAssigned ? overrides.onAssigned(tps) : tps.map((tp) => ({ ...tp, offset: this.start(tp) }));
      },
      onRevoked: async (tps) => {
        this.revoked.push({ partitions: tps.map((tp) => tp.partition).sort((x, y) => x - y), at: Date.now() });
        await overrides.onRevoked?.(tps);
      },
      onBatch: async (batch) => {
        this.batches.push({ ...batch, at: Date.now() });
        await overrides.onBatch?.(batch);
      },
    };
  }

  offsets(partition: number): number[] {
    return this.batches.filter((b) => b.partition === partition).flatMap((b) => b.messages.map((m) => m.offset));
  }

  onFatal = (error: Error) => {
    this.fatal.push(error);
    this.fatalAt = Math.min(this.fatalAt, Date.now());
  };
}

async function timed(promise: Promise<unknown>): Promise<number> {
  const started = performance.now();
  await promise;
  return performance.now() - started;
}

describe.each(KAFKA_CLIENTS.map((client) => ({ client })))('$client adapter', ({ client }: { client: KafkaClientName }) => {
  const consumerFor = (groupId: string, recorder: Recorder): StreamConsumer =>
    createConsumer({ client, brokers: broker.brokers, groupId, clientId: `${groupId}-${recorder.assigned.length}`, sessionTimeoutMs: SESSION_TIMEOUT_MS, onFatal: recorder.onFatal });

  it('delivers exactly the offsets from each chosen start, once and in order, only after onAssigned resolved', async () => {
    const topic = newTopic('starts', client);
    const perPartition = 300;
    const start = 120;
    await produce(topic, PARTITIONS, perPartition, 'before');

    const recorder = new Recorder();
    let startsChosenAt = Number.POSITIVE_INFINITY;
    const consumer = consumerFor(`starts-${topic}`, recorder);
    try {
      await consumer.run(
        [topic],
        recorder.handlers({
          async onAssigned(tps) {
            // A slow onAssigned (it reads state from ClickHouse): nothing may be fetched meanwhile.
            await new Promise((resolve) => setTimeout(resolve, 300));
            startsChosenAt = Date.now();
            return tps.map((tp) => ({ ...tp, offset: tp.partition === 3 ? EARLIEST : start }));
          },
        }),
      );
      // A sentinel after the data: once it arrives, everything before it has (per-partition order).
      await produce(topic, PARTITIONS, 1, 'sentinel');
      await waitFor(() => PARTITIONS.every((p) => recorder.offsets(p).at(-1) === perPartition), {
        timeoutMs: 30_000,
        description: `every partition's sentinel (offset ${perPartition}) to be delivered`,
      });

      expect(recorder.assigned.map((a) => a.partitions)).toEqual([PARTITIONS]);
      for (const p of PARTITIONS) expect(recorder.offsets(p)).toEqual(range(p === 3 ? 0 : start, perPartition + 1));
      expect(recorder.batches.every((b) => b.at >= startsChosenAt)).toBe(true);
      const now = Date.now();
      for (const batch of recorder.batches) {
        const last = batch.messages.at(-1)!;
        expect(batch.highWatermark).toBeGreaterThanOrEqual(last.offset + 1);
        for (const m of batch.messages) {
          const tag = m.offset === perPartition ? 'sentinel' : 'before';
          const i = m.offset === perPartition ? 0 : m.offset;
          expect(m.key?.toString()).toBe(`${tag}-${batch.partition}-${i}`);
          expect(JSON.parse(m.value!.toString())).toEqual({ tag, i });
          expect(m.timestampMs).toBeGreaterThan(now - 120_000);
          expect(m.timestampMs).toBeLessThanOrEqual(now);
        }
      }
      expect(recorder.fatal).toEqual([]);
    } finally {
      const stopMs = await timed(consumer.stop());
      expect(stopMs).toBeLessThan(STOP_BOUND_MS);
    }
    // stop() revokes what the handlers own, after which nothing is delivered.
    expect(recorder.revoked.map((r) => r.partitions)).toEqual([PARTITIONS]);
    expect(recorder.batches.every((b) => b.at <= recorder.revoked[0]!.at)).toBe(true);
  });

  it('commits exactly the given offsets, and pause stops a partition until resume', async () => {
    const topic = newTopic('commit', client);
    const groupId = `commit-${topic}`;
    await produce(topic, PARTITIONS, 100, 'first');
    const recorder = new Recorder();
    const consumer = consumerFor(groupId, recorder);
    try {
      await consumer.run([topic], recorder.handlers());
      await waitFor(() => PARTITIONS.every((p) => recorder.offsets(p).length === 100), { timeoutMs: 30_000, description: 'the first 100 messages of every partition' });

      // Not assigned to this member: skipped without an error.
      await consumer.commit([
        { topic, partition: 0, offset: 17 },
        { topic, partition: 1, offset: 42 },
        { topic: `${topic}-other`, partition: 0, offset: 5 },
      ]);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPartition = Object.fromEntries(committed!.partitions.map((p) => [p.partition, p.offset]));
      expect(byPartition).toEqual({ 0: '17', 1: '42', 2: '-1', 3: '-1' });

      consumer.pause([{ topic, partition: 0 }]);
      await produce(topic, [0, 1], 50, 'second');
      await waitFor(() => recorder.offsets(1).length === 150, { timeoutMs: 30_000, description: 'partition 1 to deliver the messages produced after the pause' });
      expect(recorder.offsets(0)).toEqual(range(0, 100));

      consumer.resume([{ topic, partition: 0 }]);
      await waitFor(() => recorder.offsets(0).length === 150, { timeoutMs: 30_000, description: 'partition 0 to deliver its messages after resume' });
      expect(recorder.offsets(0)).toEqual(range(0, 150));
      expect(recorder.offsets(1)).toEqual(range(0, 150));
      expect(recorder.fatal).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });

  it('gives each partition to one process at a time: revoke before the other reads, takeover after SIGKILL', async () => {
    const topic = newTopic('group', client);
    const group = `group-${topic}`;
    const before = await produceKeyed(topic, 800, 'before');
    // onRevoked takes a while (a processor flushes there): it must be over before another member reads.
    const member = () =>
      spawnTsx('test/support/adapter-member.ts', [
        ...['--client', client, '--brokers', broker.bootstraps, '--topic', topic, '--group', group],
        ...['--session-timeout', String(SESSION_TIMEOUT_MS), '--revoke-ms', '500'],
      ]);
    const children: TsxChild[] = [];
    const killedAt = new Map<TsxChild, number>();
    const readByAny = (key: string) => children.some((child) => keysOf(child).has(key));
    try {
      const first = member();
      children.push(first);
      await waitForChildren(children, () => keysOf(first).size === before.length, { timeoutMs: 45_000, description: 'the first member to read every message' });
      expect(ownedNow(first)).toEqual(PARTITIONS);

      // Messages keep arriving while the second member joins, so the handover happens mid-stream.
      const streamed: string[] = [];
      let streaming = true;
      const stream = (async () => {
        for (let round = 0; streaming; round++) {
          streamed.push(...(await produceKeyed(topic, 20, `stream-${round}`)));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const second = member();
      children.push(second);
      let split: { a: number[]; b: number[] };
      try {
        split = await waitForChildren(
          children,
          () => {
            const a = ownedNow(first);
            const b = ownedNow(second);
            return a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === PARTITIONS.join() && { a, b };
          },
          { timeoutMs: 45_000, description: 'the two members to split the 4 partitions' },
        );
        // Both read on for a while after the split, still under a stream of new messages.
        const mark = streamed.length;
        await waitForChildren(children, () => streamed.length > mark + 100 && streamed.slice(0, mark + 100).every(readByAny), {
          timeoutMs: 30_000,
          description: 'the group to keep up with the stream after the split',
        });
      } finally {
        streaming = false;
        await stream;
      }
      await waitForChildren(children, () => streamed.every(readByAny), { timeoutMs: 30_000, description: 'every streamed message to be read' });

      // The moved partitions: revoked in the first member (onRevoked returned) before the second read.
      const handovers = split.b.map((p) => {
        const revoked = linesOf(first, 'revoked').find((line) => line.partitions.includes(p));
        const firstRead = linesOf(second, 'batch').find((line) => line.partition === p)?.at;
        expect(revoked, `partition ${p}: revoked in the first member`).toBeDefined();
        expect(firstRead, `partition ${p}: read by the second member`).toBeDefined();
        expect(revoked!.doneAt!).toBeLessThanOrEqual(firstRead!);
        return `p${p} +${firstRead! - revoked!.doneAt!} ms`;
      });

      // Kill the older member (the group leader): the newer one must take everything over.
      first.process.kill('SIGKILL');
      await first.exited;
      const killed = Date.now();
      killedAt.set(first, killed);
      const after = await produceKeyed(topic, 400, 'after');
      await waitForChildren(children, () => ownedNow(second).length === 4 && after.every((key) => keysOf(second).has(key)), {
        timeoutMs: 45_000,
        description: 'the survivor to take every partition back and read every message produced after the kill',
      });
      const takeover = linesOf(second, 'assigned').at(-1)!.at - killed;
      console.info(`${client}: split ${split.a.join(',')} | ${split.b.join(',')}; first read after onRevoked returned: ${handovers.join(', ')}; takeover ${takeover} ms after SIGKILL`);

      expect(children.flatMap((child) => linesOf(child, 'fatal'))).toEqual([]);
      checkExclusiveOwnership(children, killedAt);
      for (const child of children) checkContiguous(child);
    } finally {
      await Promise.all(children.map((child) => child.stop('SIGKILL')));
    }
  });

  it('stops within a bounded time, also in the middle of a rebalance', async () => {
    const topic = newTopic('stop', client);
    const groupId = `stop-${topic}`;
    await produce(topic, PARTITIONS, 50, 'data');
    const first = new Recorder();
    const second = new Recorder();
    const a = consumerFor(groupId, first);
    const b = consumerFor(groupId, second);
    let secondRun: Promise<void> | undefined;
    let secondRunSettled = false;
    try {
      await a.run([topic], first.handlers());
      await waitFor(() => PARTITIONS.every((p) => first.offsets(p).length === 50), { timeoutMs: 30_000, description: 'the first consumer to read everything' });
      secondRun = b.run([topic], second.handlers()).finally(() => (secondRunSettled = true));
      secondRun.catch(() => undefined);
      await waitFor(() => first.revoked.length > 0, { timeoutMs: 30_000, description: 'the rebalance to start (first consumer revoked)' });
    } finally {
      const [stopA, stopB] = await Promise.all([timed(a.stop()), timed(b.stop())]);
      console.info(`${client}: stop() during a rebalance took ${stopA.toFixed(0)} ms (member) and ${stopB.toFixed(0)} ms (joining)`);
      expect(stopA).toBeLessThan(STOP_BOUND_MS);
      expect(stopB).toBeLessThan(STOP_BOUND_MS);
    }
    // The joining consumer's run() settles too (resolved or rejected), it does not hang.
    await waitFor(() => secondRunSettled, { timeoutMs: 15_000, description: "the second consumer's run() to settle after stop()" });
    expect([...first.fatal, ...second.fatal]).toEqual([]);
  });

  it('surfaces a failing handler through onFatal and delivers nothing after it', async () => {
    const topic = newTopic('fatal', client);
    await produce(topic, PARTITIONS, 20, 'data');
    const recorder = new Recorder();
    const consumer = consumerFor(`fatal-${topic}`, recorder);
    try {
      await consumer.run(
        [topic],
        recorder.handlers({
          async onBatch() {
            throw new Error('boom');
          },
        }),
      );
      await waitFor(() => recorder.fatal.length > 0, { timeoutMs: 30_000, description: 'onFatal' });
      expect(recorder.fatal).toHaveLength(1);
      expect(recorder.fatal[0]!.message).toContain('onBatch');
      expect((recorder.fatal[0]!.cause as Error).message).toBe('boom');
      // Batches already handed out may fail too (rdkafka delivers partitions concurrently), but no
      // handler is called after the failure, not even onRevoked.
      expect(recorder.batches.length).toBeGreaterThan(0);
      expect(recorder.batches.length).toBeLessThanOrEqual(PARTITIONS.length);
      expect(recorder.batches.every((b) => b.at <= recorder.fatalAt)).toBe(true);
      expect(recorder.revoked).toEqual([]);
    } finally {
      expect(await timed(consumer.stop())).toBeLessThan(STOP_BOUND_MS);
    }
  });
});

// ---- child-process bookkeeping --------------------------------------------------------------

interface AssignedLine {
  type: 'assigned' | 'revoked';
  partitions: number[];
  at: number;
  /** revoked: when onRevoked returned. */
  doneAt?: number;
}
interface BatchLine {
  type: 'batch';
  partition: number;
  offsets: number[];
  keys: string[];
  highWatermark: number;
  at: number;
}
interface FatalLine {
  type: 'fatal';
  error: string;
}
interface Lines {
  assigned: AssignedLine;
  revoked: AssignedLine;
  batch: BatchLine;
  fatal: FatalLine;
}

function linesOf<T extends keyof Lines>(child: TsxChild, type: T): Array<Lines[T]> {
  return child.lines.filter((line): line is Lines[T] => (line as { type?: unknown }).type === type);
}

/** The latest assigned-or-revoked line decides what the member owns now. */
function ownedNow(child: TsxChild): number[] {
  const last = child.lines.filter((line): line is AssignedLine => ['assigned', 'revoked'].includes((line as AssignedLine).type)).at(-1);
  return last?.type === 'assigned' ? last.partitions : [];
}

function latest(child: TsxChild, type: 'assigned' | 'revoked'): number[] | undefined {
  return linesOf(child, type).at(-1)?.partitions;
}

function keysOf(child: TsxChild): Set<string> {
  return new Set(linesOf(child, 'batch').flatMap((line) => line.keys));
}

function partitionOfKey(child: TsxChild, key: string): number {
  return linesOf(child, 'batch').find((line) => line.keys.includes(key))!.partition;
}

/** waitFor, with the children's output in the error: a consumer that crashed says why there. */
async function waitForChildren<T>(children: readonly TsxChild[], condition: () => T, options: WaitForOptions): Promise<Truthy<T>> {
  try {
    return await waitFor(condition, { intervalMs: 100, ...options });
  } catch (error) {
    const outputs = children.map((child) => `--- pid ${child.process.pid}:\n${child.output().slice(-4_000)}`).join('\n');
    throw new Error(`${(error as Error).message}\n${outputs}`, { cause: error });
  }
}

/**
 * Every batch was delivered while its member owned the partition (from its onAssigned to the call of
 * its onRevoked, or its death), and at no time between another member's onAssigned and the return of
 * its onRevoked (or its death) for that partition.
 */
function checkExclusiveOwnership(children: readonly TsxChild[], killedAt: ReadonlyMap<TsxChild, number>): void {
  const intervals = children.map((child) => {
    const open = new Map<number, number>();
    const closed: Array<{ partition: number; from: number; revokedAt: number; releasedAt: number }> = [];
    for (const line of child.lines as Array<AssignedLine | BatchLine>) {
      if (line.type === 'assigned') for (const p of line.partitions) open.set(p, line.at);
      if (line.type === 'revoked') {
        for (const p of line.partitions) {
          closed.push({ partition: p, from: open.get(p)!, revokedAt: line.at, releasedAt: line.doneAt! });
          open.delete(p);
        }
      }
    }
    const end = killedAt.get(child) ?? Number.POSITIVE_INFINITY;
    for (const [p, from] of open) closed.push({ partition: p, from, revokedAt: end, releasedAt: end });
    return closed;
  });
  children.forEach((child, i) => {
    for (const batch of linesOf(child, 'batch')) {
      const delivering = intervals[i]!.some((iv) => iv.partition === batch.partition && iv.from <= batch.at && batch.at <= iv.revokedAt);
      expect(delivering, `pid ${child.process.pid} read partition ${batch.partition} at ${batch.at} while owning it`).toBe(true);
      intervals.forEach((other, j) => {
        if (j === i) return;
        const held = other.some((iv) => iv.partition === batch.partition && iv.from <= batch.at && batch.at <= iv.releasedAt);
        expect(held, `partition ${batch.partition} read at ${batch.at} while another member held it`).toBe(false);
      });
    }
  });
}

/**
 * Within each assignment a member reads a partition from the start it chose (after the last offset it
 * read before, else from offset 0) with no offset skipped or repeated.
 */
function checkContiguous(child: TsxChild): void {
  const lastRead = new Map<number, number>();
  let expected = new Map<number, number>();
  for (const line of child.lines as Array<AssignedLine | BatchLine>) {
    if (line.type === 'assigned') expected = new Map(line.partitions.map((p) => [p, (lastRead.get(p) ?? -1) + 1]));
    if (line.type === 'batch') {
      const want = expected.get(line.partition);
      expect(want, `pid ${child.process.pid}: batch of unassigned partition ${line.partition}`).toBeDefined();
      expect(line.offsets, `pid ${child.process.pid}: partition ${line.partition} continues at ${want}`).toEqual(range(want!, want! + line.offsets.length));
      expected.set(line.partition, want! + line.offsets.length);
      lastRead.set(line.partition, line.offsets.at(-1)!);
    }
  }
}

