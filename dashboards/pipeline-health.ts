/**
 * "Pipeline health", from the processors' Prometheus metrics: are they up, how fast they consume, how
 * far behind they are (offsets and event time), what they dead-letter, and how their flushes to
 * ClickHouse go. Rates use $__rate_interval so a panel never asks for a window shorter than two scrapes.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as PrometheusQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { generatedDashboard, type DashboardSettings } from './dashboard-settings.js';
import { PROMETHEUS } from './datasources.js';
import { neutralThresholds } from './metric-thresholds.js';
import { PROCESSOR_METRICS as M, PROCESSOR_JOB } from '../processors/metrics/metric-names.js';

interface Series {
  expr: string;
  legend: string;
}

const refIds = 'ABCDEFGH';

function promQueries(series: readonly Series[]): PrometheusQueryBuilder[] {
  return series.map((s, i) => new PrometheusQueryBuilder().refId(refIds[i]!).datasource(PROMETHEUS).expr(s.expr).legendFormat(s.legend));
}

function trend(title: string, unit: string, description: string, series: readonly Series[]): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder().title(title).description(description).datasource(PROMETHEUS).targets(promQueries(series)).unit(unit).thresholds(neutralThresholds()).height(8).span(12);
}

function stat(title: string, unit: string, description: string, expr: string): StatPanelBuilder {
  return new StatPanelBuilder().title(title).description(description).datasource(PROMETHEUS).targets(promQueries([{ expr, legend: title }])).unit(unit).thresholds(neutralThresholds()).height(4).span(6);
}

const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(${M.flushDuration}_bucket[$__rate_interval])))`;

export function pipelineHealthDashboard(settings: DashboardSettings): DashboardBuilder {
  return generatedDashboard(settings, {
    title: 'Pipeline health',
    uid: 'ecom-pipeline-health',
    description: 'Stream processors: throughput, lag, dead letters, watermark delay and ClickHouse flushes (Prometheus).',
    from: 'now-3h',
    refresh: '30s',
  })
    .withRow(new RowBuilder('Now'))
    .withPanel(stat('Processors up', 'none', 'Processor instances Prometheus scraped successfully.', `sum(up{job="${PROCESSOR_JOB}"})`))
    .withPanel(stat('Consumer lag', 'short', 'Messages not yet consumed, all topics and partitions.', `sum(${M.lag})`))
    .withPanel(stat('Watermark delay', 's', 'How far event time trails the wall clock, worst partition.', `max(${M.watermarkDelay})`))
    .withPanel(stat('Dead letters in range', 'short', 'Messages dead-lettered over the time range.', `sum(increase(${M.rejected}[$__range]))`))
    .withRow(new RowBuilder('Consumption'))
    .withPanel(trend('Throughput', 'suffix: msg/s', 'Messages consumed per second, by topic.', [{ expr: `sum by (topic) (rate(${M.consumed}[$__rate_interval]))`, legend: '{{topic}}' }]))
    .withPanel(trend('Consumer lag by topic', 'short', 'Messages between the committed offset and the end of each topic.', [{ expr: `sum by (topic) (${M.lag})`, legend: '{{topic}}' }]))
    .withPanel(trend('Dead letters', 'suffix: msg/s', 'Messages dead-lettered per second, by topic and reason.', [{ expr: `sum by (topic, reason) (rate(${M.rejected}[$__rate_interval]))`, legend: '{{topic}} {{reason}}' }]))
    .withPanel(trend('Watermark delay', 's', 'Wall clock minus event-time watermark: late data and stalled partitions show here.', [{ expr: `max(${M.watermarkDelay})`, legend: 'worst partition' }]))
    .withRow(new RowBuilder('ClickHouse flushes'))
    .withPanel(trend('Flush latency', 's', 'Time to write one flush to ClickHouse.', [
      { expr: quantile(0.5), legend: 'p50' },
      { expr: quantile(0.99), legend: 'p99' },
    ]))
    .withPanel(trend('Flush failures', 'short', 'Failed flushes (retried) per rate interval.', [{ expr: `sum(increase(${M.flushFailures}[$__rate_interval]))`, legend: 'failures' }]));
}
