/**
 * Remembers the dedup keys of the last `size` offsets of one partition.
 *
 * The window is defined by offsets, not by wall time or insertion count, so it is a pure function of
 * the partition's history: after a crash the processor re-reads the `size` offsets before its restart
 * point and gets exactly the same duplicate decisions as the run that crashed.
 *
 * Keys are kept as 64-bit hashes in flat typed arrays (open addressing, linear probing, backward-shift
 * deletion): about 40 bytes per remembered key instead of several hundred for a Map of strings. A false
 * "duplicate" needs a 64-bit collision inside the window (~size / 2^64 per message).
 */
const INITIAL_CAPACITY = 64;

export class DedupWindow {
  private mask = 0;
  private hi = new Uint32Array(0);
  private lo = new Uint32Array(0);
  /** Offset of the entry in each slot, -1 when the slot is empty. */
  private slotOffset = new Float64Array(0);
  /** Insertion-ordered ring of the remembered entries, to expire them as the window slides. */
  private ringHi = new Uint32Array(0);
  private ringLo = new Uint32Array(0);
  private ringOffset = new Float64Array(0);
  private ringHead = 0;
  private ringLength = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`dedup window size must be a positive integer, got ${size}`);
    // Offsets o-size .. o-1 are all still in the window when o arrives: size + 1 entries at once, at
    // most half the slots full so that probe chains stay short.
    // The arrays start small and double as entries arrive, so an idle or short partition costs almost nothing.
    this.resize(INITIAL_CAPACITY);
  }

  get remembered(): number {
    return this.ringLength;
  }

  get allocatedBytes(): number {
    return [this.hi, this.lo, this.slotOffset, this.ringHi, this.ringLo, this.ringOffset].reduce((n, a) => n + a.byteLength, 0);
  }

  /**
   * Records `key` as seen at `offset` (offsets must not decrease) and tells whether it was already seen
   * within the `size` offsets before.
   */
  seen(key: string, offset: number): boolean {
    this.expireBefore(offset - this.size);
    const [h, l] = hash64(key);
    let slot = l & this.mask;
    while (this.slotOffset[slot]! >= 0) {
      if (this.hi[slot] === h && this.lo[slot] === l) return true;
      slot = (slot + 1) & this.mask;
    }
    if (this.ringLength === this.ringHi.length) {
      if (this.ringHi.length === this.size + 1) this.evictOldest();
      else {
        // The ring is half the slots until it reaches size + 1, so doubling never passes maxCapacity.
        this.resize((this.mask + 1) * 2);
        slot = this.freeSlot(l);
      }
    }
    this.insert(slot, h, l, offset);
    return false;
  }

  private freeSlot(l: number): number {
    let slot = l & this.mask;
    while (this.slotOffset[slot]! >= 0) slot = (slot + 1) & this.mask;
    return slot;
  }

  private insert(slot: number, h: number, l: number, offset: number): void {
    this.hi[slot] = h;
    this.lo[slot] = l;
    this.slotOffset[slot] = offset;
    const tail = (this.ringHead + this.ringLength) % this.ringHi.length;
    this.ringHi[tail] = h;
    this.ringLo[tail] = l;
    this.ringOffset[tail] = offset;
    this.ringLength++;
  }

  /** Rebuilds the slots at `capacity` and the ring at half of it (capped at size + 1), in insertion order. */
  private resize(capacity: number): void {
    const old = { hi: this.ringHi, lo: this.ringLo, offset: this.ringOffset, head: this.ringHead, length: this.ringLength };
    this.mask = capacity - 1;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.slotOffset = new Float64Array(capacity).fill(-1);
    const ringCapacity = Math.min(capacity / 2, this.size + 1);
    this.ringHi = new Uint32Array(ringCapacity);
    this.ringLo = new Uint32Array(ringCapacity);
    this.ringOffset = new Float64Array(ringCapacity);
    this.ringHead = 0;
    this.ringLength = 0;
    for (let i = 0; i < old.length; i++) {
      const at = (old.head + i) % old.hi.length;
      this.insert(this.freeSlot(old.lo[at]!), old.hi[at]!, old.lo[at]!, old.offset[at]!);
    }
  }

  private expireBefore(minOffset: number): void {
    while (this.ringLength > 0 && this.ringOffset[this.ringHead]! < minOffset) this.evictOldest();
  }

  private evictOldest(): void {
    const h = this.ringHi[this.ringHead]!;
    const l = this.ringLo[this.ringHead]!;
    this.ringHead = (this.ringHead + 1) % this.ringHi.length;
    this.ringLength--;
    let slot = l & this.mask;
    while (this.slotOffset[slot]! >= 0) {
      if (this.hi[slot] === h && this.lo[slot] === l) {
        this.deleteSlot(slot);
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Backward-shift deletion keeps every probe chain intact without tombstones. */
  private deleteSlot(hole: number): void {
    let next = (hole + 1) & this.mask;
    while (this.slotOffset[next]! >= 0) {
      const home = this.lo[next]! & this.mask;
      const distanceFromHome = (next - home) & this.mask;
      const distanceToHole = (next - hole) & this.mask;
      if (distanceFromHome >= distanceToHole) {
        this.hi[hole] = this.hi[next]!;
        this.lo[hole] = this.lo[next]!;
        this.slotOffset[hole] = this.slotOffset[next]!;
        hole = next;
      }
      next = (next + 1) & this.mask;
    }
    this.slotOffset[hole] = -1;
  }
}

/** Two independent 32-bit hashes (FNV-1a and a murmur-style mix) over the UTF-16 code units. */
export function hash64(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}
