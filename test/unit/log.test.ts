import { describe, expect, it } from 'vitest';
import { createLogger } from '../../processors/runtime/log.js';
import { Secret } from '../../processors/secret.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error', redact: string[] = []) {
  const lines: string[] = [];
  return { lines, log: createLogger(level, { write: (line) => lines.push(line), redact }) };
}

describe('createLogger', () => {
  it('writes one JSON line per event at or above its level', () => {
    const { lines, log } = capture('info');
    log.debug('noise');
    log.info('partitions.assigned', { partitions: ['t/0@5'] });
    log.error('flush.failed', { stage: 'clickhouse_write' });
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      { time: expect.any(String), level: 'info', event: 'partitions.assigned', partitions: ['t/0@5'] },
      { time: expect.any(String), level: 'error', event: 'flush.failed', stage: 'clickhouse_write' },
    ]);
  });

  it('masks secret values wherever they appear, JSON-escaped ones included', () => {
    const secret = 'p"a\\ss-W0rd';
    const { lines, log } = capture('debug', [secret]);
    log.warn('kafka.client_log', { message: `SASL authentication failed for password ${secret}`, nested: { value: secret } });
    log.info('config', { password: new Secret(secret) });
    expect(lines.join('\n')).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(lines.join('\n')).not.toContain('W0rd');
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'SASL authentication failed for password ********', nested: { value: '********' } });
  });
});
