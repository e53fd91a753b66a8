/**
 * Big-endian field access on a Uint8Array by byte math: no DataView is allocated per packet, and the JIT keeps
 * these small functions inlined in the codecs' hot paths. Callers check bounds first.
 */

/** Reads a network-order 16-bit unsigned integer at `o`. */
export function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Reads a network-order 32-bit unsigned integer at `o`. */
export function readU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Writes `v` as a network-order 16-bit integer at `o`. */
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

/** Writes `v` as a network-order 32-bit integer at `o`. */
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** Reads a 48-bit MAC address at `o` as a number (exact: 48 bits fit a double's 53-bit mantissa). */
export function readMac(b: Uint8Array, o: number): number {
  return ((b[o] << 8) | b[o + 1]) * 0x100000000 + readU32(b, o + 2);
}

/** Writes the 48-bit MAC `mac` at `o`. */
export function writeMac(b: Uint8Array, o: number, mac: number): void {
  const lo = mac >>> 0; // ToUint32 is the value modulo 2^32, so this is exactly the low 32 bits.
  const hi = (mac - lo) / 0x100000000;
  b[o] = hi >>> 8;
  b[o + 1] = hi;
  writeU32(b, o + 2, lo);
}

/**
 * Copies `src` into `dst` at `o` unless it already sits there (a layered emit that wrote the inner packet in place
 * and passes a subarray of the same buffer as the payload), so nested emits copy each byte once.
 */
export function placePayload(dst: Uint8Array, o: number, src: Uint8Array): void {
  if (src.buffer === dst.buffer && src.byteOffset === dst.byteOffset + o) return;
  dst.set(src, o);
}

/** Size of the shared slabs `allocBytes` carves buffers from. */
const SLAB_BYTES = 16384;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/**
 * A zero-filled buffer of n bytes, carved from a shared 16 KiB slab when n is at most a quarter of it. Frames are
 * built once per packet: `new Uint8Array(n)` gives each its own ArrayBuffer (over 64 bytes, an off-heap allocation
 * V8 must also track and finalise), which costs several times a view onto a slab. A slab is never reused, so the
 * bytes start at zero exactly as a fresh array's do; a live view keeps at most its 16 KiB slab alive.
 */
export function allocBytes(n: number): Uint8Array {
  if (n > SLAB_BYTES >> 2) return new Uint8Array(n);
  if (slabUsed + n > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const b = new Uint8Array(slab, slabUsed, n);
  slabUsed += (n + 7) & ~7; // keep views 8-byte aligned
  return b;
}
