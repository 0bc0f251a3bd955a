/**
 * Every environment variable the processors read, in one zod schema that is validated once at
 * start-up. A typo or an out-of-range value stops the process with a message naming the variable and
 * what it accepts, instead of surfacing later as NaN or as a silently ignored setting. Blank values
 * count as unset, so `FOO=` in a compose file means "use the default". Each variable's documentation
 * is registered on its schema (variableDocs); the README's table is generated from it.
 *
 * Secrets (SECRET_VARIABLES) are never echoed: not in errors, and in the config they are Secret
 * objects, which print as a mask.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { ParsePayload } from 'zod/v4/core';
import { MASK, Secret } from './secret.js';

export const KAFKA_CLIENTS = ['kafkajs', 'rdkafka'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

const KAFKA_TLS_FILE_VARIABLES = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_KEY_PASSWORD'] as const;
const KAFKA_SECURITY_VARIABLES = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL', ...KAFKA_TLS_FILE_VARIABLES] as const;

/** Characters Kafka allows in topic names; the longest suffix (`ecom.dead-letter`) leaves room for 200. */
export const topicPrefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{0,200}$/, { error: 'must be at most 200 characters from A-Z a-z 0-9 . _ - (e.g. "staging.")' });

function integer(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const hostname = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function isHost(value: string): boolean {
  return hostname.test(value) || isIP(value) !== 0;
}

/** Only loopback binds are safe without a token; a host name counts only if it is `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function isBrokerAddress(value: string): boolean {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  if (!match) return false;
  const [, host = '', port = ''] = match;
  const bareHost = host.startsWith('[') ? host.slice(1, -1) : host;
  return (isHost(bareHost) || isIP(bareHost) === 6) && Number(port) >= 1 && Number(port) <= 65_535;
}

const brokerList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()))
  .refine((entries) => entries.every(isBrokerAddress), {
    error: 'must be a comma-separated list of host:port (e.g. kafka-1:9092,kafka-2:9092); unset it to use the embedded broker',
  });

const clickhouseUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL such as http://clickhouse:8123; unset it to use the embedded chDB' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'must use http:// or https:// (the ClickHouse HTTP interface, port 8123 or 8443)' });
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password: set CLICKHOUSE_USER and CLICKHOUSE_PASSWORD instead' });
  }
});

function canonicalTimeZone(value: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const timeZone = z
  .string()
  .refine((value) => canonicalTimeZone(value) !== undefined, { error: 'must be an IANA time zone such as Asia/Shanghai, Europe/Berlin or UTC' })
  .transform((value) => canonicalTimeZone(value) ?? value);

const currencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
const currency = z.string().refine((value) => currencies.has(value), { error: 'must be an upper-case ISO 4217 currency code such as CNY, EUR or USD' });

const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((value) => value === 'true' || value === '1');

/** What the README's table says about a variable; `npm run config-doc` renders it (config-doc.ts). */
export interface VariableDoc {
  description: string;
  /** A realistic value, shown in the table. */
  example: string;
  /** Never echoed: masked in errors, `--print-config` and logs (the value becomes a Secret). */
  secret?: boolean;
}

/** Documentation of every variable, attached to its schema so that the table cannot drift from it. */
export const variableDocs = z.registry<VariableDoc>();

const secret = z.string().transform((value) => new Secret(value));

function dimensionList(max: number) {
  return z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
    .refine((entries) => entries.length <= max && entries.every((entry) => /^[A-Za-z0-9._:-]{1,64}$/.test(entry)), {
      error: `must be a comma-separated list of at most ${max} values of 1 to 64 characters from A-Z a-z 0-9 . _ : -`,
    });
}

const readableFile = z.string().refine(isReadableFile, { error: 'must be the path of a readable file (PEM)' });

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const envSchema = z
  .object({
    KAFKA_BROKERS: brokerList.optional().register(variableDocs, {
      description:
        'Comma-separated `host:port` list of the Kafka cluster. Unset: `npm start` refuses to start (`npm run broker` starts the embedded broker and prints its address; `npm run demo` brings its own).',
      example: 'kafka-1:9092,kafka-2:9092',
    }),
    KAFKA_CLIENT: z.enum(KAFKA_CLIENTS, { error: `must be one of ${KAFKA_CLIENTS.join(', ')}` }).default('kafkajs').register(variableDocs, {
      description: 'Kafka client library that consumes and produces. All members of one consumer group must use the same one.',
      example: 'rdkafka',
    }),
    KAFKA_GROUP_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/, { error: 'must be 1 to 249 characters from A-Z a-z 0-9 . _ -' })
      .default('ecom-metrics')
      .register(variableDocs, { description: 'Consumer group shared by all processor instances.', example: 'ecom-metrics-prod' }),
    KAFKA_SESSION_TIMEOUT_MS: integer(1_000, 1_800_000).default(10_000).register(variableDocs, {
      description:
        "How long the group waits for a silent member before moving its partitions elsewhere. Shorter moves a crashed processor's partitions sooner; real brokers refuse values below their `group.min.session.timeout.ms` (6000 by default).",
      example: '30000',
    }),
    KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(', ')}` }).optional().register(variableDocs, {
      description: 'SASL mechanism for an external broker; set together with `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`. Unset: no authentication.',
      example: 'scram-sha-512',
    }),
    KAFKA_SASL_USERNAME: z.string().optional().register(variableDocs, { description: 'SASL user name.', example: 'ecom-metrics' }),
    KAFKA_SASL_PASSWORD: secret.optional().register(variableDocs, { description: 'SASL password.', example: '(from your secret store)', secret: true }),
    KAFKA_SSL: flag.default(false).register(variableDocs, {
      description: "TLS to an external broker, verified against the system's CA store unless `KAFKA_SSL_CA_FILE` is set.",
      example: 'true',
    }),
    KAFKA_SSL_CA_FILE: readableFile.optional().register(variableDocs, {
      description: "PEM file of the CA(s) that signed the brokers' certificates (needs `KAFKA_SSL=true`).",
      example: '/etc/kafka/ca.pem',
    }),
    KAFKA_SSL_CERT_FILE: readableFile.optional().register(variableDocs, {
      description: 'PEM client certificate for mutual TLS; set together with `KAFKA_SSL_KEY_FILE`.',
      example: '/etc/kafka/client.pem',
    }),
    KAFKA_SSL_KEY_FILE: readableFile.optional().register(variableDocs, { description: 'PEM private key of the client certificate.', example: '/etc/kafka/client-key.pem' }),
    KAFKA_SSL_KEY_PASSWORD: secret.optional().register(variableDocs, {
      description: 'Passphrase of an encrypted `KAFKA_SSL_KEY_FILE`.',
      example: '(from your secret store)',
      secret: true,
    }),
    TOPIC_PREFIX: topicPrefixSchema.default('').register(variableDocs, { description: 'Prepended to every topic name (see schemas/topics.ts).', example: 'staging.' }),
    CLICKHOUSE_URL: clickhouseUrl.optional().register(variableDocs, {
      description: 'ClickHouse HTTP(S) endpoint. Unset: embedded chDB in `CLICKHOUSE_DATA_DIR`.',
      example: 'https://clickhouse:8443',
    }),
    CLICKHOUSE_DATA_DIR: z.string().default('./data/chdb').register(variableDocs, {
      description: 'Data directory of the embedded chDB; one process at a time may open it.',
      example: '/var/lib/ecom-metrics/chdb',
    }),
    CLICKHOUSE_DATABASE: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'must be an identifier: a letter or _, then up to 63 letters, digits or _' })
      .default('ecom_metrics')
      .register(variableDocs, { description: "Database holding the pipeline's tables; created if missing.", example: 'ecom_metrics' }),
    CLICKHOUSE_USER: z.string().default('default').register(variableDocs, {
      description: 'ClickHouse user the processors write as (server only); see infra/clickhouse/README.md for its grants.',
      example: 'ecom_writer',
    }),
    CLICKHOUSE_PASSWORD: secret.prefault('').register(variableDocs, { description: 'Password of `CLICKHOUSE_USER`.', example: '(from your secret store)', secret: true }),
    CLICKHOUSE_CA_FILE: readableFile.optional().register(variableDocs, {
      description: "PEM file of the CA that signed the server's certificate, for an `https://` `CLICKHOUSE_URL` (unset: the system's CA store).",
      example: '/etc/clickhouse/ca.pem',
    }),
    PIPELINE_TZ: timeZone.default('Asia/Shanghai').register(variableDocs, {
      description: 'Zone whose local hours the metrics are bucketed by; normalised to its canonical name.',
      example: 'Europe/Berlin',
    }),
    PIPELINE_CURRENCY: currency.default('CNY').register(variableDocs, { description: 'The shop currency; money in any other currency is dead-lettered.', example: 'EUR' }),
    FLUSH_INTERVAL_MS: integer(50, 60_000).default(1_000).register(variableDocs, {
      description: 'Longest time a counted event waits before it is written to ClickHouse; less than `KAFKA_SESSION_TIMEOUT_MS`.',
      example: '500',
    }),
    ALLOWED_LATENESS_HOURS: integer(1, 720).default(48).register(variableDocs, {
      description: "Events further than this behind their partition's event-time watermark are dead-lettered as `too_late`.",
      example: '72',
    }),
    MAX_MESSAGE_BYTES: integer(1_024, 1_048_576).default(65_536).register(variableDocs, {
      description: 'Larger messages are dead-lettered as `oversized` before parsing.',
      example: '131072',
    }),
    MAX_FUTURE_SKEW_SECONDS: integer(0, 86_400).default(300).register(variableDocs, {
      description: 'How far `event_time` may be ahead of the Kafka record timestamp.',
      example: '60',
    }),
    DEDUP_WINDOW: integer(1_000, 10_000_000).default(200_000).register(variableDocs, {
      description: 'Messages remembered per partition for duplicate detection.',
      example: '500000',
    }),
    MAX_UNFLUSHED_MESSAGES: integer(100, 10_000_000).default(100_000).register(variableDocs, {
      description:
        "Messages a processor may count while a flush is still being written before it pauses fetching, so a slow ClickHouse grows the lag in Kafka rather than this process's memory.",
      example: '200000',
    }),
    MAX_KEYS_PER_HOUR: integer(10, 10_000_000).default(10_000).register(variableDocs, {
      description:
        'Distinct campaign ids (and, separately, SKUs) one source partition may add per event-time hour; later new ids that hour are counted under `__other__`. Decided from the partition\'s messages only, so a replay decides the same way.',
      example: '50000',
    }),
    SHUTDOWN_TIMEOUT_MS: integer(1_000, 600_000).default(20_000).register(variableDocs, {
      description:
        'Budget of a graceful stop on SIGTERM (stop fetching, flush, commit, leave the group); past it the process exits with code 1 and the next owner replays from the stored progress. Keep it below the orchestrator\'s kill grace period.',
      example: '25000',
    }),
    METRICS_PORT: integer(0, 65_535).default(9_464).register(variableDocs, {
      description: 'Port of the HTTP server: `/metrics`, `/healthz`, `/readyz` and the war-room page; 0 picks a free port.',
      example: '9464',
    }),
    HTTP_HOST: z
      .string()
      .refine(isHost, { error: 'must be a host name or IP address such as 127.0.0.1 or 0.0.0.0' })
      .default('127.0.0.1')
      .register(variableDocs, { description: 'Interface the HTTP endpoints listen on; `0.0.0.0` exposes them beyond this machine.', example: '0.0.0.0' }),
    HTTP_ACCESS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).transform((value) => new Secret(value)).optional().register(variableDocs, {
      description:
        'Bearer token every HTTP request must carry (`Authorization: Bearer <token>`, or `?token=` for the war-room page). Required when `HTTP_HOST` is not a loopback address; when set, required on loopback too.',
      example: '(from your secret store)',
      secret: true,
    }),
    READY_MAX_LAG: integer(1, 1_000_000_000).default(1_000_000).register(variableDocs, {
      description: "`/readyz` reports unready, and the war-room page warns, while this processor's summed consumer lag exceeds this.",
      example: '200000',
    }),
    ALERTMANAGER_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:9093' }).optional().register(variableDocs, {
      description: 'Alertmanager whose active alerts the war-room page lists. Unset: the page says it is not configured.',
      example: 'http://alertmanager:9093',
    }),
    METRICS_CHANNELS: dimensionList(20).default([]).register(variableDocs, {
      description: 'Channels that get their own business gauges on `/metrics` besides the shop-wide ones; only listed values become Prometheus labels, so cardinality stays bounded.',
      example: 'search,social',
    }),
    METRICS_CAMPAIGNS: dimensionList(50).default([]).register(variableDocs, {
      description: 'Campaign ids that get their own business gauges on `/metrics` (see `METRICS_CHANNELS`).',
      example: 'cmp-1111-mega-sale',
    }),
    WAR_ROOM: flag.default(false).register(variableDocs, {
      description: 'A promotion war room is on: business alerts page after a minute instead of their normal delay.',
      example: 'true',
    }),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info').register(variableDocs, {
      description: 'Lowest level of the JSON log lines on stderr; `info` logs events of interest, never one line per message.',
      example: 'debug',
    }),
  })
  // Each cross-field rule runs when the variables it reads are valid, so one start-up reports every
  // bad variable at once instead of revealing them one fix at a time.
  .superRefine((env, ctx) => {
    if (env.KAFKA_BROKERS !== undefined) return;
    for (const name of KAFKA_SECURITY_VARIABLES.filter((n) => env[n] !== undefined && env[n] !== false)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'only applies to an external broker: set KAFKA_BROKERS, or unset it (the embedded broker has no TLS or authentication)' });
    }
  }, whenValid('KAFKA_BROKERS', ...KAFKA_SECURITY_VARIABLES))
  .superRefine((env, ctx) => {
    const sasl = { KAFKA_SASL_MECHANISM: env.KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME: env.KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: env.KAFKA_SASL_PASSWORD };
    const set = Object.keys(sasl).filter((name) => sasl[name as keyof typeof sasl] !== undefined);
    if (set.length === 0 || set.length === 3) return;
    for (const name of Object.keys(sasl).filter((n) => !set.includes(n))) {
      ctx.addIssue({ code: 'custom', path: [name], message: `is required because ${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set (SASL needs mechanism, user name and password)` });
    }
  }, whenValid('KAFKA_SASL_MECHANISM'))
  .superRefine((env, ctx) => {
    if (env.KAFKA_BROKERS === undefined) return;
    if (!env.KAFKA_SSL) {
      for (const name of KAFKA_TLS_FILE_VARIABLES.filter((n) => env[n] !== undefined)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'only applies with KAFKA_SSL=true' });
      }
      return;
    }
    if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined)) {
      const missing = env.KAFKA_SSL_CERT_FILE === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE';
      const other = missing === 'KAFKA_SSL_CERT_FILE' ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE';
      ctx.addIssue({ code: 'custom', path: [missing], message: `is required because ${other} is set (a client certificate needs its key)` });
    }
    if (env.KAFKA_SSL_KEY_PASSWORD !== undefined && env.KAFKA_SSL_KEY_FILE === undefined) {
      ctx.addIssue({ code: 'custom', path: ['KAFKA_SSL_KEY_PASSWORD'], message: 'only applies with KAFKA_SSL_KEY_FILE (the passphrase of that key)' });
    }
  }, whenValid('KAFKA_BROKERS', 'KAFKA_SSL', ...KAFKA_TLS_FILE_VARIABLES))
  .superRefine((env, ctx) => {
    if (env.CLICKHOUSE_URL !== undefined) return;
    const serverOnly = 'only applies to a ClickHouse server: set CLICKHOUSE_URL, or unset it (embedded chDB has no users)';
    if (env.CLICKHOUSE_USER !== 'default') ctx.addIssue({ code: 'custom', path: ['CLICKHOUSE_USER'], message: serverOnly });
    if (env.CLICKHOUSE_PASSWORD.reveal() !== '') ctx.addIssue({ code: 'custom', path: ['CLICKHOUSE_PASSWORD'], message: serverOnly });
  }, whenValid('CLICKHOUSE_URL'))
  .superRefine((env, ctx) => {
    if (isLoopback(env.HTTP_HOST) || env.HTTP_ACCESS_TOKEN !== undefined) return;
    ctx.addIssue({
      code: 'custom',
      path: ['HTTP_ACCESS_TOKEN'],
      message: `is required because HTTP_HOST (${env.HTTP_HOST}) is not a loopback address: /metrics and the health endpoints would be open to the network`,
    });
  }, whenValid('HTTP_HOST', 'HTTP_ACCESS_TOKEN'))
  .superRefine((env, ctx) => {
    if (env.CLICKHOUSE_CA_FILE === undefined || env.CLICKHOUSE_URL?.startsWith('https:')) return;
    ctx.addIssue({ code: 'custom', path: ['CLICKHOUSE_CA_FILE'], message: 'only applies to an https:// CLICKHOUSE_URL' });
  }, whenValid('CLICKHOUSE_URL', 'CLICKHOUSE_CA_FILE'))
  .superRefine((env, ctx) => {
    // kafkajs heartbeats between batches: a batch that waits a whole session timeout for its flush gets its member evicted.
    if (env.FLUSH_INTERVAL_MS < env.KAFKA_SESSION_TIMEOUT_MS) return;
    ctx.addIssue({
      code: 'custom',
      path: ['FLUSH_INTERVAL_MS'],
      message: `must be less than KAFKA_SESSION_TIMEOUT_MS (${env.KAFKA_SESSION_TIMEOUT_MS}), or a consumer waiting for a flush is evicted from its group`,
    });
  }, whenValid('FLUSH_INTERVAL_MS', 'KAFKA_SESSION_TIMEOUT_MS'));

