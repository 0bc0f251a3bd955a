import { describe, expect, it } from 'vitest';
import { DeadLetterSummary } from '../../processors/runtime/dead-letter-summary.js';

describe('DeadLetterSummary', () => {
  it('reports the first dead letter at once and the rest of a burst once per interval', () => {
    let now = 1_000_000;
    const summary = new DeadLetterSummary(60_000, () => now);
    expect(summary.take()).toBeUndefined();
    summary.add('not_json', 'ecom.clicks');
    expect(summary.take()).toEqual({ dead_letters: 1, by_reason: { not_json: 1 }, by_topic: { 'ecom.clicks': 1 }, window_ms: 0 });
    for (let i = 0; i < 500; i++) {
      now += 10;
      summary.add(i % 2 === 0 ? 'schema_violation' : 'too_late', i % 5 === 0 ? 'ecom.payments' : 'ecom.clicks');
      if (now < 1_060_000) expect(summary.take()).toBeUndefined();
    }
    now = 1_060_000;
    expect(summary.take()).toEqual({ dead_letters: 500, by_reason: { schema_violation: 250, too_late: 250 }, by_topic: { 'ecom.payments': 100, 'ecom.clicks': 400 }, window_ms: 59_990 });
    expect(summary.take()).toBeUndefined();
  });

  it('stays silent while nothing is dead-lettered', () => {
    let now = 0;
    const summary = new DeadLetterSummary(1_000, () => now);
    for (; now < 10_000; now += 500) expect(summary.take()).toBeUndefined();
  });
});
