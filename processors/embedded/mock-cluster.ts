/**
 * An in-process Kafka-protocol broker: librdkafka's mock cluster, reached through koffi FFI on the
 * librdkafka that node-rdkafka already builds. It speaks enough of the protocol for both kafkajs and
 * node-rdkafka (produce, fetch, consumer groups, offsets) but has no CreateTopics handler, so topics
 * are created here through the mock's C API, with any partition count.
 *
 * Limits that shape how it may be used: each partition keeps only ~5 MiB (older batches are dropped
 * silently), and the cluster lives exactly as long as this process.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import koffi from 'koffi';

export const MOCK_CLUSTER_ERROR_CODES = {
  libraryUnavailable: 'MOCK_LIBRARY_UNAVAILABLE',
  startFailed: 'MOCK_CLUSTER_START_FAILED',
  topicCreateFailed: 'MOCK_TOPIC_CREATE_FAILED',
  stopped: 'MOCK_CLUSTER_STOPPED',
} as const;
export type MockClusterErrorCode = (typeof MOCK_CLUSTER_ERROR_CODES)[keyof typeof MOCK_CLUSTER_ERROR_CODES];

export class MockClusterError extends Error {
  override readonly name = 'MockClusterError';
  /** None of these heal by retrying the same call: a missing library or a rejected topic stays so. */
  readonly retriable = false;
  constructor(
    readonly code: MockClusterErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface MockClusterOptions {
  /** Number of mock brokers; partition leadership is spread over them. @default 1 */
  brokers?: number;
  /** Topics to create before returning, name -> partition count. */
  topics: Record<string, number>;
}

export interface MockCluster {
  /** Comma-separated `127.0.0.1:port` list, ready for `bootstrap.servers` / kafkajs `brokers`. */
  readonly bootstraps: string;
  readonly brokers: string[];
  createTopic(name: string, partitions: number): void;
  /**
   * Makes metadata name `host:port` as the address of broker `brokerId` (1-based) while it keeps
   * listening where it is: clients then connect through whatever listens there (a test proxy).
   */
  advertise(brokerId: number, host: string, port: number): void;
  /** Destroys the cluster; connected clients see their connections drop. Idempotent. */
  stop(): void;
}

/** Opaque C pointers (rd_kafka_t*, ...): JS only hands them back to librdkafka, never looks inside. */
type Handle = unknown;

interface LibRdKafka {
  confNew(): Handle;
  confSet(conf: Handle, name: string, value: string, errstr: Buffer, size: number): number;
  kafkaNew(type: number, conf: Handle, errstr: Buffer, size: number): Handle;
  kafkaDestroy(rk: Handle): void;
  err2str(err: number): string;
  mockClusterNew(rk: Handle, brokerCount: number): Handle;
  mockClusterBootstraps(mcluster: Handle): string;
  mockTopicCreate(mcluster: Handle, topic: string, partitions: number, replicationFactor: number): number;
  mockGroupInitialRebalanceDelayMs(mcluster: Handle, ms: number): void;
  mockBrokerSetHostPort(mcluster: Handle, brokerId: number, host: string, port: number): void;
  mockClusterDestroy(mcluster: Handle): void;
}

const RD_KAFKA_PRODUCER = 0;
const RD_KAFKA_CONF_OK = 0;
const ERRSTR_BYTES = 512;
/** Kafka's own limit; the mock would accept more, a real cluster would not. */
const MAX_PARTITIONS = 10_000;

let loaded: LibRdKafka | undefined;

/** Path of the librdkafka shared library that node-rdkafka built at install time. */
export function librdkafkaPath(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('node-rdkafka/package.json');
  } catch (cause) {
    throw new MockClusterError(
      MOCK_CLUSTER_ERROR_CODES.libraryUnavailable,
      'node-rdkafka is not installed, so there is no librdkafka to start the embedded broker with: run npm install, or set KAFKA_BROKERS to use an external broker',
      { cause },
    );
  }
  return join(dirname(packageJson), 'build', 'deps', 'librdkafka.so.1');
}

