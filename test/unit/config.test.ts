import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, renderConfig, type PipelineConfig } from '../../processors/config.js';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

const EXTERNAL_KAFKA = { KAFKA_BROKERS: 'kafka:9092' };
const SERVER_CLICKHOUSE = { CLICKHOUSE_URL: 'http://clickhouse:8123' };

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(loadConfig({})).toEqual<PipelineConfig>({
      kafka: { brokers: undefined, client: 'kafkajs', groupId: 'ecom-metrics', topicPrefix: '', sessionTimeoutMs: 10_000, ssl: false, sasl: undefined },
      clickhouse: { url: undefined, dataDir: './data/chdb', database: 'ecom_metrics', username: 'default', password: '' },
      pipeline: {
        timeZone: 'Asia/Shanghai',
        currency: 'CNY',
        flushIntervalMs: 1_000,
        allowedLatenessHours: 48,
        maxMessageBytes: 65_536,
        maxFutureSkewSeconds: 300,
        dedupWindow: 200_000,
        maxUnflushedMessages: 100_000,
        maxKeysPerHour: 10_000,
      },
      http: { host: '127.0.0.1', metricsPort: 9_464 },
      logLevel: 'info',
    });
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' })).toEqual(loadConfig({}));
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ KAFKA_BROKERS: '', FLUSH_INTERVAL_MS: '  ', CLICKHOUSE_URL: '' })).toEqual(loadConfig({}));
  });

  it('coerces and normalises values', () => {
    const config = loadConfig({
      ...EXTERNAL_KAFKA,
      ...SERVER_CLICKHOUSE,
      KAFKA_BROKERS: ' kafka-1:9092, 10.0.0.2:9093 ,[::1]:9094',
      KAFKA_CLIENT: 'rdkafka',
      KAFKA_SSL: '1',
      KAFKA_SESSION_TIMEOUT_MS: '3000',
      FLUSH_INTERVAL_MS: '250',
      ALLOWED_LATENESS_HOURS: '72',
      MAX_MESSAGE_BYTES: '1048576',
      MAX_FUTURE_SKEW_SECONDS: '0',
      DEDUP_WINDOW: '1000',
      MAX_UNFLUSHED_MESSAGES: '5000',
      MAX_KEYS_PER_HOUR: '200',
      METRICS_PORT: '0',
      PIPELINE_TZ: 'europe/berlin',
      PIPELINE_CURRENCY: 'EUR',
      HTTP_HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      TOPIC_PREFIX: 'staging.',
      CLICKHOUSE_USER: 'pipeline',
      CLICKHOUSE_PASSWORD: 'pw',
    });
    expect(config.kafka).toMatchObject({ brokers: ['kafka-1:9092', '10.0.0.2:9093', '[::1]:9094'], client: 'rdkafka', ssl: true, sessionTimeoutMs: 3_000, topicPrefix: 'staging.' });
    expect(config.pipeline).toEqual({
      timeZone: 'Europe/Berlin',
      currency: 'EUR',
      flushIntervalMs: 250,
      allowedLatenessHours: 72,
      maxMessageBytes: 1_048_576,
      maxFutureSkewSeconds: 0,
      dedupWindow: 1_000,
      maxUnflushedMessages: 5_000,
      maxKeysPerHour: 200,
    });
    expect(config.http).toEqual({ host: '0.0.0.0', metricsPort: 0 });
    expect(config.clickhouse).toMatchObject({ url: 'http://clickhouse:8123', username: 'pipeline', password: 'pw' });
  });

  it('accepts complete SASL settings for an external broker', () => {
    const config = loadConfig({ ...EXTERNAL_KAFKA, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw', KAFKA_SSL: 'true' });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'pw' });
  });

  it.each([
    ['KAFKA_BROKERS', 'kafka', 'host:port'],
    ['KAFKA_BROKERS', 'kafka:99999', 'host:port'],
    ['KAFKA_BROKERS', 'kafka:9092,', 'host:port'],
    ['KAFKA_CLIENT', 'librdkafka', 'kafkajs, rdkafka'],
    ['KAFKA_GROUP_ID', 'my group', '1 to 249 characters'],
    ['KAFKA_SESSION_TIMEOUT_MS', '500', 'from 1000 to 1800000'],
    ['KAFKA_SASL_MECHANISM', 'gssapi', 'plain, scram-sha-256, scram-sha-512'],
    ['KAFKA_SSL', 'yes', 'true or false'],
    ['TOPIC_PREFIX', 'bad/prefix', 'A-Z a-z 0-9 . _ -'],
    ['CLICKHOUSE_URL', 'clickhouse:8123', 'http'],
    ['CLICKHOUSE_URL', 'ftp://clickhouse', 'http:// or https://'],
    ['CLICKHOUSE_DATABASE', 'ecom-metrics', 'identifier'],
    ['PIPELINE_CURRENCY', 'cny', 'ISO 4217'],
    ['PIPELINE_CURRENCY', 'XYZ', 'ISO 4217'],
    ['FLUSH_INTERVAL_MS', '10', 'from 50 to 60000'],
    ['FLUSH_INTERVAL_MS', '1.5', 'whole number'],
    ['FLUSH_INTERVAL_MS', 'soon', 'whole number'],
    ['ALLOWED_LATENESS_HOURS', '0', 'from 1 to 720'],
    ['ALLOWED_LATENESS_HOURS', '721', 'from 1 to 720'],
    ['MAX_MESSAGE_BYTES', '100', 'from 1024 to 1048576'],
    ['MAX_FUTURE_SKEW_SECONDS', '-1', 'from 0 to 86400'],
    ['DEDUP_WINDOW', '999', 'from 1000 to 10000000'],
    ['DEDUP_WINDOW', '10000001', 'from 1000 to 10000000'],
    ['MAX_UNFLUSHED_MESSAGES', '99', 'from 100 to 10000000'],
    ['MAX_KEYS_PER_HOUR', 'lots', 'from 10 to 10000000'],
    ['METRICS_PORT', '65536', 'from 0 to 65535'],
    ['HTTP_HOST', 'http://localhost', 'host name or IP address'],
    ['LOG_LEVEL', 'verbose', 'debug, info, warn, error'],
  ])('names %s=%j in the error and says what is allowed', (variable, value, allowed) => {
    const error = configError({ ...EXTERNAL_KAFKA, ...SERVER_CLICKHOUSE, [variable]: value });
    expect(error.issues.map((issue) => issue.variable)).toEqual([variable]);
    expect(error.issues[0]?.message).toContain(allowed);
    expect(error.issues[0]?.message).toContain(`(got ${JSON.stringify(value)})`);
    expect(error.message).toContain(`${variable}: `);
  });

  it.each(['Mars/Olympus', 'Asia/Peking', '+08:00', 'CST-8'])('rejects the time zone %j', (zone) => {
    const error = configError({ PIPELINE_TZ: zone });
    expect(error.issues).toEqual([{ variable: 'PIPELINE_TZ', message: expect.stringContaining('IANA time zone') }]);
  });

  it('reports every bad variable at once, cross-field rules included', () => {
    const error = configError({ FLUSH_INTERVAL_MS: 'x', LOG_LEVEL: 'loud', PIPELINE_TZ: 'Nowhere', KAFKA_SSL: 'true', CLICKHOUSE_USER: 'pipeline' });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(['CLICKHOUSE_USER', 'FLUSH_INTERVAL_MS', 'KAFKA_SSL', 'LOG_LEVEL', 'PIPELINE_TZ']);
    expect(error.message).toMatch(/^Invalid configuration \(5 environment variables\):/);
    expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID', retriable: false });
  });

  describe('cross-field rules', () => {
    it('needs SASL mechanism, user name and password together', () => {
      const error = configError({ ...EXTERNAL_KAFKA, KAFKA_SASL_USERNAME: 'svc' });
      expect(error.issues.map((issue) => issue.variable)).toEqual(['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PASSWORD']);
      expect(error.issues[0]?.message).toContain('because KAFKA_SASL_USERNAME is set');
    });

    it('refuses SASL and TLS settings for the embedded broker', () => {
      const error = configError({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw', KAFKA_SSL: 'true' });
      expect(error.issues.map((issue) => issue.variable)).toEqual(['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL']);
      expect(error.issues.every((issue) => issue.message.includes('set KAFKA_BROKERS'))).toBe(true);
    });

    it('refuses ClickHouse credentials for embedded chDB', () => {
      const error = configError({ CLICKHOUSE_USER: 'pipeline', CLICKHOUSE_PASSWORD: 'pw' });
      expect(error.issues.map((issue) => issue.variable)).toEqual(['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD']);
      expect(error.issues[0]?.message).toContain('set CLICKHOUSE_URL');
    });

    it('wants the flush interval below the session timeout', () => {
      const error = configError({ FLUSH_INTERVAL_MS: '5000', KAFKA_SESSION_TIMEOUT_MS: '5000' });
      expect(error.issues).toEqual([{ variable: 'FLUSH_INTERVAL_MS', message: expect.stringContaining('less than KAFKA_SESSION_TIMEOUT_MS (5000)') }]);
    });
  });
});

describe('secrets', () => {
  const KAFKA_SECRET = 'kafka-S3cret-value';
  const CLICKHOUSE_SECRET = 'clickhouse-S3cret-value';

  function expectNoSecret(error: ConfigError, ...secrets: string[]) {
    const renderings = [error.message, JSON.stringify(error), JSON.stringify(error.issues), inspect(error, { depth: 10 }), String(error.stack)];
    for (const secret of secrets) for (const text of renderings) expect(text).not.toContain(secret);
  }

  it('never appear in a config error about another variable', () => {
    const error = configError({ ...EXTERNAL_KAFKA, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: KAFKA_SECRET, CLICKHOUSE_PASSWORD: CLICKHOUSE_SECRET, LOG_LEVEL: 'x' });
    expect(error.issues.map((issue) => issue.variable)).toEqual(['LOG_LEVEL', 'CLICKHOUSE_PASSWORD']);
    expectNoSecret(error, KAFKA_SECRET, CLICKHOUSE_SECRET);
  });

  it('never appear in an error about the secret itself', () => {
    const error = configError({ KAFKA_SASL_PASSWORD: KAFKA_SECRET, CLICKHOUSE_PASSWORD: CLICKHOUSE_SECRET });
    expect(error.issues.map((issue) => issue.variable)).toContain('KAFKA_SASL_PASSWORD');
    expect(error.issues.map((issue) => issue.variable)).toContain('CLICKHOUSE_PASSWORD');
    expectNoSecret(error, KAFKA_SECRET, CLICKHOUSE_SECRET);
  });

  it('are masked even when pasted into a variable that is echoed', () => {
    const error = configError({ ...SERVER_CLICKHOUSE, CLICKHOUSE_PASSWORD: CLICKHOUSE_SECRET, KAFKA_GROUP_ID: `${CLICKHOUSE_SECRET} ` });
    expect(error.issues.map((issue) => issue.variable)).toEqual(['KAFKA_GROUP_ID']);
    expectNoSecret(error, CLICKHOUSE_SECRET);
  });

  it('are not echoed from a URL with credentials', () => {
    const error = configError({ CLICKHOUSE_URL: `http://pipeline:${CLICKHOUSE_SECRET}@clickhouse:8123` });
    expect(error.issues).toEqual([{ variable: 'CLICKHOUSE_URL', message: expect.stringContaining('set CLICKHOUSE_USER and CLICKHOUSE_PASSWORD instead') }]);
    expectNoSecret(error, CLICKHOUSE_SECRET);
  });

  it('are masked by renderConfig', () => {
    const config = loadConfig({
      ...EXTERNAL_KAFKA,
      ...SERVER_CLICKHOUSE,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: KAFKA_SECRET,
      CLICKHOUSE_PASSWORD: CLICKHOUSE_SECRET,
    });
    const rendered = renderConfig(config);
    expect(rendered).not.toContain(KAFKA_SECRET);
    expect(rendered).not.toContain(CLICKHOUSE_SECRET);
    const parsed = JSON.parse(rendered) as PipelineConfig;
    expect(parsed.kafka.sasl).toEqual({ mechanism: 'plain', username: 'svc', password: '********' });
    expect(parsed.clickhouse.password).toBe('********');
    expect(parsed.kafka.brokers).toEqual(['kafka:9092']);
    // The config object itself keeps the real values for the clients that need them.
    expect(config.clickhouse.password).toBe(CLICKHOUSE_SECRET);
  });

  it('renders unset options as null and an empty password as empty', () => {
    const parsed = JSON.parse(renderConfig(loadConfig({}))) as Record<string, Record<string, unknown>>;
    expect(parsed.kafka?.brokers).toBeNull();
    expect(parsed.clickhouse?.url).toBeNull();
    expect(parsed.clickhouse?.password).toBe('');
  });
});
