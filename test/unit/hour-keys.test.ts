import { describe, expect, it } from 'vitest';
import { HourKeys } from '../../processors/state/hour-keys.js';

describe('HourKeys', () => {
  it('admits the first `bound` ids and every later message of them, and no new id after', () => {
    const keys = new HourKeys(2);
    expect([keys.admit('a', 0), keys.admit('b', 1), keys.admit('c', 2), keys.admit('a', 3), keys.admit('c', 4)]).toEqual([true, true, false, true, false]);
  });

  it('counts ids of one message together: a second new id at the same offset sees the first', () => {
    const keys = new HourKeys(1);
    expect([keys.admit('a', 5), keys.admit('b', 5), keys.admit('a', 5)]).toEqual([true, false, true]);
  });

  it('after a reload, a replay decides as the first pass did, even when only a later row of an id was stored', () => {
    const first = new HourKeys(2);
    // a is counted at 10 (warehouse w1) and again at 11 (w2): two rows of one id.
    expect([first.admit('x', 5), first.admit('a', 10), first.admit('a', 11), first.admit('b', 12)]).toEqual([true, true, true, false]);
    // Progress was stored at 9; a half-written flush stored a's w2 row (created at 11) but not its w1 row.
    const replay = new HourKeys(2);
    replay.load('x', 5);
    replay.load('a', 11);
    expect([replay.admit('a', 10), replay.admit('a', 11), replay.admit('b', 12)]).toEqual([true, true, false]);
  });

  it('an id stored in several rows (campaign x channel) keeps its earliest first offset', () => {
    const keys = new HourKeys(1);
    keys.load('a', 12);
    keys.load('a', 10);
    expect([keys.admit('a', 11), keys.admit('b', 11)]).toEqual([true, false]);
  });
});
