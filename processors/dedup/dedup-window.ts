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
export class DedupWindow {
  private readonly mask: number;
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  /** Offset of the entry in each slot, -1 when the slot is empty. */
  private readonly slotOffset: Float64Array;
  /** Insertion-ordered ring of the remembered entries, to expire them as the window slides. */
  private readonly ringHi: Uint32Array;
  private readonly ringLo: Uint32Array;
  private readonly ringOffset: Float64Array;
  private readonly ringCapacity: number;
  private ringHead = 0;
  private ringLength = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`dedup window size must be a positive integer, got ${size}`);
    let capacity = 16;
    while (capacity < (size + 1) * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.slotOffset = new Float64Array(capacity).fill(-1);
    // Offsets o-size .. o-1 are all still in the window when o arrives: size + 1 entries at once.
    this.ringCapacity = size + 1;
    this.ringHi = new Uint32Array(this.ringCapacity);
    this.ringLo = new Uint32Array(this.ringCapacity);
    this.ringOffset = new Float64Array(this.ringCapacity);
  }

  get remembered(): number {
    return this.ringLength;
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
    if (this.ringLength === this.ringCapacity) this.evictOldest();
    this.hi[slot] = h;
    this.lo[slot] = l;
    this.slotOffset[slot] = offset;
    const tail = (this.ringHead + this.ringLength) % this.ringCapacity;
    this.ringHi[tail] = h;
    this.ringLo[tail] = l;
    this.ringOffset[tail] = offset;
    this.ringLength++;
    return false;
  }

  private expireBefore(minOffset: number): void {
    while (this.ringLength > 0 && this.ringOffset[this.ringHead]! < minOffset) this.evictOldest();
  }

  private evictOldest(): void {
    const h = this.ringHi[this.ringHead]!;
    const l = this.ringLo[this.ringHead]!;
    this.ringHead = (this.ringHead + 1) % this.ringCapacity;
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
