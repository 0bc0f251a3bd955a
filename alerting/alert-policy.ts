/**
 * How long a condition must hold, and over how much volume, before someone is notified: the knobs of
 * the generated alert rules. `npm run alerts` writes the rules from DEFAULT_POLICY; tests and other
 * environments generate with their own (the end-to-end test uses seconds instead of minutes).
 */
import { PROCESSOR_JOB } from '../processors/metrics/metric-names.js';
import type { MetricId } from '../schemas/metric-catalog.js';

/** `critical` pages someone now; `warning` goes to the team's channel for working hours. */
export const SEVERITIES = ['critical', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const TEAMS = ['business', 'platform'] as const;
export type Team = (typeof TEAMS)[number];

/** A Prometheus duration such as '30s', '10m' or '1h'. */
export type Duration = `${number}${'s' | 'm' | 'h'}`;

export interface BusinessAlertPolicy {
  severity: Severity;
  /** How long the metric must stay red before the alert fires (outside a war room). */
  for: Duration;
  /**
   * Volume (in the unit of the catalog's minVolume: impressions, clicks, payment attempts) the hour
   * must have before a red state alerts; at least the catalog's own minimum, usually more, so that a
   * quiet night hour does not page on a handful of events.
   */
  minVolume: number;
}

export interface AlertPolicy {
  /** Scrape job of the processors; rules select its series. */
  job: string;
  /** Link target of every runbook_url, with `#section` appended. */
  runbookUrl: string;
  /** Metrics the catalog compares with a plan are left out until the processors know the hourly plan. */
  business: Partial<Record<MetricId, BusinessAlertPolicy>>;
  /** While `ecom_war_room_active` is 1 every business red state pages after this long. */
  warRoomFor: Duration;
  /**
   * Business alerts keep firing this long after their condition went away. A processor that dies takes
   * its gauges with it; without this the alert would resolve as if the incident were over, and the
   * processor-down alert (which inhibits it) would come too late to say why.
   */
  keepFiringFor: Duration;
  pipeline: {
    processorDownFor: Duration;
    /** Summed lag of a topic above which growth alerts. */
    lagMessages: number;
    lagGrowingFor: Duration;
    /** How long a partition with waiting messages may keep the same watermark. */
    watermarkStalledFor: Duration;
    /** Share of messages dead-lettered that counts as a spike... */
    deadLetterRatio: number;
    /** ...when the topic carries at least this many messages per second. */
    deadLetterMinRate: number;
    /** Longer than the 5 m rate window, so that one burst of bad messages alone never fires. */
    deadLetterFor: Duration;
    /** No successful flush for this long, with failures in between. */
    flushStalledSeconds: number;
    flushFailingFor: Duration;
  };
}

export const DEFAULT_POLICY: AlertPolicy = {
  job: PROCESSOR_JOB,
  runbookUrl: 'docs/runbook.md',
  business: {
    payment_failure_rate: { severity: 'critical', for: '10m', minVolume: 100 },
    roas: { severity: 'warning', for: '30m', minVolume: 200 },
    ctr: { severity: 'warning', for: '30m', minVolume: 1_000 },
    cvr: { severity: 'warning', for: '30m', minVolume: 200 },
    add_to_cart_rate: { severity: 'warning', for: '30m', minVolume: 200 },
  },
  warRoomFor: '1m',
  keepFiringFor: '5m',
  pipeline: {
    processorDownFor: '1m',
    lagMessages: 10_000,
    lagGrowingFor: '10m',
    watermarkStalledFor: '15m',
    deadLetterRatio: 0.01,
    deadLetterMinRate: 1,
    deadLetterFor: '10m',
    flushStalledSeconds: 60,
    flushFailingFor: '1m',
  },
};
