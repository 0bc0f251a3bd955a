/**
 * The embedded stack the other integration tests build on: the mock broker in a process of its own,
 * consumer groups spanning OS processes with both Kafka clients, and chDB's one-process-per-directory
 * rule turned into typed errors.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClickHouse, type ClickHouseOpenError } from '../../processors/clickhouse/client.js';
import { loadConfig } from '../../processors/config.js';
import { inputTopics } from '../../schemas/topics.js';
import { spawnBroker, type SpawnedBroker } from '../support/broker.js';
import { waitFor, type Truthy, type WaitForOptions } from '../support/poll.js';
import { spawnTsx, type TsxChild } from '../support/tsx-child.js';

const PARTITIONS = 12;
const DEAD_LETTER_PARTITIONS = 3;
const MESSAGES = 3_000;

interface AssignmentLine {
  type: 'assignment';
  partitions: number[];
  sinceStartMs: number;
}
interface MessageLine {
  type: 'message';
  partition: number;
  offset: string;
  key: string | null;
}
const isAssignment = (line: unknown): line is AssignmentLine => (line as AssignmentLine).type === 'assignment';
const isMessage = (line: unknown): line is MessageLine => (line as MessageLine).type === 'message';

const latestAssignment = (child: TsxChild) => child.lines.filter(isAssignment).at(-1)?.partitions ?? [];
const messagesOf = (child: TsxChild) => child.lines.filter(isMessage);

/** waitFor, with the children's output in the error: a consumer that crashed says why there. */
async function waitForChildren<T>(children: readonly TsxChild[], condition: () => T, options: WaitForOptions): Promise<Truthy<T>> {
  try {
    return await waitFor(condition, options);
  } catch (error) {
    const outputs = children.map((child) => `--- pid ${child.process.pid}:\n${child.output()}`).join('\n');
    throw new Error(`${(error as Error).message}\n${outputs}`, { cause: error });
  }
}

const quietKafka = (brokers: string[]) => new Kafka({ clientId: 'embedded-stack-test', brokers, logLevel: logLevel.ERROR });

