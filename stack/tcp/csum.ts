/**
 * A fast Internet checksum (RFC 1071) for TCP's hot path: the data is summed as big-endian 32-bit words read
 * through a DataView (any alignment), whose folded sum equals the sum of 16-bit words (RFC 1071 §2(C): the sum
 * may be computed in longer words and folded). A quarter of the byte loop's iterations, no shifts per byte.
 */
import { onesSum } from '../wire/checksum.js';

/**
 * Ones-complement sum of b (big-endian 16-bit words, odd byte padded) plus `initial`, folded to 16 bits: the
 * same value as wire/checksum's onesSum(b, 0, b.length, initial).
 */
export function fastSum(b: Uint8Array, initial: number): number {
  const len = b.length;
  if (len < 64) return onesSum(b, 0, len, initial);
  const dv = new DataView(b.buffer, b.byteOffset, len);
  const n = len & ~3;
  let acc = initial;
  for (let i = 0; i < n; i += 4) acc += dv.getUint32(i, false);
  const r = len - n;
  // The tail: a 16-bit word in the high half, then an odd byte padded with a zero on the right (RFC 1071).
  if (r >= 2) acc += dv.getUint16(n, false) * 0x10000;
  if (r === 1) acc += b[n]! * 0x1000000;
  else if (r === 3) acc += b[n + 2]! << 8;
  // Fold the 32-bit-word sum: high and low halves are both 16-bit word sums.
  while (acc > 0xffffffff) acc = (acc % 0x100000000) + Math.floor(acc / 0x100000000);
  let s = (acc >>> 16) + (acc & 0xffff);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
