/**
 * Issue 5 end to end: a processor (npm start's entry point) fed the simulator's payment incident, the
 * real Prometheus scraping it with the generated rules, the real Alertmanager with the committed
 * routing, and a webhook receiver. The payment-failure alert reaches the business pager with the right
 * labels and resolves when the next hour is healthy; when the processor is killed during a second
 * incident, processor-down pages the platform team and inhibits the now stale business alert.
 *
 * Durations are seconds instead of minutes (an alert policy of its own, scrape and evaluation every
 * second, Alertmanager grouping in a second); everything else is the committed configuration.
 */
import { mkdtempSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type AlertPolicy } from '../../alerting/alert-policy.js';
import { PROCESSOR_DOWN } from '../../alerting/pipeline-rules.js';
import { ruleFiles } from '../../alerting/rule-files.js';
import type { SimulationOptions } from '../../simulator/index.js';
import { spawnBroker, type SpawnedBroker } from '../support/broker.js';
import { startAlertmanager, startPrometheus, type OpsServer } from '../support/ops-servers.js';
import { produceDay } from '../support/pipeline.js';
import { waitFor } from '../support/poll.js';
import { PROJECT_ROOT, spawnTsx, type TsxChild } from '../support/tsx-child.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const PAYMENT_ALERT = 'EcomPaymentFailureRateRed';
const ZONE = 'Asia/Shanghai';
// The incident starts at 14:10 local and lasts 25 minutes: about 14% of the hour's attempts fail.
const INCIDENT_HOUR: SimulationOptions = { seed: 3, timeZone: ZONE, start: '2026-11-11T14', hours: 1, events: 8_000 };
// About 2% fail: green.
const HEALTHY_HOUR: SimulationOptions = { seed: 4, timeZone: ZONE, start: '2026-11-11T15', hours: 1, events: 8_000 };
const NEXT_DAY_INCIDENT: SimulationOptions = { seed: 5, timeZone: ZONE, start: '2026-11-12T14', hours: 1, events: 8_000 };

const POLICY: AlertPolicy = {
  ...DEFAULT_POLICY,
  // One hour of 8,000 simulated messages has ~75 payment attempts; the catalog minimum is 20.
  business: { payment_failure_rate: { severity: 'critical', for: '2s', minVolume: 20 } },
  warRoomFor: '1s',
  // Long enough for processor-down to fire and inhibit before the killed processor's alert would resolve.
  keepFiringFor: '15s',
  pipeline: { ...DEFAULT_POLICY.pipeline, processorDownFor: '1s' },
};

let broker: SpawnedBroker | undefined;
let processor: TsxChild | undefined;
let webhook: WebhookReceiver | undefined;
const servers: OpsServer[] = [];
afterAll(async () => {
  await processor?.stop('SIGKILL');
  await Promise.all(servers.map((s) => s.stop()));
  await webhook?.close();
  await broker?.stop();
});

function alertmanagerConfig(webhookUrl: string): string {
  const config = parse(readFileSync(resolve(PROJECT_ROOT, 'infra/alertmanager/alertmanager.yml'), 'utf8'));
  Object.assign(config.route, { group_wait: '1s', group_interval: '1s', repeat_interval: '1h' });
  for (const receiver of config.receivers as { name: string; webhook_configs: { url: string }[] }[]) {
    for (const hook of receiver.webhook_configs) hook.url = `${webhookUrl}${new URL(hook.url).pathname}`;
  }
  return stringify(config);
}

function prometheusConfig(processorPort: number, alertmanagerUrl: string): string {
  const config = parse(readFileSync(resolve(PROJECT_ROOT, 'infra/prometheus/prometheus.yml'), 'utf8'));
  config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
  config.rule_files = Object.keys(ruleFiles(POLICY));
  config.alerting.alertmanagers[0].static_configs = [{ targets: [new URL(alertmanagerUrl).host] }];
  config.scrape_configs[0].static_configs = [{ targets: [`127.0.0.1:${processorPort}`] }];
  // The processor under test listens on loopback, where no token is needed.
  delete config.scrape_configs[0].authorization;
  return stringify(config);
}

interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

async function alertmanagerAlerts(url: string, alertname: string): Promise<AlertmanagerAlert[]> {
  const response = await fetch(`${url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`);
  return (await response.json()) as AlertmanagerAlert[];
}

describe('alerting end to end', () => {
  it('pages the payment incident, resolves it, and mutes it behind processor-down when the processor dies', async () => {
    broker = await spawnBroker({ partitions: 2, deadLetterPartitions: 1 });
    const brokers = broker.brokers;
    await produceDay(brokers, broker.topics, INCIDENT_HOUR);

    processor = spawnTsx('processors/main.ts', [], {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_ID: 'alerting-e2e',
      KAFKA_SESSION_TIMEOUT_MS: '3000',
      CLICKHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'ecom-alerting-')),
      CLICKHOUSE_DATABASE: 'alerting',
      FLUSH_INTERVAL_MS: '200',
      PIPELINE_TZ: ZONE,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const { http } = await processor.waitForLine((l): l is { http: { port: number } } => typeof (l as { http?: { port?: unknown } }).http?.port === 'number', {
      timeoutMs: 60_000,
      description: 'the HTTP server line',
    });
    const instance = `127.0.0.1:${http.port}`;

    webhook = await startWebhookReceiver();
    const alertmanager = await startAlertmanager(alertmanagerConfig(webhook.url));
    servers.push(alertmanager);
    servers.push(await startPrometheus(prometheusConfig(http.port, alertmanager.url), ruleFiles(POLICY)));
    const hook = webhook;
    const arrived = (alertname: string, status: 'firing' | 'resolved', count: number, description: string) =>
      waitFor(() => hook.alerts(alertname, status).length >= count && hook.alerts(alertname, status)[count - 1], { timeoutMs: 90_000, intervalMs: 200, description });

    const fired = await arrived(PAYMENT_ALERT, 'firing', 1, 'the payment-failure alert at the webhook');
    expect(fired.notification).toMatchObject({ receiver: 'business-pager', path: '/alerts/business-pager' });
    expect(fired.alert.labels).toEqual({
      alertname: PAYMENT_ALERT,
      job: 'ecom-processors',
      instance,
      metric: 'payment_failure_rate',
      scope: 'shop',
      severity: 'critical',
      team: 'business',
    });
    expect(fired.alert.annotations.description).toMatch(/^Payment failure rate is 1\d(\.\d+)?% in the current hour \(red above 5%, amber above 2%\), over at least 20 payment attempts/);
    expect(fired.alert.annotations.runbook_url).toBe('docs/runbook.md#ecompaymentfailureratered');

    await produceDay(brokers, broker.topics, HEALTHY_HOUR);
    const resolved = await arrived(PAYMENT_ALERT, 'resolved', 1, 'the payment-failure alert to resolve after the incident hour');
    expect(resolved.alert.labels).toEqual(fired.alert.labels);

    await produceDay(brokers, broker.topics, NEXT_DAY_INCIDENT);
    await arrived(PAYMENT_ALERT, 'firing', 2, 'the payment-failure alert of the second incident');
    await processor.stop('SIGKILL');

    const down = await arrived(PROCESSOR_DOWN, 'firing', 1, 'processor-down at the webhook');
    expect(down.notification.receiver).toBe('platform-pager');
    expect(down.alert.labels).toMatchObject({ instance, job: 'ecom-processors', severity: 'critical', team: 'platform' });
    const [muted] = await waitFor(
      async () => {
        const alerts = await alertmanagerAlerts(alertmanager.url, PAYMENT_ALERT);
        return alerts.length === 1 && alerts[0]!.status.state === 'suppressed' && alerts;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the stale payment alert to be inhibited' },
    );
    expect(muted!.status.inhibitedBy).toHaveLength(1);
    expect(muted!.labels.instance).toBe(instance);
    // Inhibited, it was not notified again, not even as resolved.
    expect(hook.alerts(PAYMENT_ALERT, 'resolved')).toHaveLength(1);
  });
});
