/**
 * The IPv4 header (RFC 791 §3.1) with its header checksum (RFC 1071). Validation follows Linux's ip_rcv_core():
 * version 4, IHL ≥ 5, total length within the buffer and ≥ the header, checksum correct; bytes after the total
 * length (Ethernet padding) are not part of the packet.
 */

import { WireError } from './errors.js';
import { finishChecksum, onesSum } from './checksum.js';
import { placePayload, readU16, readU32, writeU16, writeU32 } from './bytes.js';

/** Length of an IPv4 header without options. */
export const IPV4_HEADER_LEN = 20;
/** Longest IPv4 header: IHL is 4 bits of 32-bit words. */
export const IPV4_MAX_HEADER_LEN = 60;
/** Largest total length the 16-bit field can carry. */
export const IPV4_MAX_TOTAL_LEN = 0xffff;
/** Flag bit "don't fragment" in the flags/fragment-offset word (RFC 791 §3.1). */
const FLAG_DF = 0x4000;
/** Flag bit "more fragments". */
const FLAG_MF = 0x2000;
/** The options of a header without any (zero-length, so nothing can write through it). */
const NO_OPTIONS = new Uint8Array(0);

/** A decoded IPv4 packet; `options` and `payload` are views into the parsed bytes. */
export interface Ipv4Repr {
  /** The whole TOS byte: DSCP and ECN (RFC 2474, RFC 3168). */
  tos: number;
  id: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes (the field counts 8-byte units, so always a multiple of 8). */
  fragOffset: number;
  ttl: number;
  protocol: number;
  src: number;
  dst: number;
  /** Raw option bytes, a multiple of 4 long (at most 40), possibly empty. */
  options: Uint8Array;
  payload: Uint8Array;
}

/**
 * Decodes an IPv4 packet. Reasons: 'truncated' (shorter than the header or the total length), 'bad-version',
 * 'bad-header-length' (IHL < 5), 'bad-length' (total length < header length), 'bad-checksum'.
 */
export function parseIpv4(bytes: Uint8Array): Ipv4Repr {
  const avail = bytes.length;
  if (avail < IPV4_HEADER_LEN) throw new WireError('ipv4', 'truncated', avail);
  const vihl = bytes[0];
  if (vihl >>> 4 !== 4) throw new WireError('ipv4', 'bad-version', 0);
  const hlen = (vihl & 0xf) * 4;
  if (hlen < IPV4_HEADER_LEN) throw new WireError('ipv4', 'bad-header-length', 0);
  if (hlen > avail) throw new WireError('ipv4', 'truncated', avail);
  const total = readU16(bytes, 2);
  if (total > avail) throw new WireError('ipv4', 'truncated', 2);
  if (total < hlen) throw new WireError('ipv4', 'bad-length', 2);
  if (onesSum(bytes, 0, hlen) !== 0xffff) throw new WireError('ipv4', 'bad-checksum', 10);
  const frag = readU16(bytes, 6);
  return {
    tos: bytes[1],
    id: readU16(bytes, 4),
    dontFragment: (frag & FLAG_DF) !== 0,
    moreFragments: (frag & FLAG_MF) !== 0,
    fragOffset: (frag & 0x1fff) * 8,
    ttl: bytes[8],
    protocol: bytes[9],
    src: readU32(bytes, 12),
    dst: readU32(bytes, 16),
    // Most packets carry no options: one shared empty view saves an allocation per packet.
    options: hlen === IPV4_HEADER_LEN ? NO_OPTIONS : bytes.subarray(IPV4_HEADER_LEN, hlen),
    payload: bytes.subarray(hlen, total),
  };
}

/** Header length `repr` will be emitted with. */
export function ipv4HeaderLen(repr: Ipv4Repr): number {
  return IPV4_HEADER_LEN + repr.options.length;
}

/**
 * Writes the header for a payload of `payloadLen` bytes at `offset`, checksum included, and returns the header
 * length; the payload is the caller's to place after it. Throws RangeError on an unrepresentable repr.
 */
export function emitIpv4HeaderInto(repr: Ipv4Repr, payloadLen: number, buf: Uint8Array, offset: number): number {
  const optLen = repr.options.length;
  const hlen = IPV4_HEADER_LEN + optLen;
  if ((optLen & 3) !== 0 || hlen > IPV4_MAX_HEADER_LEN) throw new RangeError(`ipv4: bad options length ${optLen}`);
  if (hlen + payloadLen > IPV4_MAX_TOTAL_LEN) throw new RangeError(`ipv4: packet too long ${hlen + payloadLen}`);
  if ((repr.fragOffset & 7) !== 0 || repr.fragOffset > 0xfff8) {
    throw new RangeError(`ipv4: bad fragment offset ${repr.fragOffset}`);
  }
  buf[offset] = 0x40 | (hlen >>> 2);
  buf[offset + 1] = repr.tos;
  writeU16(buf, offset + 2, hlen + payloadLen);
  writeU16(buf, offset + 4, repr.id);
  writeU16(buf, offset + 6, (repr.dontFragment ? FLAG_DF : 0) | (repr.moreFragments ? FLAG_MF : 0) |
    (repr.fragOffset >>> 3));
  buf[offset + 8] = repr.ttl;
  buf[offset + 9] = repr.protocol;
  buf[offset + 10] = 0;
  buf[offset + 11] = 0;
  writeU32(buf, offset + 12, repr.src);
  writeU32(buf, offset + 16, repr.dst);
  if (optLen > 0) buf.set(repr.options, offset + IPV4_HEADER_LEN);
  writeU16(buf, offset + 10, finishChecksum(onesSum(buf, offset, offset + hlen)));
  return hlen;
}

/** Writes header and payload at `offset` and returns the total length. */
export function emitIpv4Into(repr: Ipv4Repr, buf: Uint8Array, offset: number): number {
  const hlen = emitIpv4HeaderInto(repr, repr.payload.length, buf, offset);
  placePayload(buf, offset + hlen, repr.payload);
  return hlen + repr.payload.length;
}

/** Encodes the packet into a buffer of exactly its total length. */
export function emitIpv4(repr: Ipv4Repr): Uint8Array {
  const buf = new Uint8Array(ipv4HeaderLen(repr) + repr.payload.length);
  emitIpv4Into(repr, buf, 0);
  return buf;
}
