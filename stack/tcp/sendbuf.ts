/**
 * The send buffer: every byte from SND.UNA to the end of what the application wrote, in a growable ring. Bytes are
 * copied in once at write() time and copied out into each segment; ACKs advance the head without moving data.
 */

/** A byte ring holding the unacknowledged and unsent stream. Offsets are relative to SND.UNA. */
export class SendBuffer {
  private buf: Uint8Array;
  private head = 0;
  /** Bytes held. */
  length = 0;

  constructor(initial = 16384) {
    this.buf = new Uint8Array(initial);
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
    const cap = this.buf.length;
    const start = (this.head + offset) % cap;
    const first = Math.min(n, cap - start);
    dst.set(this.buf.subarray(start, start + first), dstOff);
    if (first < n) dst.set(this.buf.subarray(0, n - first), dstOff + first);
  }

  /** Drops n bytes from the head (they were acknowledged). */
  consume(n: number): void {
    if (n > this.length) throw new RangeError(`send buffer consume ${n} > ${this.length}`);
    this.length -= n;
    this.head = this.length === 0 ? 0 : (this.head + n) % this.buf.length;
  }

  /** Drops everything. */
  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  private grow(need: number): void {
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    if (this.length > 0) this.copyOut(0, this.length, nb, 0);
    this.buf = nb;
    this.head = 0;
  }
}
