/**
 * ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol type 0x0800, address lengths 6 and 4.
 */

import { WireError } from './errors.js';
import { readMac, readU16, readU32, writeMac, writeU16, writeU32 } from './bytes.js';
import { ETHERTYPE_IPV4 } from './ethernet.js';

/** Length of an Ethernet/IPv4 ARP packet (the frame pads it to the 60-byte minimum). */
export const ARP_LEN = 28;
/** Same as ARP_LEN, named like the other codecs' header lengths. */
export const ARP_HEADER_LEN = ARP_LEN;
/** ARP opcode "request" (RFC 826). */
export const ARP_REQUEST = 1;
/** ARP opcode "reply" (RFC 826). */
export const ARP_REPLY = 2;
/** ARP hardware type of Ethernet (ARPHRD_ETHER). */
const HTYPE_ETHERNET = 1;

/** A decoded Ethernet/IPv4 ARP request or reply. */
export interface ArpRepr {
  op: 1 | 2;
  senderMac: number;
  senderIp: number;
  targetMac: number;
  targetIp: number;
}

/**
 * Decodes an ARP packet; trailing frame padding is ignored. Other hardware/protocol types ('unsupported-format')
 * and opcodes other than request/reply ('bad-op', e.g. RARP's 3/4) are rejected: Linux's arp_process() ignores
 * them too.
 */
export function parseArp(bytes: Uint8Array): ArpRepr {
  if (bytes.length < ARP_LEN) throw new WireError('arp', 'truncated', bytes.length);
  if (readU16(bytes, 0) !== HTYPE_ETHERNET || readU16(bytes, 2) !== ETHERTYPE_IPV4) {
    throw new WireError('arp', 'unsupported-format', 0);
  }
  if (bytes[4] !== 6 || bytes[5] !== 4) throw new WireError('arp', 'unsupported-format', 4);
  const op = readU16(bytes, 6);
  if (op !== ARP_REQUEST && op !== ARP_REPLY) throw new WireError('arp', 'bad-op', 6);
  return {
    op: op as 1 | 2,
    senderMac: readMac(bytes, 8),
    senderIp: readU32(bytes, 14),
    targetMac: readMac(bytes, 18),
    targetIp: readU32(bytes, 24),
  };
}

/** Writes the 28-byte packet at `offset` and returns 28. */
export function emitArpInto(repr: ArpRepr, buf: Uint8Array, offset: number): number {
  writeU16(buf, offset, HTYPE_ETHERNET);
  writeU16(buf, offset + 2, ETHERTYPE_IPV4);
  buf[offset + 4] = 6;
  buf[offset + 5] = 4;
  writeU16(buf, offset + 6, repr.op);
  writeMac(buf, offset + 8, repr.senderMac);
  writeU32(buf, offset + 14, repr.senderIp);
  writeMac(buf, offset + 18, repr.targetMac);
  writeU32(buf, offset + 24, repr.targetIp);
  return ARP_LEN;
}

/** Encodes an ARP packet of exactly 28 bytes. */
export function emitArp(repr: ArpRepr): Uint8Array {
  const buf = new Uint8Array(ARP_LEN);
  emitArpInto(repr, buf, 0);
  return buf;
}