describe('embedded broker process', () => {
  let broker: SpawnedBroker;
  let producer: Producer;

  beforeAll(async () => {
    broker = await spawnBroker({ partitions: PARTITIONS, deadLetterPartitions: DEAD_LETTER_PARTITIONS, prefix: 'stack.' });
    console.info(`broker process ready in ${broker.startupMs.toFixed(0)} ms at ${broker.bootstraps}`);
    producer = quietKafka(broker.brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await broker?.stop();
  });

  it('creates the project topics with the configured partition counts', async () => {
    const admin = quietKafka(broker.brokers).admin();
    await admin.connect();
    try {
      const names = [...inputTopics(broker.topics), broker.topics.deadLetter];
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const counts = Object.fromEntries(topics.map((topic) => [topic.name, topic.partitions.length]));
      expect(counts).toEqual({
        'stack.ecom.clicks': PARTITIONS,
        'stack.ecom.cart': PARTITIONS,
        'stack.ecom.payments': PARTITIONS,
        'stack.ecom.inventory': PARTITIONS,
        'stack.ecom.dead-letter': DEAD_LETTER_PARTITIONS,
      });
      expect(broker.partitions).toEqual(counts);
    } finally {
      await admin.disconnect();
    }
  });

  it.each([
    { client: 'kafkajs', topic: () => broker.topics.click },
    { client: 'rdkafka', topic: () => broker.topics.cart },
  ])('shares a topic between two $client consumer processes in one group, each message consumed once', async ({ client, topic: topicOf }) => {
    const topic = topicOf();
    const group = `stack-${client}-${Date.now()}`;
    const consumer = () => spawnTsx('test/support/group-consumer-child.ts', ['--client', client, '--brokers', broker.bootstraps, '--topic', topic, '--group', group]);
    const children = [consumer(), consumer()];
    try {
      // Produce only once the group is stable, so no message can be handed over in a rebalance:
      // what is proven is the split of partitions across processes, not commit-on-revoke timing.
      const allPartitions = Array.from({ length: PARTITIONS }, (_, p) => p).join();
      const stable = await waitForChildren(
        children,
        () => {
          const split = children.map(latestAssignment);
          return split.every((owned) => owned.length > 0) && split.flat().sort((x, y) => x - y).join() === allPartitions && split;
        },
        { timeoutMs: 45_000, intervalMs: 100, description: `two ${client} consumers to split ${PARTITIONS} partitions` },
      );
      const joins = children.map((child) => child.lines.find(isAssignment)?.sinceStartMs);
      console.info(`${client}: first assignment ${joins.join(' / ')} ms after the child started; stable split ${children.map((c) => latestAssignment(c).length).join('+')}`);

      for (let start = 0; start < MESSAGES; start += 500) {
        const messages = Array.from({ length: Math.min(500, MESSAGES - start) }, (_, i) => ({ key: `key-${start + i}`, value: JSON.stringify({ i: start + i }) }));
        await producer.send({ topic, messages });
      }

      await waitForChildren(children, () => children.reduce((sum, child) => sum + messagesOf(child).length, 0) >= MESSAGES, {
        timeoutMs: 60_000,
        intervalMs: 100,
        description: `${MESSAGES} messages consumed by the ${client} group`,
      });
      // Read before stopping: leaving the group revokes everything.
      expect(children.map(latestAssignment)).toEqual(stable);
      await Promise.all(children.map((child) => child.stop()));
      expect(children.flatMap((child) => child.lines).filter((line) => (line as { type?: string }).type === 'crash')).toEqual([]);

      const seen = new Map<string, number>();
      for (const child of children) for (const message of messagesOf(child)) seen.set(String(message.key), (seen.get(String(message.key)) ?? 0) + 1);
      expect(seen.size).toBe(MESSAGES);
      expect([...seen.values()].every((count) => count === 1)).toBe(true);
      children.forEach((child, i) => {
        const owned = new Set(stable[i]);
        expect(messagesOf(child).length).toBeGreaterThan(0);
        expect(messagesOf(child).every((message) => owned.has(message.partition))).toBe(true);
      });

      // A new group starts from the earliest offset, i.e. reads what was produced before it joined.
      const late = spawnTsx('test/support/group-consumer-child.ts', ['--client', client, '--brokers', broker.bootstraps, '--topic', topic, '--group', `${group}-late`]);
      children.push(late);
      await waitForChildren([late], () => messagesOf(late).length >= MESSAGES, { timeoutMs: 60_000, intervalMs: 100, description: `a fresh ${client} group to read all ${MESSAGES} earlier messages` });
      await late.stop();
      expect(new Set(messagesOf(late).map((message) => message.key)).size).toBe(MESSAGES);
    } finally {
      await Promise.all(children.map((child) => child.stop('SIGKILL')));
    }
  });

  it('dies with its parent, even when the parent is SIGKILLed', async () => {
    const parent = spawnTsx('test/support/broker-parent-child.ts');
    try {
      const { brokerPid } = await parent.waitForLine((line): line is { brokerPid: number } => typeof (line as { brokerPid?: unknown }).brokerPid === 'number', {
        timeoutMs: 30_000,
        description: 'the broker it started',
      });
      expect(isRunning(brokerPid)).toBe(true);
      await parent.stop('SIGKILL');
      await waitFor(() => !isRunning(brokerPid), { timeoutMs: 10_000, description: `orphaned broker ${brokerPid} to exit` });
    } finally {
      await parent.stop('SIGKILL');
    }
  });
});

/** Linux: a process that exited but was not reaped yet (state Z) counts as gone. */
function isRunning(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('openClickHouse on embedded chDB', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'embedded-stack-chdb-'));
  const database = `stack_${process.pid}`;
  const config = loadConfig({ CLICKHOUSE_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: database });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates the database, uses it for unqualified names, binds parameters, and locks out other processes', async () => {
    const client = await openClickHouse(config.clickhouse);
    try {
      await client.command({ query: 'CREATE TABLE IF NOT EXISTS orders (order_id String, amount_fen UInt64) ENGINE = MergeTree ORDER BY order_id' });
      await client.insert({
        table: 'orders',
        values: [
          { order_id: 'o-1', amount_fen: 1200 },
          { order_id: "o-2'; DROP TABLE orders; --", amount_fen: 300 },
          { order_id: 'o-3', amount_fen: 50 },
        ],
        format: 'JSONEachRow',
      });
      const result = await client.query({
        query: 'SELECT currentDatabase() AS db, count() AS orders, sum(amount_fen) AS fen FROM orders WHERE amount_fen >= {min:UInt64} AND order_id != {skip:String}',
        query_params: { min: 100, skip: 'o-1' },
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([{ db: database, orders: 1, fen: 300 }]);
      const tables = await client.query({ query: 'SELECT database FROM system.tables WHERE name = {t:String}', query_params: { t: 'orders' }, format: 'JSONEachRow' });
      expect(await tables.json()).toEqual([{ database }]);

      const otherDir = mkdtempSync(join(tmpdir(), 'embedded-stack-other-'));
      const conflict = await openClickHouse({ ...config.clickhouse, dataDir: otherDir }).catch((error: ClickHouseOpenError) => error);
      rmSync(otherDir, { recursive: true, force: true });
      expect(conflict).toMatchObject({ code: 'CLICKHOUSE_DATA_DIR_CONFLICT', retriable: false });
      expect((conflict as Error).message).toContain(dataDir);

      const locked = spawnTsx('test/support/open-clickhouse-child.ts', ['--data-dir', dataDir, '--database', database]);
      const refusal = await locked.waitForLine((line): line is { ok: boolean; code: string; retriable: boolean; message: string } => typeof line === 'object' && line !== null && 'ok' in line, {
        timeoutMs: 60_000,
        description: 'its open result',
      });
      expect(refusal).toMatchObject({ ok: false, code: 'CLICKHOUSE_DATA_DIR_LOCKED', retriable: true });
      expect(refusal.message).toContain(dataDir);
      expect(refusal.message).toContain(`pid ${process.pid}`);
    } finally {
      await client.close();
    }

    // Closing releases the directory: another process now opens it and sees the committed rows.
    const reader = spawnTsx('test/support/open-clickhouse-child.ts', ['--data-dir', dataDir, '--database', database, '--query', 'SELECT count() AS n FROM orders']);
    const reopened = await reader.waitForLine((line): line is { ok: boolean; rows: unknown[] } => typeof line === 'object' && line !== null && 'ok' in line, {
      timeoutMs: 60_000,
      description: 'its open result',
    });
    expect(reopened).toEqual({ ok: true, rows: [{ n: 3 }] });
  });
});
