/**
 * The send buffer: every byte from SND.UNA to the end of what the application wrote, in a growable ring. Bytes are
 * copied in once at write() time and copied out into each segment; ACKs advance the head without moving data.
 */

const EMPTY = new Uint8Array(0);
/** The first allocation: one small write's worth. */
const MIN_CAPACITY = 4096;

/** A byte ring holding the unacknowledged and unsent stream. Offsets are relative to SND.UNA. */
export class SendBuffer {
  private buf: Uint8Array;
  private head = 0;
  /** Bytes held. */
  length = 0;

  /** Starts empty: the ring is allocated on the first write (thousands of idle connections cost no buffer). */
  constructor(initial = 0) {
    this.buf = initial > 0 ? new Uint8Array(initial) : EMPTY;
  }

  /** Appends src[off, off+n). */
  append(src: Uint8Array, off: number, n: number): void {
    if (n <= 0) return;
    if (this.length + n > this.buf.length) this.grow(this.length + n);
    const cap = this.buf.length;
    const tail = (this.head + this.length) % cap;
    const first = Math.min(n, cap - tail);
    this.buf.set(src.subarray(off, off + first), tail);
    if (first < n) this.buf.set(src.subarray(off + first, off + n), 0);
    this.length += n;
  }

  /** Copies n bytes starting `offset` bytes past the head into dst at dstOff. */
  copyOut(offset: number, n: number, dst: Uint8Array, dstOff: number): void {
    if (offset < 0 || offset + n > this.length) throw new RangeError(`send buffer read [${offset}, ${offset + n}) beyond ${this.length}`);
    if (n <= 0) return;
    const cap = this.buf.length;
    const start = (this.head + offset) % cap;
    const first = Math.min(n, cap - start);
    dst.set(this.buf.subarray(start, start + first), dstOff);
    if (first < n) dst.set(this.buf.subarray(0, n - first), dstOff + first);
  }

  /** Drops n bytes from the head (they were acknowledged); an emptied ring is freed. */
  consume(n: number): void {
    if (n > this.length) throw new RangeError(`send buffer consume ${n} > ${this.length}`);
    this.length -= n;
    this.head = this.length === 0 ? 0 : (this.head + n) % this.buf.length;
    // Everything acknowledged: give the ring back, as Linux frees acked skbs (an idle connection holds none).
    if (this.length === 0) this.buf = EMPTY;
  }

  /** Drops everything and frees the ring. */
  clear(): void {
    this.head = 0;
    this.length = 0;
    this.buf = EMPTY;
  }

  private grow(need: number): void {
    let cap = Math.max(this.buf.length * 2, MIN_CAPACITY);
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    if (this.length > 0) this.copyOut(0, this.length, nb, 0);
    this.buf = nb;
    this.head = 0;
  }
}
