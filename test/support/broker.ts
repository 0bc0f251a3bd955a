/**
 * Starts the embedded broker (processors/embedded/broker-main.ts) as a child process, so that
 * processors and producers in other processes can share it, and kill and restart around it.
 */
import { topicNames, type TopicNames } from '../../schemas/topics.js';
import type { BrokerReadyLine } from '../../processors/embedded/broker-main.js';
import { spawnTsx } from './tsx-child.js';

export interface SpawnBrokerOptions {
  /** Partitions per input topic. @default 16 */
  partitions?: number;
  /** @default 4 */
  deadLetterPartitions?: number;
  /** Topic prefix, see schemas/topics.ts. @default '' */
  prefix?: string;
  /** @default 30000 */
  readyTimeoutMs?: number;
  /** `host:port` that metadata names as the broker's address (a proxy's), see broker-main.ts. */
  advertise?: string;
}

export interface SpawnedBroker {
  /** `127.0.0.1:port` addresses, as kafkajs `brokers` wants them. */
  readonly brokers: string[];
  /** The same, comma-separated, as librdkafka's `metadata.broker.list` wants them. */
  readonly bootstraps: string;
  readonly topics: TopicNames;
  /** Topic name -> partition count, as the broker created them. */
  readonly partitions: Readonly<Record<string, number>>;
  readonly pid: number;
  /** From spawn to the ready line. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

function isReadyLine(line: unknown): line is BrokerReadyLine {
  return typeof line === 'object' && line !== null && typeof (line as BrokerReadyLine).brokers === 'string' && typeof (line as BrokerReadyLine).topics === 'object';
}

export async function spawnBroker(options: SpawnBrokerOptions = {}): Promise<SpawnedBroker> {
  const { partitions = 16, deadLetterPartitions = 4, prefix = '', readyTimeoutMs = 30_000, advertise } = options;
  const startedAt = performance.now();
  const child = spawnTsx('processors/embedded/broker-main.ts', [
    '--partitions',
    String(partitions),
    '--dead-letter-partitions',
    String(deadLetterPartitions),
    '--prefix',
    prefix,
    ...(advertise === undefined ? [] : ['--advertise', advertise]),
  ]);
  let ready: BrokerReadyLine;
  try {
    ready = await child.waitForLine(isReadyLine, { timeoutMs: readyTimeoutMs, description: 'its ready line {"brokers":...,"topics":...}' });
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
  return {
    brokers: ready.brokers.split(','),
    bootstraps: ready.brokers,
    topics: topicNames(prefix),
    partitions: ready.topics,
    pid: child.process.pid ?? -1,
    startupMs: performance.now() - startedAt,
    stop: () => child.stop(),
  };
}
