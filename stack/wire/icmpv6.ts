/**
 * ICMPv6 (RFC 4443) and the Neighbor Discovery messages the stack needs (RFC 4861 §4.3–4.4, options §4.6).
 * The checksum covers the IPv6 pseudo header (RFC 4443 §2.3, RFC 8200 §8.1) and is always verified. Semantic
 * ND checks (hop limit 255, code 0, target not multicast — RFC 4861 §7.1) belong to the neighbour code.
 */

import { WireError } from './errors.js';
import { finishChecksum, onesSum, pseudoSumV6 } from './checksum.js';
import { placePayload, readMac, readU16, readU32, writeMac, writeU16, writeU32 } from './bytes.js';

/** Length of the ICMPv6 header: type, code, checksum, and the 4 type-specific bytes. */
export const ICMPV6_HEADER_LEN = 8;
/** Length of a Neighbor Solicitation/Advertisement before its options: header + target address. */
export const NDP_NS_NA_LEN = 24;
/** Next Header value of ICMPv6, used in the pseudo header. */
const PROTO_ICMPV6 = 58;

/** Destination unreachable. */
export const ICMPV6_DEST_UNREACH = 1;
/** Packet too big. */
export const ICMPV6_PACKET_TOO_BIG = 2;
/** Time exceeded. */
export const ICMPV6_TIME_EXCEEDED = 3;
/** Parameter problem. */
export const ICMPV6_PARAM_PROBLEM = 4;
/** Echo request. */
export const ICMPV6_ECHO_REQUEST = 128;
/** Echo reply. */
export const ICMPV6_ECHO_REPLY = 129;
/** Router solicitation (RFC 4861 §4.1). */
export const ICMPV6_ROUTER_SOLICIT = 133;
/** Router advertisement (RFC 4861 §4.2). */
export const ICMPV6_ROUTER_ADVERT = 134;
/** Neighbor solicitation (RFC 4861 §4.3). */
export const ICMPV6_NEIGHBOR_SOLICIT = 135;
/** Neighbor advertisement (RFC 4861 §4.4). */
export const ICMPV6_NEIGHBOR_ADVERT = 136;
/** ND option type: source link-layer address (RFC 4861 §4.6.1). */
export const NDP_OPT_SOURCE_LL = 1;
/** ND option type: target link-layer address (RFC 4861 §4.6.1). */
export const NDP_OPT_TARGET_LL = 2;

/** NA flag bits in header byte 4 (RFC 4861 §4.4). */
const NA_ROUTER = 0x80, NA_SOLICITED = 0x40, NA_OVERRIDE = 0x20;

/** Echo request (128) or reply (129), RFC 4443 §4. */
export interface Icmpv6Echo {
  type: 128 | 129;
  code: number;
  id: number;
  seq: number;
  data: Uint8Array;
}

/** Destination unreachable (1) or time exceeded (3): `original` is as much of the invoking packet as fits. */
export interface Icmpv6Error {
  type: 1 | 3;
  code: number;
  original: Uint8Array;
}

/** Packet too big (2), RFC 4443 §3.2. */
export interface Icmpv6PacketTooBig {
  type: 2;
  code: number;
  mtu: number;
  original: Uint8Array;
}

/** Parameter problem (4), RFC 4443 §3.4: `pointer` is the offset of the offending byte. */
export interface Icmpv6ParamProblem {
  type: 4;
  code: number;
  pointer: number;
  original: Uint8Array;
}

/** A Neighbor Discovery option; a link-layer option whose length is not 8 bytes (Ethernet) is 'unknown'. */
export type NdpOption =
  | { kind: 'sourceLinkAddr'; mac: number }
  | { kind: 'targetLinkAddr'; mac: number }
  /** `data` follows the type and length bytes: its length is 8n − 2. */
  | { kind: 'unknown'; type: number; data: Uint8Array };

/** Neighbor solicitation (135), RFC 4861 §4.3. */
export interface Icmpv6NeighborSolicit {
  type: 135;
  code: number;
  target: Uint8Array;
  options: NdpOption[];
}

