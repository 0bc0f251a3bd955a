/**
 * Issue 7, fault injection: the processor's connections to Kafka cut and restored, with both clients.
 *
 * How the cut is made: a TCP proxy (test/support/tcp-proxy.ts) between the clients and the embedded
 * broker. A Kafka client only bootstraps through the address it is given and then connects to the
 * address the broker advertises in its metadata, so the broker is started advertising the proxy's
 * address (librdkafka's rd_kafka_mock_broker_set_host_port, broker-main.ts --advertise): every
 * connection, to the group coordinator included, goes through the proxy. A cut resets all of them and
 * resets new ones until it is restored; one outage outlasts the session timeout, so the group also
 * drops the member and it has to rejoin and reload its partitions.
 *
 * The day is produced in four parts, each while the proxy is up and before the next cut: the
 * processor must have reconnected to read the next part, and no produce request is ever in flight
 * during a cut (a retried one could be appended twice, which is not what this test is about).
 */
import { describe, it } from 'vitest';
import { createProducer, type ProducerMessage } from '../../processors/kafka/producer.js';
import { createLogger } from '../../processors/runtime/log.js';
import { startPipeline } from '../../processors/runtime/start-pipeline.js';
import { compareWithTruth } from '../../simulator/compare-clickhouse.js';
import { computeTruth, generateMessages, resolveConfig } from '../../simulator/index.js';
import { spawnBroker } from '../support/broker.js';
import { messagesSeen, testConfig } from '../support/pipeline.js';
import { waitFor } from '../support/poll.js';
import { deferredTeardown } from '../support/teardown.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const defer = deferredTeardown();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Outage lengths between the parts of the day; the second outlasts KAFKA_SESSION_TIMEOUT_MS (3 s in tests). */
const OUTAGES_MS = [1_000, 4_500, 1_000];

describe('broker connections cut and restored', () => {
  it.each(['kafkajs', 'rdkafka'] as const)('%s: the processor reconnects after every cut and the totals are exact', async (client) => {
    const proxy = await startTcpProxy();
    defer(() => proxy.close());
    const broker = await spawnBroker({ partitions: 8, advertise: `127.0.0.1:${proxy.port}` });
    defer(() => broker.stop());
    proxy.forwardTo(broker.brokers[0]!);
    const proxied = [`127.0.0.1:${proxy.port}`];
    const simulation = { seed: 31, timeZone: 'UTC', start: '2026-11-11', hours: 24, events: 15_000 };
    const topics = broker.topics;
    const messages: ProducerMessage[] = [...generateMessages(resolveConfig(simulation))].map((m) => ({ topic: topics[m.stream], key: m.key, value: m.value, timestampMs: m.timestampMs }));
    const producer = await createProducer({ client: 'rdkafka', brokers: proxied });
    defer(() => producer.disconnect());

    const config = testConfig(proxied, { KAFKA_CLIENT: client });
    const pipeline = await startPipeline(config, { log: createLogger(config.logLevel) });
    defer(() => pipeline.stop());
    const stats = pipeline.processor.stats;

    const part = Math.ceil(messages.length / (OUTAGES_MS.length + 1));
    for (let i = 0; i <= OUTAGES_MS.length; i++) {
      await producer.send(messages.slice(i * part, (i + 1) * part));
      const sent = Math.min(messages.length, (i + 1) * part);
      // A member that rejoined re-counts what it had not flushed, so this is a lower bound only.
      await waitFor(() => messagesSeen(stats) >= sent, { timeoutMs: 120_000, intervalMs: 50, description: `the processor to read part ${i + 1} of the day` });
      const outageMs = OUTAGES_MS[i];
      if (outageMs === undefined) break;
      const accepted = proxy.accepted();
      proxy.cut();
      await sleep(outageMs);
      proxy.restore();
      await waitFor(() => proxy.accepted() > accepted, { timeoutMs: 60_000, description: 'a client to reconnect through the proxy' });
    }

    const truth = computeTruth(simulation, topics);
    await waitFor(
      async () => {
        await pipeline.processor.flush();
        const differences = await compareWithTruth(pipeline.clickhouse, truth);
        if (differences.length > 0) throw new Error(`${differences.length} differences, first: ${differences[0]}`);
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: 'the stored totals to equal the ground truth' },
    );
  });
});
