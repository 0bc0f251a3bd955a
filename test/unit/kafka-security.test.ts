/**
 * KAFKA_SSL* and KAFKA_SASL_* reach both clients. No TLS or SASL broker is available here, so this
 * proves it in three steps: the mapping into each client's terms, the adapters and the producer
 * handing exactly that to the client constructors (captured), and the clients themselves accepting the
 * material (librdkafka loads it when connecting; kafkajs hands its object to Node's tls).
 */
import { createSecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KafkaSecurity } from '../../processors/config.js';
import { loadConfig } from '../../processors/config.js';
import { createConsumer } from '../../processors/kafka/create-consumer.js';
import { createProducer } from '../../processors/kafka/producer.js';
import { kafkaJsSecurity, NO_SECURITY, rdKafkaSecurity } from '../../processors/kafka/security.js';
import { spawnTsx } from '../support/tsx-child.js';

const captured = vi.hoisted(() => ({ configs: [] as { client: string; config: Record<string, unknown> }[] }));

// Constructors record their config and refuse to go further: nothing here connects anywhere.
vi.mock('kafkajs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('kafkajs')>();
  class Kafka {
    constructor(config: Record<string, unknown>) {
      captured.configs.push({ client: 'kafkajs', config });
    }
    producer(): never {
      throw new Error('captured');
    }
  }
  return { ...actual, Kafka };
});
vi.mock('node-rdkafka', async (importOriginal) => {
  const actual = (await importOriginal<{ default: typeof import('node-rdkafka') }>()).default;
  const capture = (client: string) =>
    function (config: Record<string, unknown>): never {
      captured.configs.push({ client, config });
      throw new Error('captured');
    };
  return { default: { ...actual, KafkaConsumer: capture('rdkafka consumer'), Producer: capture('rdkafka producer') } };
});

afterEach(() => {
  captured.configs.length = 0;
});

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const PASSPHRASE = 'test-key-passphrase';
const FILES = { CA: `${TLS_DIR}ca.pem`, CERT: `${TLS_DIR}client.pem`, KEY: `${TLS_DIR}client-key.pem` };

function security(env: Record<string, string>): KafkaSecurity {
  const { ssl, sasl } = loadConfig({ KAFKA_BROKERS: 'kafka:9093', ...env }).kafka;
  return { ssl, sasl };
}

const SASL = { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'sasl-pw' };
const MUTUAL_TLS = { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: FILES.CA, KAFKA_SSL_CERT_FILE: FILES.CERT, KAFKA_SSL_KEY_FILE: FILES.KEY, KAFKA_SSL_KEY_PASSWORD: PASSPHRASE };

