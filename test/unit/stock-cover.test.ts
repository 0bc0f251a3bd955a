import { describe, expect, it } from 'vitest';
import { stockCover } from '../../schemas/metric-math.js';

describe('stockCover (thresholds from the catalog: red under 2 h or 0 with demand, amber under 6 h)', () => {
  it.each([
    [null, 5, 3, null, 'insufficient'],
    [0, 0, 1, null, 'red'],
    [0, 0, 0, null, 'green'],
    [3, 2, 0, 1.5, 'red'],
    [4, 2, 0, 2, 'amber'],
    [11, 2, 0, 5.5, 'amber'],
    [12, 2, 0, 6, 'green'],
    [50, 0, 9, null, 'green'],
    [50, -1, 0, null, 'green'],
  ] as const)('available %s, net units sold %s, cart adds %s: %s h, %s', (available, net, cartAdds, hours, status) => {
    expect(stockCover(available, net, cartAdds)).toEqual({ hoursOfCover: hours, status });
  });
});
