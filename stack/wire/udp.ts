/**
 * UDP (RFC 768) with the pseudo-header checksum of RFC 768 (IPv4) and RFC 8200 §8.1 (IPv6). Validation follows
 * Linux's __udp4_lib_rcv()/udp6_csum_init(): the length field must lie between 8 and the datagram's size, and an
 * IPv6 checksum of zero is an error while an IPv4 zero means "not computed".
 */

import { WireError } from './errors.js';
import { finishChecksum, onesSum, pseudoSum, type PseudoHeader } from './checksum.js';
import { placePayload, readU16, writeU16 } from './bytes.js';

/** Length of the UDP header. */
export const UDP_HEADER_LEN = 8;
/** IP protocol number of UDP, used in the pseudo header. */
const PROTO_UDP = 17;

/** A decoded UDP datagram; `payload` is a view into the parsed bytes. */
export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/**
 * Decodes a datagram. Reasons: 'truncated' (under 8 bytes, or the length field exceeds them), 'bad-length'
 * (length field under 8), 'bad-checksum' (only checked when `pseudo` is given; includes a zero checksum over
 * IPv6, which Linux counts as a checksum error too). Bytes after the length field's end are ignored.
 */
export function parseUdp(bytes: Uint8Array, pseudo?: PseudoHeader): UdpRepr {
  if (bytes.length < UDP_HEADER_LEN) throw new WireError('udp', 'truncated', bytes.length);
  const len = readU16(bytes, 4);
  if (len < UDP_HEADER_LEN) throw new WireError('udp', 'bad-length', 4);
  if (len > bytes.length) throw new WireError('udp', 'truncated', 4);
  if (pseudo !== undefined) {
    const field = readU16(bytes, 6);
    if (field === 0) {
      if (pseudo.v === 6) throw new WireError('udp', 'bad-checksum', 6);
    } else if (onesSum(bytes, 0, len, pseudoSum(pseudo, PROTO_UDP, len)) !== 0xffff) {
      throw new WireError('udp', 'bad-checksum', 6);
    }
  }
  return { srcPort: readU16(bytes, 0), dstPort: readU16(bytes, 2), payload: bytes.subarray(UDP_HEADER_LEN, len) };
}

/**
 * Writes the datagram at `offset` and returns its length. With `pseudo` the checksum is computed, a result of 0
 * sent as 0xffff (RFC 768); with null it is left 0, "not computed", which only IPv4 allows (SO_NO_CHECK).
 */
export function emitUdpInto(repr: UdpRepr, buf: Uint8Array, offset: number, pseudo: PseudoHeader | null): number {
  const len = UDP_HEADER_LEN + repr.payload.length;
  if (len > 0xffff) throw new RangeError(`udp: datagram too long ${len}`);
  writeU16(buf, offset, repr.srcPort);
  writeU16(buf, offset + 2, repr.dstPort);
  writeU16(buf, offset + 4, len);
  writeU16(buf, offset + 6, 0);
  placePayload(buf, offset + UDP_HEADER_LEN, repr.payload);
  if (pseudo !== null) {
    const c = finishChecksum(onesSum(buf, offset, offset + len, pseudoSum(pseudo, PROTO_UDP, len)));
    writeU16(buf, offset + 6, c === 0 ? 0xffff : c);
  }
  return len;
}

/** Encodes the datagram into a buffer of exactly 8 + payload bytes (see emitUdpInto for `pseudo`). */
export function emitUdp(repr: UdpRepr, pseudo: PseudoHeader | null): Uint8Array {
  const buf = new Uint8Array(UDP_HEADER_LEN + repr.payload.length);
  emitUdpInto(repr, buf, 0, pseudo);
  return buf;
}