/** Runs a cross-field rule only when the variables it reads parsed cleanly (zod skips it otherwise). */
function whenValid(...variables: string[]) {
  return { when: (payload: ParsePayload) => !payload.issues.some((issue) => variables.includes(String(issue.path?.[0]))) };
}

type Env = z.output<typeof envSchema>;
type VariableName = keyof typeof envSchema.shape;

export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as readonly VariableName[];

/** The schema of one variable, for the documentation generator. */
export function variableSchema(name: VariableName): z.ZodType {
  return envSchema.shape[name];
}

export const SECRET_VARIABLES: readonly VariableName[] = CONFIG_VARIABLES.filter((name) => variableDocs.get(envSchema.shape[name])?.secret === true);

export interface KafkaTls {
  caFile: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
  keyPassword: Secret | undefined;
}

export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  password: Secret;
}

/** How the Kafka clients connect; undefined parts mean plaintext and no authentication. */
export interface KafkaSecurity {
  ssl: KafkaTls | undefined;
  sasl: KafkaSasl | undefined;
}

export interface PipelineConfig {
  kafka: KafkaSecurity & {
    /** KAFKA_BROKERS; undefined means: start the embedded broker. */
    brokers: string[] | undefined;
    client: KafkaClientName;
    groupId: string;
    topicPrefix: string;
    sessionTimeoutMs: number;
  };
  clickhouse: {
    /** CLICKHOUSE_URL; undefined means: embedded chDB in dataDir. */
    url: string | undefined;
    dataDir: string;
    database: string;
    username: string;
    password: Secret;
    caFile: string | undefined;
  };
  pipeline: {
    timeZone: string;
    currency: string;
    flushIntervalMs: number;
    allowedLatenessHours: number;
    maxMessageBytes: number;
    maxFutureSkewSeconds: number;
    dedupWindow: number;
    maxUnflushedMessages: number;
    maxKeysPerHour: number;
  };
  http: { host: string; port: number; accessToken: Secret | undefined; readyMaxLag: number; alertmanagerUrl: string | undefined };
  /** What the processors publish for alerting, see processors/metrics/. */
  metrics: { channels: string[]; campaigns: string[]; warRoom: boolean };
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
}

