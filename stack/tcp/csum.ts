/**
 * A faster Internet checksum (RFC 1071) for TCP's hot path (every packet of a bulk transfer is summed twice: when
 * sent and when verified). Even-aligned data is summed as native 16-bit words and byte-swapped at the end on a
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
 * Ones-complement sum of b (big-endian 16-bit words, odd byte padded) plus `initial`, folded to 16 bits: the
 * same value as wire/checksum's onesSum(b, 0, b.length, initial).
 */
export function fastSum(d: Uint8Array, initial: number): number {
  const len = d.length;
  if ((d.byteOffset & 1) === 0 && len >= 64) {
    const n = len >>> 1;
    const w = new Uint16Array(d.buffer, d.byteOffset, n);
    const stop = n - 7;
    let acc = 0;
    let j = 0;
    for (; j < stop; j += 8) acc += w[j]! + w[j + 1]! + w[j + 2]! + w[j + 3]! + w[j + 4]! + w[j + 5]! + w[j + 6]! + w[j + 7]!;
    for (; j < n; j++) acc += w[j]!;
    acc = fold(acc);
    if (LITTLE_ENDIAN) acc = ((acc & 0xff) << 8) | (acc >>> 8);
    if (len & 1) acc += d[len - 1]! << 8;
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
