/**
 * A first-fit allocator over a backend's linear memory, kept on the JS side so that the wasm
 * kernels need no runtime. Blocks are 16-byte aligned (one v128). Freed blocks are coalesced
 * with their neighbours, so building and disposing models in a loop reuses the same memory.
 */
const ALIGN = 16;

/**
 * The most linear memory keelnet hands out: 2 GiB. The kernels compute byte offsets in i32, so
 * past 2^31 they would read and write the wrong places (silently); an allocation that would reach
 * further is refused instead.
 */
export const MAX_MEMORY_BYTES = 2 ** 31;

interface Block { start: number; size: number }

export class LinearAllocator {
  /** Free blocks sorted by start. */
  private freeList: Block[] = [];
  /** Sizes of live blocks by start. */
  private live = new Map<number, number>();
  private top: number;

  /**
   * @param base first usable byte (above the module's static data)
   * @param ensure grows the memory so that `end` bytes exist
   */
  constructor(base: number, private readonly ensure: (end: number) => void) {
    this.top = align(base);
  }

  alloc(bytes: number): number {
    if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
      throw new Error(`alloc: ${String(bytes)} is not a size in bytes (a shape with NaN, Infinity or a negative size?)`);
    }
    const size = align(Math.max(bytes, ALIGN));
    for (let i = 0; i < this.freeList.length; i++) {
      const b = this.freeList[i];
      if (b.size < size) continue;
      const start = b.start;
      if (b.size === size) this.freeList.splice(i, 1);
      else { b.start += size; b.size -= size; }
      this.live.set(start, size);
      return start;
    }
    const start = this.top;
    if (start + size > MAX_MEMORY_BYTES) {
      throw new Error(`alloc: ${fmtBytes(size)} more would take linear memory to ${fmtBytes(start + size)}, past keelnet's limit of 2 GiB `
        + `(${fmtBytes(this.liveBytes())} in use); use a smaller batch size or model, or dispose models no longer needed`);
    }
    this.ensure(start + size);
    this.top = start + size;
    this.live.set(start, size);
    return start;
  }

  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`free: ${ptr} is not a live block`);
    this.live.delete(ptr);
    let i = 0;
    while (i < this.freeList.length && this.freeList[i].start < ptr) i++;
    this.freeList.splice(i, 0, { start: ptr, size });
    // Coalesce with the next and previous free blocks.
    const next = this.freeList[i + 1];
    if (next && ptr + size === next.start) { this.freeList[i].size += next.size; this.freeList.splice(i + 1, 1); }
    const prev = this.freeList[i - 1];
    if (prev && prev.start + prev.size === ptr) { prev.size += this.freeList[i].size; this.freeList.splice(i, 1); }
    // A free block at the top goes back to the bump pointer.
    const last = this.freeList[this.freeList.length - 1];
    if (last && last.start + last.size === this.top) { this.top = last.start; this.freeList.pop(); }
  }

  /** Bytes in live blocks. */
  liveBytes(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }
}

/** Bytes as people read them: 1.5 GiB, 300 MiB, 12 KiB. */
export function fmtBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0, v = n;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
