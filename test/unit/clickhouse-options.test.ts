import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serverClientOptions } from '../../processors/clickhouse/server-options.js';
import { loadConfig } from '../../processors/config.js';

const CA = fileURLToPath(new URL('../fixtures/tls/ca.pem', import.meta.url));

describe('ClickHouse server client options', () => {
  it('carry user, password and the CA from the environment', () => {
    const { clickhouse } = loadConfig({ CLICKHOUSE_URL: 'https://ch:8443', CLICKHOUSE_USER: 'ecom_writer', CLICKHOUSE_PASSWORD: 'ch-pw', CLICKHOUSE_CA_FILE: CA });
    const read = (path: string) => Buffer.from(`contents of ${path}`);
    expect(serverClientOptions('https://ch:8443', clickhouse, read)).toEqual({
      url: 'https://ch:8443',
      username: 'ecom_writer',
      password: 'ch-pw',
      application: 'ecom-metrics-pipeline',
      tls: { ca_cert: read(CA) },
    });
  });

  it("use the system's CA store and the default user when unset", () => {
    const { clickhouse } = loadConfig({ CLICKHOUSE_URL: 'https://ch:8443' });
    const options = serverClientOptions('https://ch:8443', clickhouse);
    expect(options).not.toHaveProperty('tls');
    expect(options).toMatchObject({ username: 'default', password: '' });
  });
});
