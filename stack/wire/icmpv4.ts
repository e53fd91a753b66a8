/**
 * ICMP for IPv4 (RFC 792) with the messages the stack sends and reacts to: echo, destination unreachable
 * (with the RFC 1191 next-hop MTU), time exceeded; anything else is kept generic. The checksum covers the whole
 * message and is always verified, as Linux's icmp_rcv() does.
 */

import { WireError } from './errors.js';
import { finishChecksum, onesSum } from './checksum.js';
import { placePayload, readU16, readU32, writeU16, writeU32 } from './bytes.js';

/** Length of the ICMP header: type, code, checksum, and the 4 type-specific bytes. */
export const ICMPV4_HEADER_LEN = 8;
/** Echo reply. */
export const ICMPV4_ECHO_REPLY = 0;
/** Destination unreachable. */
export const ICMPV4_DEST_UNREACH = 3;
/** Echo request. */
export const ICMPV4_ECHO_REQUEST = 8;
/** Time exceeded. */
export const ICMPV4_TIME_EXCEEDED = 11;
/** Parameter problem (RFC 792). */
export const ICMPV4_PARAM_PROBLEM = 12;
/** Destination unreachable code "fragmentation needed and DF set" (carries the next-hop MTU, RFC 1191 §4). */
export const ICMPV4_FRAG_NEEDED = 4;

/** Echo request (8) or reply (0), RFC 792. */
export interface Icmpv4Echo {
  type: 0 | 8;
  code: number;
  id: number;
  seq: number;
  data: Uint8Array;
}

/** Destination unreachable (3): `original` is the offending IP header plus leading data. */
export interface Icmpv4DestUnreachable {
  type: 3;
  code: number;
  /** Bytes 6–7 of the header: the next-hop MTU for code 4 (RFC 1191 §4), otherwise normally 0. */
  nextHopMtu: number;
  original: Uint8Array;
}

/** Time exceeded (11): code 0 TTL exceeded in transit, 1 fragment reassembly time exceeded. */
export interface Icmpv4TimeExceeded {
  type: 11;
  code: number;
  original: Uint8Array;
}

/** Any other message: `rest` is header bytes 4–7 as a uint32, `data` what follows. */
export interface Icmpv4Generic {
  type: number;
  code: number;
  rest: number;
  data: Uint8Array;
}

/** A decoded ICMPv4 message; parse returns the specific shape for types 0, 3, 8 and 11. */
export type Icmpv4Repr = Icmpv4Echo | Icmpv4DestUnreachable | Icmpv4TimeExceeded | Icmpv4Generic;

/**
 * Decodes a message (the whole IP payload). Reasons: 'truncated' (under 8 bytes), 'bad-checksum'. Unused header
 * bytes of destination unreachable (4–5) and time exceeded (4–7) are ignored, as RFC 792 leaves them.
 */
export function parseIcmpv4(bytes: Uint8Array): Icmpv4Repr {
  if (bytes.length < ICMPV4_HEADER_LEN) throw new WireError('icmpv4', 'truncated', bytes.length);
  if (onesSum(bytes) !== 0xffff) throw new WireError('icmpv4', 'bad-checksum', 2);
  const type = bytes[0];
  const code = bytes[1];
  const body = bytes.subarray(ICMPV4_HEADER_LEN);
  switch (type) {
    case ICMPV4_ECHO_REQUEST:
    case ICMPV4_ECHO_REPLY:
      return { type, code, id: readU16(bytes, 4), seq: readU16(bytes, 6), data: body };
    case ICMPV4_DEST_UNREACH:
      return { type, code, nextHopMtu: readU16(bytes, 6), original: body };
    case ICMPV4_TIME_EXCEEDED:
      return { type, code, original: body };
    default:
      return { type, code, rest: readU32(bytes, 4), data: body };
  }
}

/** Header bytes 4–7 of `repr`, by its shape (a generic repr may carry any type). */
function restOf(repr: Icmpv4Repr): number {
  if ('rest' in repr) return repr.rest;
  if ('id' in repr) return ((repr.id << 16) | repr.seq) >>> 0;
  if ('nextHopMtu' in repr) return repr.nextHopMtu;
  return 0;
}

/** The bytes after the 8-byte header of `repr`. */
function bodyOf(repr: Icmpv4Repr): Uint8Array {
  return 'original' in repr ? repr.original : repr.data;
}

/** Length the message will be emitted with. */
export function icmpv4Len(repr: Icmpv4Repr): number {
  return ICMPV4_HEADER_LEN + bodyOf(repr).length;
}

/** Writes the message at `offset`, checksum included, and returns its length. */
export function emitIcmpv4Into(repr: Icmpv4Repr, buf: Uint8Array, offset: number): number {
  const body = bodyOf(repr);
  const len = ICMPV4_HEADER_LEN + body.length;
  buf[offset] = repr.type;
  buf[offset + 1] = repr.code;
  writeU16(buf, offset + 2, 0);
  writeU32(buf, offset + 4, restOf(repr));
  placePayload(buf, offset + ICMPV4_HEADER_LEN, body);
  writeU16(buf, offset + 2, finishChecksum(onesSum(buf, offset, offset + len)));
  return len;
}

/** Encodes the message into a buffer of exactly its length. */
export function emitIcmpv4(repr: Icmpv4Repr): Uint8Array {
  const buf = new Uint8Array(icmpv4Len(repr));
  emitIcmpv4Into(repr, buf, 0);
  return buf;
}
