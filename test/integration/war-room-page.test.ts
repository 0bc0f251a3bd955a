/**
 * The war-room page in a real browser (Debian chromium through playwright-core): a simulated day up
 * to the end of its payment incident hour is loaded into chDB, the page is served by the processors'
 * HTTP server, and every traffic light must show the status and value the simulator's ground truth
 * gives for that hour, payment failure red. Then ClickHouse starts failing and the page must say so.
 * A screenshot is kept in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { chromium, type Browser } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warRoomResources } from '../../dashboards/war-room/war-room-endpoint.js';
import { formatMetricValue } from '../../dashboards/war-room/format.js';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { migrate } from '../../processors/clickhouse/migrate.js';
import { startHttpServer, type RunningHttpServer } from '../../processors/http/http-server.js';
import { readiness } from '../../processors/http/readiness.js';
import { CAMPAIGN_COUNTERS, type CampaignCounters } from '../../schemas/counters.js';
import { METRICS } from '../../schemas/metric-catalog.js';
import { evaluateMetric } from '../../schemas/metric-math.js';
import type { Truth } from '../../simulator/index.js';
import { decimalOfMicros, loadPlan } from '../support/plan-targets.js';
import { loadSimulatedDay } from '../support/simulated-day.js';
import { testConfig } from '../support/test-config.js';
import { PROJECT_ROOT } from '../support/tsx-child.js';

const TZ = 'Asia/Kolkata';
// The incident starts at 14:10 local; a period ending at 15:00 makes its hour the newest one.
const simulation = { seed: 4, timeZone: TZ, start: '2026-11-11', hours: 15, events: 40_000 };
const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');

let ch: ClickHouseClient;
let truth: Truth;
let server: RunningHttpServer;
let browser: Browser;
let clickhouseFails = false;

beforeAll(async () => {
  const config = testConfig(['127.0.0.1:9'], { PIPELINE_TZ: TZ, METRICS_PORT: '0' });
  ch = await openClickHouse(config.clickhouse);
  await migrate(ch);
  truth = await loadSimulatedDay(ch, simulation, 3);
  // A client that fails on demand, as an unreachable ClickHouse would, in front of the real one.
  const flaky = { query: (params: Parameters<ClickHouseClient['query']>[0]) => (clickhouseFails ? Promise.reject(new Error('connect ECONNREFUSED')) : ch.query(params)) } as ClickHouseClient;
  server = await startHttpServer({
    config: config.http,
    registry: new Registry(),
    readiness: async () => readiness({ assigned: 1, flushFailing: false, lag: 0 }, true, config.http.readyMaxLag),
    resources: warRoomResources({ clickhouse: flaky, config }),
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ch?.close();
});

/** Shop-wide counters of the newest hour, summed from the truth's campaign rows. */
function newestHour(): { hour: string; counters: CampaignCounters } {
  const hour = truth.campaign_hours.map((r) => r.hour).sort().at(-1)!;
  const counters = Object.fromEntries(CAMPAIGN_COUNTERS.map((c) => [c, 0])) as CampaignCounters;
  for (const row of truth.campaign_hours.filter((r) => r.hour === hour)) for (const c of CAMPAIGN_COUNTERS) counters[c] += row.counters[c];
  return { hour, counters };
}

describe('war-room page', () => {
  it('shows the incident hour with every light as the ground truth has it, payment failure red', async () => {
    const { hour, counters } = newestHour();
    expect(new Date(hour).getTime()).toBeLessThanOrEqual(Date.parse(truth.scenario.incident!.start));
    expect(new Date(hour).getTime() + 3_600_000).toBeGreaterThan(Date.parse(truth.scenario.incident!.start));

    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`http://127.0.0.1:${server.port}/war-room`);
    await page.waitForSelector('[data-metric="payment_failure_rate"]');
    const tiles = await page.$$eval('[data-metric]', (nodes) =>
      nodes.map((n) => ({ id: n.getAttribute('data-metric'), status: n.getAttribute('data-status'), value: n.querySelector('.value')?.textContent })),
    );
    const expected = METRICS.map((m) => {
      const { value, status } = evaluateMetric(m, counters);
      return { id: m.id, status, value: formatMetricValue(m, value, 'CNY') };
    });
    expect(tiles).toEqual(expected);
    expect(tiles.find((t) => t.id === 'payment_failure_rate')?.status).toBe('red');
    await expect(page.textContent('#fresh')).resolves.toMatch(/as of \d+ s ago/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'war-room.png') });
    await page.close();
  });

  it('shows GMV against a loaded plan: half the plan is red, this hour and to date', async () => {
    const { hour, counters } = newestHour();
    const local = truth.campaign_hours.find((r) => r.hour === hour)!.hour_local;
    const gmvMicros = counters.paid_micros - counters.refunded_micros;
    await loadPlan(ch, [{ hour: local, metric: 'gmv', target: decimalOfMicros(2 * gmvMicros) }], TZ);
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/war-room`);
    await page.waitForSelector('#plan .pill');
    const pills = await page.$$eval('#plan .pill', (nodes) => nodes.map((n) => ({ status: n.className.replace('pill s-', ''), text: n.textContent })));
    const gmv = METRICS.find((m) => m.id === 'gmv')!;
    expect(pills).toEqual([
      { status: 'red', text: `${formatMetricValue(gmv, gmvMicros / 1e6, 'CNY')} of ${formatMetricValue(gmv, (2 * gmvMicros) / 1e6, 'CNY')} (50.0%)` },
      { status: 'red', text: '50.0%' },
    ]);
    await page.close();
  });

  it('says so when ClickHouse cannot be read, and fades the last numbers instead of hiding them', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/war-room`);
    await page.waitForSelector('[data-metric="ctr"]');
    clickhouseFails = true;
    try {
      await page.waitForSelector('#banner.show', { timeout: 15_000 });
      expect(await page.textContent('#banner')).toMatch(/Cannot refresh: ClickHouse unreachable/);
      expect(await page.getAttribute('#main', 'class')).toBe('stale');
      expect(await page.$$('[data-metric]')).toHaveLength(METRICS.length);
    } finally {
      clickhouseFails = false;
    }
    await page.waitForSelector('#banner.show', { state: 'detached', timeout: 15_000 });
    await page.close();
  });
});