/** Neighbor advertisement (136), RFC 4861 §4.4. */
export interface Icmpv6NeighborAdvert {
  type: 136;
  code: number;
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: Uint8Array;
  options: NdpOption[];
}

/** Any other message (router solicitation/advertisement, redirect, …): `rest` is header bytes 4–7. */
export interface Icmpv6Generic {
  type: number;
  code: number;
  rest: number;
  data: Uint8Array;
}

/** A decoded ICMPv6 message; parse returns the specific shape for the types above. */
export type Icmpv6Repr = Icmpv6Echo | Icmpv6Error | Icmpv6PacketTooBig | Icmpv6ParamProblem | Icmpv6NeighborSolicit
  | Icmpv6NeighborAdvert | Icmpv6Generic;

/**
 * Decodes ND options in `bytes[from, end)`. A zero length, a length past the end or a stray trailing byte makes
 * the whole packet invalid ('bad-option'): RFC 4861 §4.6 says to discard it, as Linux's ndisc_parse_options() does.
 */
export function parseNdpOptions(bytes: Uint8Array, from: number): NdpOption[] {
  const opts: NdpOption[] = [];
  const end = bytes.length;
  let p = from;
  while (p < end) {
    if (p + 2 > end) throw new WireError('icmpv6', 'bad-option', p);
    const size = bytes[p + 1] * 8;
    if (size === 0 || p + size > end) throw new WireError('icmpv6', 'bad-option', p + 1);
    const type = bytes[p];
    if (type === NDP_OPT_SOURCE_LL && size === 8) opts.push({ kind: 'sourceLinkAddr', mac: readMac(bytes, p + 2) });
    else if (type === NDP_OPT_TARGET_LL && size === 8) opts.push({ kind: 'targetLinkAddr', mac: readMac(bytes, p + 2) });
    else opts.push({ kind: 'unknown', type, data: bytes.subarray(p + 2, p + size) });
    p += size;
  }
  return opts;
}

/** The MAC of the first source (`kind` 'sourceLinkAddr') or target link-layer option, or null. */
export function ndpLinkAddr(options: readonly NdpOption[], kind: 'sourceLinkAddr' | 'targetLinkAddr'): number | null {
  for (let i = 0; i < options.length; i++) {
    const o = options[i];
    if (o.kind === kind) return o.mac;
  }
  return null;
}

/**
 * Decodes a message (the whole upper-layer payload) sent from `src` to `dst`. Reasons: 'truncated' (under 8
 * bytes, or an NS/NA under 24), 'bad-checksum', 'bad-option' (see parseNdpOptions).
 */
export function parseIcmpv6(bytes: Uint8Array, src: Uint8Array, dst: Uint8Array): Icmpv6Repr {
  const len = bytes.length;
  if (len < ICMPV6_HEADER_LEN) throw new WireError('icmpv6', 'truncated', len);
  if (onesSum(bytes, 0, len, pseudoSumV6(src, dst, PROTO_ICMPV6, len)) !== 0xffff) {
    throw new WireError('icmpv6', 'bad-checksum', 2);
  }
  const type = bytes[0];
  const code = bytes[1];
  const body = bytes.subarray(ICMPV6_HEADER_LEN);
  switch (type) {
    case ICMPV6_ECHO_REQUEST:
    case ICMPV6_ECHO_REPLY:
      return { type, code, id: readU16(bytes, 4), seq: readU16(bytes, 6), data: body };
    case ICMPV6_DEST_UNREACH:
    case ICMPV6_TIME_EXCEEDED:
      return { type, code, original: body };
    case ICMPV6_PACKET_TOO_BIG:
      return { type, code, mtu: readU32(bytes, 4), original: body };
    case ICMPV6_PARAM_PROBLEM:
      return { type, code, pointer: readU32(bytes, 4), original: body };
    case ICMPV6_NEIGHBOR_SOLICIT:
    case ICMPV6_NEIGHBOR_ADVERT: {
      if (len < NDP_NS_NA_LEN) throw new WireError('icmpv6', 'truncated', len);
      const target = bytes.subarray(8, 24);
      const options = parseNdpOptions(bytes, NDP_NS_NA_LEN);
      if (type === ICMPV6_NEIGHBOR_SOLICIT) return { type, code, target, options };
      const f = bytes[4];
      return {
        type, code, target, options,
        router: (f & NA_ROUTER) !== 0, solicited: (f & NA_SOLICITED) !== 0, override: (f & NA_OVERRIDE) !== 0,
      };
    }
    default:
      return { type, code, rest: readU32(bytes, 4), data: body };
  }
}