function toPipelineConfig(env: Env): PipelineConfig {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = env;
  return {
    kafka: {
      brokers: env.KAFKA_BROKERS,
      client: env.KAFKA_CLIENT,
      groupId: env.KAFKA_GROUP_ID,
      topicPrefix: env.TOPIC_PREFIX,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      ssl: env.KAFKA_SSL
        ? { caFile: env.KAFKA_SSL_CA_FILE, certFile: env.KAFKA_SSL_CERT_FILE, keyFile: env.KAFKA_SSL_KEY_FILE, keyPassword: env.KAFKA_SSL_KEY_PASSWORD }
        : undefined,
      sasl: mechanism && username !== undefined && password !== undefined ? { mechanism, username, password } : undefined,
    },
    clickhouse: {
      url: env.CLICKHOUSE_URL,
      dataDir: env.CLICKHOUSE_DATA_DIR,
      database: env.CLICKHOUSE_DATABASE,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      caFile: env.CLICKHOUSE_CA_FILE,
    },
    pipeline: {
      timeZone: env.PIPELINE_TZ,
      currency: env.PIPELINE_CURRENCY,
      flushIntervalMs: env.FLUSH_INTERVAL_MS,
      allowedLatenessHours: env.ALLOWED_LATENESS_HOURS,
      maxMessageBytes: env.MAX_MESSAGE_BYTES,
      maxFutureSkewSeconds: env.MAX_FUTURE_SKEW_SECONDS,
      dedupWindow: env.DEDUP_WINDOW,
      maxUnflushedMessages: env.MAX_UNFLUSHED_MESSAGES,
      maxKeysPerHour: env.MAX_KEYS_PER_HOUR,
    },
    http: { host: env.HTTP_HOST, port: env.METRICS_PORT, accessToken: env.HTTP_ACCESS_TOKEN, readyMaxLag: env.READY_MAX_LAG, alertmanagerUrl: env.ALERTMANAGER_URL },
    metrics: { channels: env.METRICS_CHANNELS, campaigns: env.METRICS_CAMPAIGNS, warRoom: env.WAR_ROOM },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
  };
}