function loadLibrdkafka(): LibRdKafka {
  if (loaded) return loaded;
  const path = librdkafkaPath();
  if (!existsSync(path)) {
    throw new MockClusterError(
      MOCK_CLUSTER_ERROR_CODES.libraryUnavailable,
      `${path} does not exist: node-rdkafka's native build did not run or failed (npm rebuild node-rdkafka), or set KAFKA_BROKERS to use an external broker`,
    );
  }
  try {
    const lib = koffi.load(path);
    loaded = {
      confNew: lib.func('void* rd_kafka_conf_new()'),
      confSet: lib.func('int rd_kafka_conf_set(void* conf, const char* name, const char* value, char* errstr, size_t errstr_size)'),
      kafkaNew: lib.func('void* rd_kafka_new(int type, void* conf, char* errstr, size_t errstr_size)'),
      kafkaDestroy: lib.func('void rd_kafka_destroy(void* rk)'),
      err2str: lib.func('const char* rd_kafka_err2str(int err)'),
      mockClusterNew: lib.func('void* rd_kafka_mock_cluster_new(void* rk, int broker_cnt)'),
      mockClusterBootstraps: lib.func('const char* rd_kafka_mock_cluster_bootstraps(void* mcluster)'),
      mockTopicCreate: lib.func('int rd_kafka_mock_topic_create(void* mcluster, const char* topic, int partition_cnt, int replication_factor)'),
      mockGroupInitialRebalanceDelayMs: lib.func('void rd_kafka_mock_group_initial_rebalance_delay_ms(void* mcluster, int32_t ms)'),
      mockClusterDestroy: lib.func('void rd_kafka_mock_cluster_destroy(void* mcluster)'),
      mockBrokerSetHostPort: lib.func('void rd_kafka_mock_broker_set_host_port(void* mcluster, int32_t broker_id, const char* host, int port)'),
    };
    return loaded;
  } catch (cause) {
    throw new MockClusterError(
      MOCK_CLUSTER_ERROR_CODES.libraryUnavailable,
      `cannot load the mock cluster API from ${path} (${(cause as Error).message}); node-rdkafka must be built with its bundled librdkafka`,
      { cause },
    );
  }
}

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString('utf8', 0, end === -1 ? buffer.length : end);
}

export function startMockCluster(options: MockClusterOptions): MockCluster {
  const brokerCount = options.brokers ?? 1;
  if (!Number.isInteger(brokerCount) || brokerCount < 1 || brokerCount > 32) {
    throw new MockClusterError(MOCK_CLUSTER_ERROR_CODES.startFailed, `brokers must be an integer from 1 to 32, got ${brokerCount}`);
  }
  const lib = loadLibrdkafka();
  const errstr = Buffer.alloc(ERRSTR_BYTES);

  // The mock needs a client handle for its bookkeeping; an idle producer is the cheapest one.
  const conf = lib.confNew();
  // Warnings and errors only: the idle producer would otherwise log about its empty bootstrap list.
  if (lib.confSet(conf, 'log_level', '4', errstr, ERRSTR_BYTES) !== RD_KAFKA_CONF_OK) {
    throw new MockClusterError(MOCK_CLUSTER_ERROR_CODES.startFailed, `librdkafka rejected log_level: ${cString(errstr)}`);
  }
  // rd_kafka_new takes ownership of conf, also when it fails.
  const rk = lib.kafkaNew(RD_KAFKA_PRODUCER, conf, errstr, ERRSTR_BYTES);
  if (!rk) throw new MockClusterError(MOCK_CLUSTER_ERROR_CODES.startFailed, `rd_kafka_new failed: ${cString(errstr)}`);

  const mcluster = lib.mockClusterNew(rk, brokerCount);
  if (!mcluster) {
    lib.kafkaDestroy(rk);
    throw new MockClusterError(MOCK_CLUSTER_ERROR_CODES.startFailed, `rd_kafka_mock_cluster_new(${brokerCount}) failed (see librdkafka's log on stderr)`);
  }
  // The default delay (3 s, like a real broker) holds every first join of a group; tests and local
  // runs start and restart consumers constantly, and a lone member gains nothing from waiting.
  lib.mockGroupInitialRebalanceDelayMs(mcluster, 0);

  const bootstraps = lib.mockClusterBootstraps(mcluster);
  let stopped = false;

  const cluster: MockCluster = {
    bootstraps,
    brokers: bootstraps.split(','),
    createTopic(name, partitions) {
      if (stopped) throw new MockClusterError(MOCK_CLUSTER_ERROR_CODES.stopped, `cannot create topic ${name}: the mock cluster was stopped`);
      if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
        throw new MockClusterError(
          MOCK_CLUSTER_ERROR_CODES.topicCreateFailed,
          `cannot create topic ${name}: partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${partitions}`,
        );
      }
      const err = lib.mockTopicCreate(mcluster, name, partitions, 1);
      if (err !== 0) {
        throw new MockClusterError(
          MOCK_CLUSTER_ERROR_CODES.topicCreateFailed,
          `cannot create topic ${name} with ${partitions} partitions: ${lib.err2str(err)} (librdkafka error ${err})`,
        );
      }
    },
    advertise(brokerId, host, port) {
      if (stopped) throw new MockClusterError(MOCK_CLUSTER_ERROR_CODES.stopped, `cannot advertise broker ${brokerId}: the mock cluster was stopped`);
      lib.mockBrokerSetHostPort(mcluster, brokerId, host, port);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      lib.mockClusterDestroy(mcluster);
      lib.kafkaDestroy(rk);
    },
  };

  try {
    for (const [name, partitions] of Object.entries(options.topics)) cluster.createTopic(name, partitions);
  } catch (error) {
    cluster.stop();
    throw error;
  }
  return cluster;
}