/** Wire length of an ND option list; throws RangeError on an 'unknown' option not filling whole 8-byte units. */
function ndpOptionsLen(options: readonly NdpOption[]): number {
  let n = 0;
  for (let i = 0; i < options.length; i++) {
    const o = options[i];
    if (o.kind !== 'unknown') {
      n += 8;
    } else {
      const size = o.data.length + 2;
      if (size % 8 !== 0 || size > 255 * 8) throw new RangeError(`icmpv6: bad ND option data length ${o.data.length}`);
      n += size;
    }
  }
  return n;
}

/** Length the message will be emitted with. */
export function icmpv6Len(repr: Icmpv6Repr): number {
  if ('target' in repr) return NDP_NS_NA_LEN + ndpOptionsLen(repr.options);
  return ICMPV6_HEADER_LEN + ('original' in repr ? repr.original : repr.data).length;
}

/** Writes header bytes 4 onward (type-specific word, target, options, body) of `repr` at `o`. */
function writeBody(repr: Icmpv6Repr, buf: Uint8Array, o: number): void {
  if ('target' in repr) {
    let word = 0;
    if ('router' in repr) {
      word = ((repr.router ? NA_ROUTER : 0) | (repr.solicited ? NA_SOLICITED : 0) |
        (repr.override ? NA_OVERRIDE : 0)) << 24;
    }
    writeU32(buf, o + 4, word >>> 0);
    buf.set(repr.target, o + 8);
    let p = o + NDP_NS_NA_LEN;
    for (let i = 0; i < repr.options.length; i++) {
      const opt = repr.options[i];
      if (opt.kind === 'unknown') {
        buf[p] = opt.type;
        buf[p + 1] = (opt.data.length + 2) / 8;
        buf.set(opt.data, p + 2);
        p += opt.data.length + 2;
      } else {
        buf[p] = opt.kind === 'sourceLinkAddr' ? NDP_OPT_SOURCE_LL : NDP_OPT_TARGET_LL;
        buf[p + 1] = 1;
        writeMac(buf, p + 2, opt.mac);
        p += 8;
      }
    }
    return;
  }
  let word = 0;
  if ('rest' in repr) word = repr.rest;
  else if ('id' in repr) word = ((repr.id << 16) | repr.seq) >>> 0;
  else if ('mtu' in repr) word = repr.mtu;
  else if ('pointer' in repr) word = repr.pointer;
  writeU32(buf, o + 4, word);
  placePayload(buf, o + ICMPV6_HEADER_LEN, 'original' in repr ? repr.original : repr.data);
}

/** Writes the message from `src` to `dst` at `offset`, checksum included, and returns its length. */
export function emitIcmpv6Into(repr: Icmpv6Repr, buf: Uint8Array, offset: number, src: Uint8Array,
  dst: Uint8Array): number {
  const len = icmpv6Len(repr);
  buf[offset] = repr.type;
  buf[offset + 1] = repr.code;
  writeU16(buf, offset + 2, 0);
  writeBody(repr, buf, offset);
  const sum = onesSum(buf, offset, offset + len, pseudoSumV6(src, dst, PROTO_ICMPV6, len));
  writeU16(buf, offset + 2, finishChecksum(sum));
  return len;
}

/** Encodes the message from `src` to `dst` into a buffer of exactly its length. */
export function emitIcmpv6(repr: Icmpv6Repr, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const buf = new Uint8Array(icmpv6Len(repr));
  emitIcmpv6Into(repr, buf, 0, src, dst);
  return buf;
}
