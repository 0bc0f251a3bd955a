/**
 * The bound on distinct ids (campaigns, SKUs) one partition counts per hour: past it, new ids are
 * counted under OVERFLOW_KEY. A flood of made-up ids then costs one row, not one row per id.
 *
 * Exactly-once needs the decision for the message at offset x to be the same in a replay after a
 * crash, so it must depend only on the partition's messages up to x. The rule: an id is admitted at
 * x if it was first admitted at or before x, or if fewer than the bound ids were first admitted at
 * or before x. Every row carries the offset that created it, and an id's first offset is the least
 * over its rows. After a crash in the middle of a flush, a reload can bring back an id's later row
 * (another channel or warehouse) without the row that first counted it; the replay of that first
 * message must then not count the id against itself, which a plain count of known ids would do.
 */

export class HourKeys {
  /** id -> offset of the message that first counted it. */
  private readonly first = new Map<string, number>();
  /** Largest first offset loaded from storage: below it, ids first seen later must be left out of the count. */
  private loadedUpTo = -1;

  constructor(private readonly bound: number) {}

  /** Whether the message at `offset` counts `id` under its own name. */
  admit(id: string, offset: number): boolean {
    const first = this.first.get(id);
    if (first !== undefined && first <= offset) return true;
    if (this.admittedAtOrBefore(offset) >= this.bound) return false;
    this.first.set(id, offset);
    return true;
  }

  /** Registers an id of a stored row; an id stored in several rows keeps its earliest offset. */
  load(id: string, firstOffset: number): void {
    const known = this.first.get(id);
    if (known === undefined || firstOffset < known) this.first.set(id, firstOffset);
    this.loadedUpTo = Math.max(this.loadedUpTo, firstOffset);
  }

  private admittedAtOrBefore(offset: number): number {
    if (offset >= this.loadedUpTo) return this.first.size;
    let n = 0;
    for (const first of this.first.values()) if (first <= offset) n++;
    return n;
  }
}