export interface ConfigIssue {
  /** The environment variable at fault. */
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  /** The environment will not change by itself. */
  readonly retriable = false;
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} environment variable${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n'),
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const input = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, blankAsUnset(env[name])]));
  const parsed = envSchema.safeParse(input);
  if (parsed.success) return toPipelineConfig(parsed.data);
  const secrets = secretValues(env);
  const issues = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? 'environment');
    const message = `${issue.message}${describeValue(variable, env[variable])}`;
    return { variable, message: secrets.reduce((text, secret) => text.replaceAll(secret, MASK), message) };
  });
  throw new ConfigError(issues);
}

/**
 * The values of the secret variables set in `env`, for masking text that may contain them. Values
 * under 4 characters are left out: masking every "a" in a message would hide more than it protects.
 */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return SECRET_VARIABLES.map((name) => env[name]?.trim()).filter((value): value is string => value !== undefined && value.length >= 4);
}

function blankAsUnset(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Echoes the offending value, except for secrets and anything that may carry credentials (user:pass@host). */
function describeValue(variable: string, value: string | undefined): string {
  if (value === undefined || (SECRET_VARIABLES as readonly string[]).includes(variable) || value.includes('@')) return '';
  const shown = value.length > 80 ? `${value.slice(0, 80)}...` : value;
  return ` (got ${JSON.stringify(shown)})`;
}

/** The effective configuration as indented JSON, secrets masked (Secret), for `--print-config`. */
export function renderConfig(config: PipelineConfig): string {
  return JSON.stringify(config, (_key, value: unknown) => (value === undefined ? null : value), 2);
}
