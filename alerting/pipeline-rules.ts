/**
 * Pipeline-health alert rules for the platform team: the processors are down, falling behind, stuck,
 * rejecting a lot of input, or unable to write to ClickHouse.
 */
import { PROCESSOR_METRICS as M } from '../processors/metrics/metric-names.js';
import type { AlertPolicy } from './alert-policy.js';
import { runbookUrl, selector, type AlertRule, type RuleGroup } from './alert-rule.js';

export const PROCESSOR_DOWN = 'EcomProcessorDown';

export function pipelineRuleGroup(policy: AlertPolicy): RuleGroup {
  const p = policy.pipeline;
  const byTopic = 'sum by (job, topic)';
  const rules: AlertRule[] = [
    {
      alert: PROCESSOR_DOWN,
      expr: `${selector(policy, 'up')} == 0`,
      for: p.processorDownFor,
      labels: { severity: 'critical', team: 'platform' },
      annotations: {
        summary: 'Processor {{ $labels.instance }} is down',
        description: `Prometheus cannot scrape processor {{ $labels.instance }} (job {{ $labels.job }}) for ${p.processorDownFor} or longer. Its partitions move to other group members after the session timeout; its business gauges are gone, so their alerts are muted.`,
        runbook_url: runbookUrl(policy, PROCESSOR_DOWN),
      },
    },
    {
      alert: 'EcomConsumerLagGrowing',
      expr: [
        `${byTopic} (${selector(policy, M.lag)}) > ${p.lagMessages}`,
        `and ${byTopic} (deriv(${selector(policy, M.lag)}[5m])) > 0`,
      ].join('\n'),
      for: p.lagGrowingFor,
      labels: { severity: 'warning', team: 'platform' },
      annotations: {
        summary: 'Consumer lag on {{ $labels.topic }} keeps growing',
        description: `{{ $value | humanize }} messages wait on {{ $labels.topic }} (alert above ${p.lagMessages}) and the lag has grown for ${p.lagGrowingFor}: the processors read slower than producers write.`,
        runbook_url: runbookUrl(policy, 'EcomConsumerLagGrowing'),
      },
    },
    {
      alert: 'EcomWatermarkStalled',
      expr: [
        `count by (job, topic) (`,
        `  changes(${selector(policy, M.watermark)}[5m]) == 0`,
        `  and ${selector(policy, M.lag)} > 0`,
        `)`,
      ].join('\n'),
      for: p.watermarkStalledFor,
      labels: { severity: 'critical', team: 'platform' },
      annotations: {
        summary: 'Event time stopped advancing on {{ $labels.topic }}',
        description: `{{ $value }} partition(s) of {{ $labels.topic }} have messages waiting but the same event-time watermark for ${p.watermarkStalledFor} or longer: the current hour's numbers are frozen.`,
        runbook_url: runbookUrl(policy, 'EcomWatermarkStalled'),
      },
    },
    {
      alert: 'EcomDeadLetterSpike',
      expr: [
        `${byTopic} (rate(${selector(policy, M.rejected)}[5m])) / ${byTopic} (rate(${selector(policy, M.consumed)}[5m])) > ${p.deadLetterRatio}`,
        `and ${byTopic} (rate(${selector(policy, M.consumed)}[5m])) >= ${p.deadLetterMinRate}`,
      ].join('\n'),
      for: p.deadLetterFor,
      labels: { severity: 'warning', team: 'platform' },
      annotations: {
        summary: 'Many messages on {{ $labels.topic }} are dead-lettered',
        description: `{{ $value | humanizePercentage }} of the messages on {{ $labels.topic }} go to the dead-letter topic (alert above ${+(p.deadLetterRatio * 100).toFixed(4)}% at ${p.deadLetterMinRate} msg/s or more) for ${p.deadLetterFor}.`,
        runbook_url: runbookUrl(policy, 'EcomDeadLetterSpike'),
      },
    },
    {
      alert: 'EcomFlushFailing',
      expr: [
        `time() - ${selector(policy, M.lastFlushSuccess)} > ${p.flushStalledSeconds}`,
        `and on(job, instance) sum by (job, instance) (increase(${selector(policy, M.flushFailures)}[5m])) > 0`,
      ].join('\n'),
      for: p.flushFailingFor,
      labels: { severity: 'critical', team: 'platform' },
      annotations: {
        summary: 'Processor {{ $labels.instance }} cannot write to ClickHouse',
        description: 'No successful flush for {{ $value | humanizeDuration }} and flushes keep failing; consumption is paused, so lag grows until writes succeed again.',
        runbook_url: runbookUrl(policy, 'EcomFlushFailing'),
      },
    },
  ];
  return { name: 'ecom-pipeline', rules };
}
