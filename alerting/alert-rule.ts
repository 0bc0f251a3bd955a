/** The shape of a Prometheus alerting rule, and the pieces every generated rule shares. */
import type { AlertPolicy, Duration, Severity, Team } from './alert-policy.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for: Duration;
  keep_firing_for?: Duration;
  labels: { severity: Severity; team: Team };
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** The anchor a Markdown heading `### <alert>` gets (lower case, as GitHub and most renderers do). */
export function runbookUrl(policy: AlertPolicy, section: string): string {
  return `${policy.runbookUrl}#${section.toLowerCase()}`;
}

/** `name{job="...",a="b"}`: every selector names the job, so other jobs' series with the same name never match. */
export function selector(policy: AlertPolicy, name: string, labels: Record<string, string> = {}): string {
  const matchers = Object.entries({ job: policy.job, ...labels }).map(([k, v]) => `${k}="${v}"`);
  return `${name}{${matchers.join(',')}}`;
}
