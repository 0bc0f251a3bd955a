/**
 * KafkaSecurity (TLS and SASL from the environment, see config.ts) in each client's own terms. Both
 * adapters and the producer spread these into their client config, so the two clients cannot drift
 * apart in how they connect.
 */
import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { GlobalConfig } from 'node-rdkafka';
import type { KafkaSecurity, SaslMechanism } from '../config.js';

export const NO_SECURITY: KafkaSecurity = { ssl: undefined, sasl: undefined };

/**
 * kafkajs takes PEM contents, not paths: the files are read here, once per client. Without a CA file,
 * Node's default CA store verifies the brokers (`ssl: true`).
 */
export function kafkaJsSecurity(security: KafkaSecurity, readFile: (path: string) => Buffer = readFileSync): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { ssl, sasl } = security;
  const result: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (ssl !== undefined) {
    const files = {
      ...(ssl.caFile === undefined ? {} : { ca: [readFile(ssl.caFile)] }),
      ...(ssl.certFile === undefined ? {} : { cert: readFile(ssl.certFile) }),
      ...(ssl.keyFile === undefined ? {} : { key: readFile(ssl.keyFile) }),
      ...(ssl.keyPassword === undefined ? {} : { passphrase: ssl.keyPassword.reveal() }),
    };
    result.ssl = Object.keys(files).length === 0 ? true : files;
  }
  if (sasl !== undefined) {
    // kafkajs types its options as one union member per mechanism; all of ours take a user name and password.
    result.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password.reveal() } as SASLOptions;
  }
  return result;
}

const RDKAFKA_MECHANISMS: Record<SaslMechanism, string> = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' };

type RdKafkaSecurityConfig = Pick<
  GlobalConfig,
  'security.protocol' | 'sasl.mechanisms' | 'sasl.username' | 'sasl.password' | 'ssl.ca.location' | 'ssl.certificate.location' | 'ssl.key.location' | 'ssl.key.password'
>;

/** librdkafka reads the PEM files itself (when the client is created, so a bad file fails early). */
export function rdKafkaSecurity(security: KafkaSecurity): RdKafkaSecurityConfig {
  const { ssl, sasl } = security;
  const protocols = { plain: { plain: 'plaintext', sasl: 'sasl_plaintext' }, tls: { plain: 'ssl', sasl: 'sasl_ssl' } } as const;
  const result: RdKafkaSecurityConfig = { 'security.protocol': protocols[ssl ? 'tls' : 'plain'][sasl ? 'sasl' : 'plain'] };
  if (ssl?.caFile !== undefined) result['ssl.ca.location'] = ssl.caFile;
  if (ssl?.certFile !== undefined) result['ssl.certificate.location'] = ssl.certFile;
  if (ssl?.keyFile !== undefined) result['ssl.key.location'] = ssl.keyFile;
  if (ssl?.keyPassword !== undefined) result['ssl.key.password'] = ssl.keyPassword.reveal();
  if (sasl !== undefined) {
    result['sasl.mechanisms'] = RDKAFKA_MECHANISMS[sasl.mechanism];
    result['sasl.username'] = sasl.username;
    result['sasl.password'] = sasl.password.reveal();
  }
  return result;
}
