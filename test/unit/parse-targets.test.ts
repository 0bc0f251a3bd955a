import { describe, expect, it } from 'vitest';
import { parseTargets } from '../../processors/targets/parse-targets.js';

const csv = (...lines: string[]) => ['hour,metric,target,campaign', ...lines].join('\n');

describe('parseTargets', () => {
  it('reads local hours in the shop time zone, a :30 zone included, and tells shop from campaign targets', () => {
    const parsed = parseTargets(csv('2026-11-11 00:00,gmv,125000.5,', '2026-11-11 10:00,roas,2.5,cmp-a'), 'csv', 'Asia/Kolkata');
    expect(parsed).toEqual({
      ok: true,
      rows: [
        { scope: 'shop', campaign_id: '', metric: 'gmv', hourMs: Date.parse('2026-11-10T18:30:00Z'), target: '125000.5', line: 2 },
        { scope: 'campaign', campaign_id: 'cmp-a', metric: 'roas', hourMs: Date.parse('2026-11-11T04:30:00Z'), target: '2.5', line: 3 },
      ],
    });
  });

  it('reports a row with the wrong number of fields by its line before checking any row', () => {
    const parsed = parseTargets(csv('2026-11-11 10:00,gmvv,1,', '2026-11-11 13:00,gmv', '2026-11-11 14:00,gmv,"1,5",'), 'csv', 'UTC');
    expect(parsed).toEqual({ ok: false, problems: [{ line: 3, message: 'expected 4 comma-separated fields, got 2' }] });
  });

  it('names the line and the problem of every bad row, and returns no rows', () => {
    const parsed = parseTargets(
      csv('2026-11-11 10:00,gmv,100,', '2026-11-11 10:00,gmvv,1,', '2026-11-11 24:00,gmv,1,', '2026-02-30 10:00,gmv,1,', '', '2026-11-11 10:00,gmv,3,', '2026-11-11 11:00,gmv,-3,', '2026-11-11 12:00,gmv,1.1234567,', '2026-11-11 12:30,gmv,1,'),
      'csv',
      'UTC',
    );
    expect(parsed.ok ? [] : parsed.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: unknown metric "gmvv" (known: ctr, cvr, roas, add_to_cart_rate, payment_failure_rate, gmv, orders, aov)',
      '4: bad hour "2026-11-11 24:00": no such local hour in UTC',
      '5: bad hour "2026-02-30 10:00": no such local hour in UTC',
      '7: duplicate row: the shop, gmv, 2026-11-11 10:00 is already on line 2',
      '8: bad target "-3": expected a non-negative decimal with at most 6 decimals',
      '9: bad target "1.1234567": expected a non-negative decimal with at most 6 decimals',
      `10: bad hour "2026-11-11 12:30": expected the local hour as 'YYYY-MM-DD HH:00'`,
    ]);
  });

  it('rejects an hour the clocks skip (DST gap) and a header with unknown columns', () => {
    const gap = parseTargets(csv('2026-03-29 02:00,orders,10,'), 'csv', 'Europe/Berlin');
    expect(gap).toEqual({ ok: false, problems: [{ line: 2, message: 'bad hour "2026-03-29 02:00": no such local hour in Europe/Berlin' }] });
    const header = parseTargets('hour,metric,goal\n2026-11-11 10:00,gmv,1', 'csv', 'UTC');
    expect(header.ok ? undefined : header.problems[0]!.line).toBe(1);
  });

  it('names the line an element of a JSON array starts on', () => {
    const text = `[
  { "hour": "2026-11-11 10:00", "metric": "gmv", "target": 100 },
  {
    "hour": "2026-11-11 11:00",
    "metric": "gmv",
    "target": "1e3"
  },
  { "hour": "2026-11-11 12:00", "metric": "ctr", "target": 0.03, "campaign": "cmp-a", "note": "x" }
]`;
    const parsed = parseTargets(text, 'json', 'UTC');
    expect(parsed.ok ? [] : parsed.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: bad target "1e3": expected a non-negative decimal with at most 6 decimals',
      '8: unknown column note (expected hour, metric, target, campaign)',
    ]);
    expect(parseTargets('[{"hour": 1}', 'json', 'UTC')).toMatchObject({ ok: false, problems: [{ line: 1 }] });
  });
});
