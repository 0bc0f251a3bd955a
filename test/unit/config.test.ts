import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, renderConfig, SECRET_VARIABLES, type PipelineConfig } from '../../processors/config.js';
import { Secret } from '../../processors/secret.js';

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
const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const TLS = { ca: `${TLS_DIR}ca.pem`, cert: `${TLS_DIR}client.pem`, key: `${TLS_DIR}client-key.pem` };
const SERVER_CLICKHOUSE = { CLICKHOUSE_URL: 'http://clickhouse:8123' };

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toEqual<PipelineConfig>({
      kafka: { brokers: undefined, client: 'kafkajs', groupId: 'ecom-metrics', topicPrefix: '', sessionTimeoutMs: 10_000, ssl: undefined, sasl: undefined },
      clickhouse: { url: undefined, dataDir: './data/chdb', database: 'ecom_metrics', username: 'default', password: expect.any(Secret), caFile: undefined },
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
      http: { host: '127.0.0.1', port: 9_464, accessToken: undefined, readyMaxLag: 1_000_000, alertmanagerUrl: undefined },
      metrics: { channels: [], campaigns: [], warRoom: false },
      shutdownTimeoutMs: 20_000,
      logLevel: 'info',
    });
    expect(config.clickhouse.password.reveal()).toBe('');
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
      HTTP_ACCESS_TOKEN: 'a-token-of-16-chars',
      READY_MAX_LAG: '5000',
      METRICS_CHANNELS: ' feed, live ,',
      METRICS_CAMPAIGNS: 'cmp-1111-mega-sale',
      WAR_ROOM: 'true',
      LOG_LEVEL: 'debug',
      TOPIC_PREFIX: 'staging.',
      CLICKHOUSE_USER: 'pipeline',
      CLICKHOUSE_PASSWORD: 'pw',
    });
    expect(config.kafka).toMatchObject({ brokers: ['kafka-1:9092', '10.0.0.2:9093', '[::1]:9094'], client: 'rdkafka', sessionTimeoutMs: 3_000, topicPrefix: 'staging.' });
    expect(config.kafka.ssl).toEqual({ caFile: undefined, certFile: undefined, keyFile: undefined, keyPassword: undefined });
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
    expect(config.http).toMatchObject({ host: '0.0.0.0', port: 0, readyMaxLag: 5_000 });
    expect(config.http.accessToken?.reveal()).toBe('a-token-of-16-chars');
    expect(config.metrics).toEqual({ channels: ['feed', 'live'], campaigns: ['cmp-1111-mega-sale'], warRoom: true });
    expect(config.clickhouse).toMatchObject({ url: 'http://clickhouse:8123', username: 'pipeline' });
    expect(config.clickhouse.password.reveal()).toBe('pw');
  });

  it('accepts complete SASL settings for an external broker', () => {
    const config = loadConfig({ ...EXTERNAL_KAFKA, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw', KAFKA_SSL: 'true' });
    expect(config.kafka.sasl).toMatchObject({ mechanism: 'scram-sha-512', username: 'svc' });
    expect(config.kafka.sasl?.password.reveal()).toBe('pw');
  });

  it('accepts TLS files for an external broker and a CA for an https ClickHouse', () => {
    const config = loadConfig({
      ...EXTERNAL_KAFKA,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: TLS.ca,
      KAFKA_SSL_CERT_FILE: TLS.cert,
      KAFKA_SSL_KEY_FILE: TLS.key,
      KAFKA_SSL_KEY_PASSWORD: 'passphrase',
      CLICKHOUSE_URL: 'https://clickhouse:8443',
      CLICKHOUSE_CA_FILE: TLS.ca,
    });
    expect(config.kafka.ssl).toMatchObject({ caFile: TLS.ca, certFile: TLS.cert, keyFile: TLS.key });
    expect(config.kafka.ssl?.keyPassword?.reveal()).toBe('passphrase');
    expect(config.clickhouse.caFile).toBe(TLS.ca);
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
    ['KAFKA_SSL_CA_FILE', '/nonexistent/ca.pem', 'readable file'],
    ['KAFKA_SSL_CERT_FILE', '/tmp', 'readable file'],
    ['CLICKHOUSE_CA_FILE', '/nonexistent/ca.pem', 'readable file'],
    ['SHUTDOWN_TIMEOUT_MS', '500', 'from 1000 to 600000'],
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
    ['READY_MAX_LAG', '0', 'from 1 to 1000000000'],
    ['METRICS_CHANNELS', 'feed,live stream', 'comma-separated list of at most 20'],
    ['METRICS_CAMPAIGNS', 'x'.repeat(65), 'at most 50 values of 1 to 64 characters'],
    ['WAR_ROOM', 'on', 'true or false'],
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

    it('wants KAFKA_SSL=true for the TLS files', () => {
      const error = configError({ ...EXTERNAL_KAFKA, KAFKA_SSL_CA_FILE: TLS.ca, KAFKA_SSL_KEY_PASSWORD: 'passphrase' });
      expect(error.issues).toEqual([
        { variable: 'KAFKA_SSL_CA_FILE', message: expect.stringContaining('only applies with KAFKA_SSL=true') },
        { variable: 'KAFKA_SSL_KEY_PASSWORD', message: expect.stringContaining('only applies with KAFKA_SSL=true') },
      ]);
    });

    it('needs a client certificate and its key together, and a key for its passphrase', () => {
      const error = configError({ ...EXTERNAL_KAFKA, KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: TLS.cert, KAFKA_SSL_KEY_PASSWORD: 'passphrase' });
      expect(error.issues.map((issue) => issue.variable)).toEqual(['KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_KEY_PASSWORD']);
      expect(error.issues[0]?.message).toContain('because KAFKA_SSL_CERT_FILE is set');
    });

    it('refuses TLS files for the embedded broker', () => {
      const error = configError({ KAFKA_SSL_CA_FILE: TLS.ca });
      expect(error.issues).toEqual([{ variable: 'KAFKA_SSL_CA_FILE', message: expect.stringContaining('set KAFKA_BROKERS') }]);
    });

    it('wants an https:// ClickHouse for a CA file', () => {
      const error = configError({ ...SERVER_CLICKHOUSE, CLICKHOUSE_CA_FILE: TLS.ca });
      expect(error.issues).toEqual([{ variable: 'CLICKHOUSE_CA_FILE', message: expect.stringContaining('only applies to an https:// CLICKHOUSE_URL') }]);
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

describe('HTTP access', () => {
  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1'])('needs no token on the loopback address %s', (host) => {
    expect(loadConfig({ HTTP_HOST: host }).http.accessToken).toBeUndefined();
  });

  it.each(['0.0.0.0', '10.1.2.3', 'metrics.internal', '::'])('requires HTTP_ACCESS_TOKEN to bind %s', (host) => {
    const error = configError({ HTTP_HOST: host });
    expect(error.issues).toEqual([{ variable: 'HTTP_ACCESS_TOKEN', message: expect.stringContaining('not a loopback address') }]);
  });

  it('rejects a short token without echoing it', () => {
    const error = configError({ HTTP_ACCESS_TOKEN: 'short-secret' });
    expect(error.issues).toEqual([{ variable: 'HTTP_ACCESS_TOKEN', message: 'must be at least 16 characters' }]);
  });
});

describe('secrets', () => {
  const KAFKA_SECRET = 'kafka-S3cret-value';
  const CLICKHOUSE_SECRET = 'clickhouse-S3cret-value';
  const HTTP_SECRET = 'http-token-S3cret-value';

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
      HTTP_ACCESS_TOKEN: HTTP_SECRET,
    });
    const rendered = renderConfig(config);
    expect(rendered).not.toContain(KAFKA_SECRET);
    expect(rendered).not.toContain(CLICKHOUSE_SECRET);
    expect(rendered).not.toContain(HTTP_SECRET);
    const parsed = JSON.parse(rendered) as Record<string, Record<string, unknown>>;
    expect(parsed.kafka?.sasl).toEqual({ mechanism: 'plain', username: 'svc', password: '********' });
    expect(parsed.clickhouse?.password).toBe('********');
    expect(parsed.kafka?.brokers).toEqual(['kafka:9092']);
    // The config object itself keeps the real values for the clients that need them.
    expect(config.clickhouse.password.reveal()).toBe(CLICKHOUSE_SECRET);
  });

  it('are masked however the config is printed', () => {
    const config = loadConfig({ ...SERVER_CLICKHOUSE, CLICKHOUSE_PASSWORD: CLICKHOUSE_SECRET });
    for (const text of [inspect(config, { depth: 10 }), JSON.stringify(config), `${config.clickhouse.password}`, String(config.clickhouse.password)]) {
      expect(text).not.toContain(CLICKHOUSE_SECRET);
    }
  });

  it('are the variables documented as secret', () => {
    expect([...SECRET_VARIABLES].sort()).toEqual(['CLICKHOUSE_PASSWORD', 'HTTP_ACCESS_TOKEN', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL_KEY_PASSWORD']);
  });

  it('renders unset options as null and an empty password as empty', () => {
    const parsed = JSON.parse(renderConfig(loadConfig({}))) as Record<string, Record<string, unknown>>;
    expect(parsed.kafka?.brokers).toBeNull();
    expect(parsed.clickhouse?.url).toBeNull();
    expect(parsed.clickhouse?.password).toBe('');
  });
});
