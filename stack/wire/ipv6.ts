/**
 * The IPv6 fixed header (RFC 8200 §3) and the Fragment extension header (RFC 8200 §4.5). Extension headers are
 * the caller's business: the fixed header's payload starts with whatever `nextHeader` names.
 */

import { WireError } from './errors.js';
import { placePayload, readU16, readU32, writeU16, writeU32 } from './bytes.js';

/** Length of the fixed IPv6 header. */
export const IPV6_HEADER_LEN = 40;
/** Length of the Fragment header (RFC 8200 §4.5). */
export const IPV6_FRAGMENT_HEADER_LEN = 8;
/** Largest payload length the 16-bit field can carry (jumbograms, RFC 2675, are not supported). */
export const IPV6_MAX_PAYLOAD_LEN = 0xffff;

/** A decoded IPv6 packet; addresses and payload are views into the parsed bytes. */
export interface Ipv6Repr {
  /** DSCP and ECN (RFC 2474, RFC 3168). */
  trafficClass: number;
  /** 20-bit flow label (RFC 6437). */
  flowLabel: number;
  nextHeader: number;
  hopLimit: number;
  src: Uint8Array;
  dst: Uint8Array;
  payload: Uint8Array;
}

/**
 * Decodes the fixed header; bytes past the payload length (Ethernet padding) are dropped. Reasons: 'truncated'
 * (shorter than 40 bytes or than the payload length says), 'bad-version'. A payload length of 0 means an empty
 * payload here: jumbograms (RFC 2675) are not supported.
 */
export function parseIpv6(bytes: Uint8Array): Ipv6Repr {
  const avail = bytes.length;
  if (avail < IPV6_HEADER_LEN) throw new WireError('ipv6', 'truncated', avail);
  const first = readU32(bytes, 0);
  if (first >>> 28 !== 6) throw new WireError('ipv6', 'bad-version', 0);
  const plen = readU16(bytes, 4);
  if (IPV6_HEADER_LEN + plen > avail) throw new WireError('ipv6', 'truncated', 4);
  return {
    trafficClass: (first >>> 20) & 0xff,
    flowLabel: first & 0xfffff,
    nextHeader: bytes[6],
    hopLimit: bytes[7],
    // Addresses are copied-free views: callers that keep one beyond the packet's life must copy it (slice()).
    src: bytes.subarray(8, 24),
    dst: bytes.subarray(24, 40),
    payload: bytes.subarray(IPV6_HEADER_LEN, IPV6_HEADER_LEN + plen),
  };
}

/** Writes the fixed header for a payload of `payloadLen` bytes at `offset` and returns 40. */
export function emitIpv6HeaderInto(repr: Ipv6Repr, payloadLen: number, buf: Uint8Array, offset: number): number {
  if (payloadLen > IPV6_MAX_PAYLOAD_LEN) throw new RangeError(`ipv6: payload too long ${payloadLen}`);
  writeU32(buf, offset, ((6 << 28) | ((repr.trafficClass & 0xff) << 20) | (repr.flowLabel & 0xfffff)) >>> 0);
  writeU16(buf, offset + 4, payloadLen);
  buf[offset + 6] = repr.nextHeader;
  buf[offset + 7] = repr.hopLimit;
  buf.set(repr.src, offset + 8);
  buf.set(repr.dst, offset + 24);
  return IPV6_HEADER_LEN;
}

/** Writes header and payload at `offset` and returns the bytes written. */
export function emitIpv6Into(repr: Ipv6Repr, buf: Uint8Array, offset: number): number {
  emitIpv6HeaderInto(repr, repr.payload.length, buf, offset);
  placePayload(buf, offset + IPV6_HEADER_LEN, repr.payload);
  return IPV6_HEADER_LEN + repr.payload.length;
}

/** Encodes the packet into a buffer of exactly 40 + payload bytes. */
export function emitIpv6(repr: Ipv6Repr): Uint8Array {
  const buf = new Uint8Array(IPV6_HEADER_LEN + repr.payload.length);
  emitIpv6Into(repr, buf, 0);
  return buf;
}

/** A decoded Fragment header (RFC 8200 §4.5) and the fragment data after it. */
export interface Ipv6FragmentRepr {
  nextHeader: number;
  /** Offset of this fragment's data in bytes (a multiple of 8). */
  fragOffset: number;
  moreFragments: boolean;
  /** 32-bit identification. */
  id: number;
  payload: Uint8Array;
}

/** Decodes a Fragment header; the reserved fields are ignored, as RFC 8200 §4.5 says receivers must. */
export function parseIpv6FragmentHeader(bytes: Uint8Array): Ipv6FragmentRepr {
  if (bytes.length < IPV6_FRAGMENT_HEADER_LEN) throw new WireError('ipv6-frag', 'truncated', bytes.length);
  const offm = readU16(bytes, 2);
  return {
    nextHeader: bytes[0],
    fragOffset: offm & 0xfff8,
    moreFragments: (offm & 1) !== 0,
    id: readU32(bytes, 4),
    payload: bytes.subarray(IPV6_FRAGMENT_HEADER_LEN),
  };
}

/** Writes the 8-byte Fragment header at `offset` (reserved fields zero) and returns 8. */
export function emitIpv6FragmentHeaderInto(repr: Ipv6FragmentRepr, buf: Uint8Array, offset: number): number {
  if ((repr.fragOffset & 7) !== 0 || repr.fragOffset > 0xfff8) {
    throw new RangeError(`ipv6: bad fragment offset ${repr.fragOffset}`);
  }
  buf[offset] = repr.nextHeader;
  buf[offset + 1] = 0;
  writeU16(buf, offset + 2, repr.fragOffset | (repr.moreFragments ? 1 : 0));
  writeU32(buf, offset + 4, repr.id);
  return IPV6_FRAGMENT_HEADER_LEN;
}

/** Encodes the Fragment header followed by the fragment data. */
export function emitIpv6FragmentHeader(repr: Ipv6FragmentRepr): Uint8Array {
  const buf = new Uint8Array(IPV6_FRAGMENT_HEADER_LEN + repr.payload.length);
  emitIpv6FragmentHeaderInto(repr, buf, 0);
  placePayload(buf, IPV6_FRAGMENT_HEADER_LEN, repr.payload);
  return buf;
}
