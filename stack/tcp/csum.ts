/**
 * A faster Internet checksum (RFC 1071) for TCP's hot path (every packet of a bulk transfer is summed twice: when
 * sent and when verified). Even-aligned data is summed as native 32-bit words and byte-swapped at the end on a
 * little-endian machine (RFC 1071 §2(B): the sum is byte-order independent); otherwise the byte loop of
 * wire/checksum.ts, unrolled.
 */
import { onesSum } from '../wire/checksum.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Folds a non-negative sum (< 2^53) to 16 bits with end-around carry. */
function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 65536);
  return acc;
}

/**
 * 32-bit views of the whole of the last two buffers summed. Segments are built in one scratch buffer and frames
 * are carved from 16 KiB slabs, so a transfer alternates between the sender's scratch buffer and a receiver's
 * slab: two entries keep both views instead of allocating one per call. A view reads live memory, so keeping it
 * across calls never yields stale bytes.
 */
let bufA: ArrayBufferLike | null = null;
let viewA: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
let bufB: ArrayBufferLike | null = null;
let viewB: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

function words(buf: ArrayBufferLike): Uint32Array {
  if (buf === bufA) return viewA;
  if (buf !== bufB) {
    bufB = buf;
    viewB = new Uint32Array(buf, 0, buf.byteLength >>> 2);
  }
  // The most recent buffer moves to the first entry; the other one is kept as the second.
  const b = bufA, v = viewA;
  bufA = bufB;
  viewA = viewB;
  bufB = b;
  viewB = v;
  return viewA;
}

/** The native-order 16-bit word at d[i], d[i+1]. */
function native16(d: Uint8Array, i: number): number {
  return LITTLE_ENDIAN ? d[i]! | (d[i + 1]! << 8) : (d[i]! << 8) | d[i + 1]!;
}

/**
 * Ones-complement sum of b (big-endian 16-bit words, odd byte padded) plus `initial`, folded to 16 bits: the
 * same value as wire/checksum's onesSum(b, 0, b.length, initial).
 *
 * Even-aligned data is read as native 32-bit words: a 32-bit word is two 16-bit words w0 + w1·2^16, and 2^16 ≡ 1
 * modulo 2^16 − 1, so their sum folds (end-around carry) to the same 16-bit value as the sum of the 16-bit words
 * (RFC 1071 §2(C), "parallel summation"); a double holds the unfolded sum exactly below 2^21 words.
 */
export function fastSum(d: Uint8Array, initial: number): number {
  const len = d.length;
  const off = d.byteOffset;
  if ((off & 1) === 0 && len >= 64 && len < 1 << 23) {
    let acc = 0;
    let i = 0;
    if (off & 2) {
      acc = native16(d, 0);
      i = 2;
    }
    const w = words(d.buffer);
    let j = (off + i) >>> 2;
    const end = j + ((len - i) >>> 2);
    const stop = end - 7;
    for (; j < stop; j += 8) acc += w[j]! + w[j + 1]! + w[j + 2]! + w[j + 3]! + w[j + 4]! + w[j + 5]! + w[j + 6]! + w[j + 7]!;
    for (; j < end; j++) acc += w[j]!;
    i = j * 4 - off;
    if (len - i >= 2) {
      acc += native16(d, i);
      i += 2;
    }
    acc = fold(acc);
    if (LITTLE_ENDIAN) acc = ((acc & 0xff) << 8) | (acc >>> 8);
    if (i < len) acc += d[i]! << 8;
    return fold(acc + initial);
  }
  const stop = len - 15;
  let acc = 0;
  let i = 0;
  for (; i < stop; i += 16) {
    acc += ((d[i]! << 8) | d[i + 1]!) + ((d[i + 2]! << 8) | d[i + 3]!) + ((d[i + 4]! << 8) | d[i + 5]!)
      + ((d[i + 6]! << 8) | d[i + 7]!) + ((d[i + 8]! << 8) | d[i + 9]!) + ((d[i + 10]! << 8) | d[i + 11]!)
      + ((d[i + 12]! << 8) | d[i + 13]!) + ((d[i + 14]! << 8) | d[i + 15]!);
  }
  // The rest (fewer than 16 bytes, starting at an even offset) by the generic loop.
  return onesSum(d, i, len, acc + initial);
}
