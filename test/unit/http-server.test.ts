/**
 * The processors' HTTP server on a real socket: routes, bearer token on a non-loopback bind, and no
 * secret on /metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.js';
import { startHttpServer, type RunningHttpServer } from '../../processors/http/http-server.js';
import { readiness } from '../../processors/http/readiness.js';
import { createProcessorMetrics } from '../../processors/metrics/processor-metrics.js';

const TOKEN = 'token-S3cret-for-the-test';
const PASSWORD = 'clickhouse-S3cret-password';
const servers: RunningHttpServer[] = [];
afterEach(async () => Promise.all(servers.splice(0).map((s) => s.close())));

async function serve(env: Record<string, string>, ready = true) {
  const config = loadConfig({ METRICS_PORT: '0', ...env });
  const server = await startHttpServer({
    config: config.http,
    registry: createProcessorMetrics(config).registry,
    readiness: async () => readiness({ assigned: ready ? 2 : 0, flushFailing: false, lag: 0 }, true, config.http.readyMaxLag),
  });
  servers.push(server);
  // Requests go to loopback whatever the bind address: this machine's other interfaces are off limits.
  return (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${server.port}${path}`, { headers });
}

describe('HTTP server', () => {
  it('serves /metrics, /healthz and /readyz on loopback without a token by default', async () => {
    const get = await serve({});
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('ecom_flush_last_success_timestamp_seconds');
    expect(await (await get('/healthz')).json()).toEqual({ alive: true });
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/nope')).status).toBe(404);
  });

  it('answers /readyz with 503 and the failed check while not ready', async () => {
    const response = await (await serve({}, false))('/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ready: false, checks: { partitions_assigned: false } });
  });

  it('bound to a non-loopback address, answers 401 without the bearer token', async () => {
    const get = await serve({ HTTP_HOST: '0.0.0.0', HTTP_ACCESS_TOKEN: TOKEN });
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      const denied = await get(path);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toBe('Bearer');
      expect((await get(path, { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
      expect((await get(path, { Authorization: TOKEN })).status).toBe(401);
      expect((await get(path, { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    }
  });

  it('never shows a secret on /metrics', async () => {
    const get = await serve({ HTTP_ACCESS_TOKEN: TOKEN, CLICKHOUSE_URL: 'http://clickhouse:8123', CLICKHOUSE_PASSWORD: PASSWORD });
    const text = await (await get('/metrics', { Authorization: `Bearer ${TOKEN}` })).text();
    expect(text).toContain('ecom_war_room_active 0');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(PASSWORD);
  });
});
