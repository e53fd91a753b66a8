/**
 * The Internet checksum (RFC 1071): the ones-complement of the ones-complement sum of 16-bit big-endian words,
 * with an odd trailing byte padded with a zero on the right. Runs per packet, so it reads bytes with plain
 * arithmetic, unrolled by eight, and allocates nothing.
 */

import { readU32 } from './bytes.js';

/** The addresses of a UDP/TCP pseudo header (RFC 768, RFC 9293 §3.1 for IPv4; RFC 8200 §8.1 for IPv6). */
export type PseudoHeader = { v: 4; src: number; dst: number } | { v: 6; src: Uint8Array; dst: Uint8Array };

/** Folds a sum of 16-bit words to 16 bits with end-around carry (RFC 1071 §4.1). */
function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * Ones-complement sum of `data[start, end)` plus `initial`, folded to 16 bits (0–0xffff), so sums compose: pass one
 * call's result as the next call's `initial` (each range but the last must have even length).
 */
export function onesSum(data: Uint8Array, start = 0, end = data.length, initial = 0): number {
  let acc = 0;
  let i = start;
  // Eight bytes a step keeps the loop short; a double holds the unfolded sum exactly for any buffer below 2^37 B.
  const stop8 = end - 7;
  for (; i < stop8; i += 8) {
    acc += ((data[i] << 8) | data[i + 1]) + ((data[i + 2] << 8) | data[i + 3]) +
      ((data[i + 4] << 8) | data[i + 5]) + ((data[i + 6] << 8) | data[i + 7]);
  }
  const last = end - 1;
  for (; i < last; i += 2) acc += (data[i] << 8) | data[i + 1];
  if (i < end) acc += data[i] << 8;
  return fold(acc + initial);
}

/** Turns a ones-complement sum into the checksum field value: fold, then complement (RFC 1071 §4.1). */
export function finishChecksum(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** Sum of the IPv4 pseudo header: source, destination, zero+protocol, upper-layer length (RFC 768). */
export function pseudoSumV4(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

/** Sum of the IPv6 pseudo header: source, destination, 32-bit length, next header (RFC 8200 §8.1). */
export function pseudoSumV6(src: Uint8Array, dst: Uint8Array, nextHeader: number, len: number): number {
  let s = nextHeader + (len >>> 16) + (len & 0xffff);
  for (let o = 0; o < 16; o += 4) {
    const a = readU32(src, o);
    const b = readU32(dst, o);
    s += (a >>> 16) + (a & 0xffff) + (b >>> 16) + (b & 0xffff);
  }
  return s;
}

/** Sum of the pseudo header `ph` for upper-layer protocol `proto` and upper-layer length `len`. */
export function pseudoSum(ph: PseudoHeader, proto: number, len: number): number {
  return ph.v === 4 ? pseudoSumV4(ph.src, ph.dst, proto, len) : pseudoSumV6(ph.src, ph.dst, proto, len);
}
