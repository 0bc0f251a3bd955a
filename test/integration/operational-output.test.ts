/**
 * What the processor prints, as an operator sees it: every secret variable gets a recognisable value
 * and all output of the processes run here is searched for it (a config error, --print-config, a run
 * whose Kafka authentication fails); and a real run at info level logs events, not messages.
 */
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECRET_VARIABLES } from '../../processors/config.js';
import { spawnBroker } from '../support/broker.js';
import { produceDay } from '../support/pipeline.js';
import { waitFor } from '../support/poll.js';
import { startProcessor, waitAssigned, type ProcessorTarget } from '../support/processor-runs.js';
import { spawnTsx, type TsxChild } from '../support/tsx-child.js';
import { stopProcessesAfterEach } from '../support/test-processes.js';

const processes = stopProcessesAfterEach();

function run(env: Record<string, string>, args: string[] = []): TsxChild {
  return processes.track(spawnTsx('processors/main.ts', args, env));
}

/** Every line the child printed, JSON lines included. */
function allOutput(child: TsxChild): string {
  return `${child.lines.map((line) => JSON.stringify(line)).join('\n')}\n${child.output()}`;
}

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
// Recognisable, and with characters that JSON escapes, so an escaped copy would be found too.
const SECRETS = Object.fromEntries(SECRET_VARIABLES.map((name) => [name, `s3cret-${name.toLowerCase()}-"q\\z`]));
const FULL_ENV = {
  ...SECRETS,
  KAFKA_BROKERS: 'kafka-1:9093',
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'ecom',
  KAFKA_SSL: 'true',
  KAFKA_SSL_CA_FILE: `${TLS_DIR}ca.pem`,
  KAFKA_SSL_CERT_FILE: `${TLS_DIR}client.pem`,
  KAFKA_SSL_KEY_FILE: `${TLS_DIR}client-key.pem`,
  CLICKHOUSE_URL: 'https://clickhouse:8443',
  CLICKHOUSE_USER: 'ecom_writer',
};

function expectNoSecret(text: string): void {
  for (const secret of Object.values(SECRETS)) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
    // The part before the characters JSON escapes: a partial copy is a leak too.
    expect(text).not.toContain(secret.slice(0, secret.indexOf('"')));
  }
}

describe('secrets never reach the output', () => {
  it('covers every secret variable', () => {
    expect(SECRET_VARIABLES.length).toBeGreaterThanOrEqual(3);
  });

  it('of a configuration error, which names the variable and what is allowed', async () => {
    const child = run({ ...FULL_ENV, LOG_LEVEL: 'loud' });
    expect((await child.exited).code).toBe(2);
    expect(child.output()).toContain('LOG_LEVEL: must be one of debug, info, warn, error (got "loud")');
    expectNoSecret(allOutput(child));
  });

  it('of --print-config, which masks them', async () => {
    const child = run(FULL_ENV, ['--print-config']);
    expect((await child.exited).code).toBe(0);
    const printed = JSON.parse(child.output()) as { kafka: { sasl: { password: string }; ssl: { keyPassword: string } }; clickhouse: { password: string } };
    expect([printed.kafka.sasl.password, printed.kafka.ssl.keyPassword, printed.clickhouse.password]).toEqual(['********', '********', '********']);
    expectNoSecret(allOutput(child));
  });

  it.each(['kafkajs', 'rdkafka'])('of a %s run whose broker does not speak SASL, at debug level', async (client) => {
    const broker = (processes.broker = await spawnBroker({ partitions: 2 }));
    const dataDir = mkdtempSync(join(tmpdir(), 'ecom-secrets-'));
    const env = {
      KAFKA_BROKERS: broker.bootstraps,
      KAFKA_CLIENT: client,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'ecom',
      KAFKA_SASL_PASSWORD: SECRETS.KAFKA_SASL_PASSWORD!,
      KAFKA_SESSION_TIMEOUT_MS: '3000',
      CLICKHOUSE_DATA_DIR: dataDir,
      LOG_LEVEL: 'debug',
      HTTP_ACCESS_TOKEN: SECRETS.HTTP_ACCESS_TOKEN!,
      METRICS_PORT: '0',
    };
    const child = run(env);
    // The embedded broker has no SASL: the clients retry, log their failures and give up (rdkafka
    // after its 30 s connect timeout); the whole run's output is searched.
    await waitFor(() => child.process.exitCode !== null, { timeoutMs: 150_000, description: 'the processor to give up' });
    expect(child.process.exitCode).toBe(1);
    expect(child.output()).toContain('"event":"processor.start_failed"');
    expectNoSecret(allOutput(child));
  });
});

describe('logs at info level', () => {
  it('are JSON lines about events, never one per message; dead letters are summarised', async () => {
    const broker = (processes.broker = await spawnBroker({ partitions: 4 }));
    const processors: ProcessorTarget = { brokers: broker.brokers, dataDir: mkdtempSync(join(tmpdir(), 'ecom-logs-')), groupId: 'logs-test', database: 'logs' };
    const truth = await produceDay(broker.brokers, broker.topics, { seed: 9, timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24, events: 5_000 });
    const child = processes.track(startProcessor(processors, { LOG_LEVEL: 'info' }));
        await waitAssigned(child);
    await waitFor(
      () =>
        child.lines.some((line) => {
          const s = (line as { status?: { counted: number; duplicates: number; deadLetters: number } }).status;
          return s !== undefined && s.counted + s.duplicates + s.deadLetters >= truth.messages.total;
        }),
      { timeoutMs: 60_000, description: `all ${truth.messages.total} messages processed` },
    );
    await child.stop('SIGTERM', 15_000);
    expect((await child.exited).code).toBe(0);

    const logLines = child.output().split('\n').filter((line) => line.trim() !== '');
    const events = logLines.map((line) => JSON.parse(line) as { level: string; event: string; dead_letters?: number });
    expect(events.every((e) => typeof e.event === 'string' && ['info', 'warn', 'error'].includes(e.level))).toBe(true);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['processor.started', 'partitions.assigned', 'processor.stopping', 'processor.stopped']));
    // The first dead letters of the run are summarised at once; the rest wait for the next interval.
    expect(Object.values(truth.dead_letters).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(events.find((e) => e.event === 'dead_letters.summary')?.dead_letters).toBeGreaterThan(0);
    // A handful of lines for thousands of messages: nothing is logged per message.
    expect(events.length).toBeLessThan(30);
  });
});