describe('mapping', () => {
  it('is plaintext without settings', () => {
    expect(rdKafkaSecurity(security({}))).toEqual({ 'security.protocol': 'plaintext' });
    expect(kafkaJsSecurity(security({}))).toEqual({});
  });

  it('uses the CA store when only KAFKA_SSL is set', () => {
    expect(rdKafkaSecurity(security({ KAFKA_SSL: 'true' }))).toEqual({ 'security.protocol': 'ssl' });
    expect(kafkaJsSecurity(security({ KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
  });

  it.each([
    ['plain', 'PLAIN'],
    ['scram-sha-256', 'SCRAM-SHA-256'],
    ['scram-sha-512', 'SCRAM-SHA-512'],
  ])('maps SASL %s without TLS', (mechanism, librdkafkaName) => {
    const sasl = security({ ...SASL, KAFKA_SASL_MECHANISM: mechanism });
    expect(rdKafkaSecurity(sasl)).toEqual({ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': librdkafkaName, 'sasl.username': 'svc', 'sasl.password': 'sasl-pw' });
    expect(kafkaJsSecurity(sasl)).toEqual({ sasl: { mechanism, username: 'svc', password: 'sasl-pw' } });
  });

  it('maps SASL over mutual TLS: librdkafka gets paths, kafkajs the contents', () => {
    const both = security({ ...SASL, ...MUTUAL_TLS });
    expect(rdKafkaSecurity(both)).toEqual({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'svc',
      'sasl.password': 'sasl-pw',
      'ssl.ca.location': FILES.CA,
      'ssl.certificate.location': FILES.CERT,
      'ssl.key.location': FILES.KEY,
      'ssl.key.password': PASSPHRASE,
    });
    const read = (path: string) => Buffer.from(`contents of ${path}`);
    expect(kafkaJsSecurity(both, read)).toEqual({
      ssl: { ca: [read(FILES.CA)], cert: read(FILES.CERT), key: read(FILES.KEY), passphrase: PASSPHRASE },
      sasl: { mechanism: 'scram-sha-256', username: 'svc', password: 'sasl-pw' },
    });
  });
});

describe('the adapters and the producer pass it to their client', () => {
  const both = security({ ...SASL, ...MUTUAL_TLS });
  const consumerOptions = { brokers: ['kafka:9093'], groupId: 'g', security: both };

  it('kafkajs consumer', () => {
    createConsumer({ client: 'kafkajs', ...consumerOptions });
    expect(captured.configs).toEqual([{ client: 'kafkajs', config: expect.objectContaining(kafkaJsSecurity(both)) }]);
  });

  it('rdkafka consumer', async () => {
    await expect(createConsumer({ client: 'rdkafka', ...consumerOptions }).run(['t'], { onAssigned: async () => [], onRevoked: async () => {}, onBatch: async () => {} })).rejects.toThrow('captured');
    expect(captured.configs).toEqual([{ client: 'rdkafka consumer', config: expect.objectContaining(rdKafkaSecurity(both)) }]);
  });

  it.each([
    ['kafkajs', 'kafkajs', () => kafkaJsSecurity(both)],
    ['rdkafka', 'rdkafka producer', () => rdKafkaSecurity(both)],
  ] as const)('%s producer', async (client, constructor, expected) => {
    await expect(createProducer({ client, brokers: ['kafka:9093'], security: both })).rejects.toThrow('captured');
    expect(captured.configs).toEqual([{ client: constructor, config: expect.objectContaining(expected()) }]);
  });

  it('defaults to plaintext', () => {
    createConsumer({ client: 'kafkajs', brokers: ['kafka:9092'], groupId: 'g' });
    expect(captured.configs[0]?.config).not.toHaveProperty('ssl');
    expect(captured.configs[0]?.config).not.toHaveProperty('sasl');
    expect(rdKafkaSecurity(NO_SECURITY)).toEqual({ 'security.protocol': 'plaintext' });
  });
});

describe('the clients accept the TLS material', () => {
  it('librdkafka loads CA, certificate and encrypted key, and refuses a wrong passphrase', async () => {
    // Nothing listens on port 9: a config librdkafka accepts ends in a transport error, not a config error.
    const connect = async (keyPassword: string) => {
      const config = { 'metadata.broker.list': '127.0.0.1:9', ...rdKafkaSecurity(security({ ...MUTUAL_TLS, KAFKA_SSL_KEY_PASSWORD: keyPassword })) };
      const child = spawnTsx('test/support/rdkafka-connect-child.ts', [JSON.stringify(config)]);
      return child.waitForLine((l): l is { code: number; message: string } => typeof (l as { code?: unknown }).code === 'number', {
        timeoutMs: 20_000,
        description: 'the connect outcome',
      });
    };
    const [accepted, refused] = await Promise.all([connect(PASSPHRASE), connect('wrong-passphrase')]);
    expect(accepted.message).not.toMatch(/ssl/i);
    expect(accepted.message).not.toBe('');
    expect(refused.message).toContain('ssl.key.location');
    expect(refused.message).not.toContain('wrong-passphrase');
  }, 30_000);

  it("kafkajs's TLS options make a Node secure context, and a wrong passphrase does not", () => {
    const options = kafkaJsSecurity(security(MUTUAL_TLS)).ssl;
    expect(typeof options).toBe('object');
    expect(() => createSecureContext(options as object)).not.toThrow();
    const wrong = kafkaJsSecurity(security({ ...MUTUAL_TLS, KAFKA_SSL_KEY_PASSWORD: 'wrong-passphrase' })).ssl;
    expect(() => createSecureContext(wrong as object)).toThrow();
  });
});
