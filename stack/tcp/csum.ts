/**
 * A faster Internet checksum (RFC 1071) for TCP's hot path: the byte loop of wire/checksum.ts unrolled to 16
 * bytes a step (every packet of a bulk transfer is summed twice: when sent and when verified).
 */
import { onesSum } from '../wire/checksum.js';

/**
 * Ones-complement sum of b (big-endian 16-bit words, odd byte padded) plus `initial`, folded to 16 bits: the
 * same value as wire/checksum's onesSum(b, 0, b.length, initial).
 */
export function fastSum(d: Uint8Array, initial: number): number {
  const len = d.length;
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
