/**
 * Ethernet II framing (IEEE 802.3 clause 3.1.1 with an EtherType): destination, source, type, payload, without
 * preamble or FCS, as a packet socket or a pcap of a Linux interface shows it.
 */

import { WireError } from './errors.js';
import { placePayload, readMac, readU16, writeMac, writeU16 } from './bytes.js';

/** EtherType of IPv4 (RFC 894). */
export const ETHERTYPE_IPV4 = 0x0800;
/** EtherType of ARP (RFC 826). */
export const ETHERTYPE_ARP = 0x0806;
/** EtherType of IPv6 (RFC 2464 §3). */
export const ETHERTYPE_IPV6 = 0x86dd;
/** Destination + source + EtherType. */
export const ETHERNET_HEADER_LEN = 14;
/** Minimum frame length without FCS (Linux ETH_ZLEN); shorter frames are zero-padded by the sending driver. */
export const ETH_ZLEN = 60;
/** The broadcast MAC ff:ff:ff:ff:ff:ff. */
export const MAC_BROADCAST = 0xffffffffffff;

/** A decoded Ethernet II frame; `payload` is a view into the parsed bytes. */
export interface EthernetRepr {
  dst: number;
  src: number;
  etherType: number;
  payload: Uint8Array;
}

/**
 * Decodes an Ethernet II frame. The 16-bit type field is returned as is: values below 0x0600 are 802.3 lengths
 * and 0x8100 is an 802.1Q tag, which the caller drops as an unknown EtherType. The payload keeps any padding.
 */
export function parseEthernet(bytes: Uint8Array): EthernetRepr {
  if (bytes.length < ETHERNET_HEADER_LEN) throw new WireError('ethernet', 'truncated', bytes.length);
  return {
    dst: readMac(bytes, 0),
    src: readMac(bytes, 6),
    etherType: readU16(bytes, 12),
    payload: bytes.subarray(ETHERNET_HEADER_LEN),
  };
}

/** Writes the 14-byte header at `offset` and returns 14; a layered emit writes the payload itself. */
export function emitEthernetHeaderInto(dst: number, src: number, etherType: number, buf: Uint8Array,
  offset: number): number {
  writeMac(buf, offset, dst);
  writeMac(buf, offset + 6, src);
  writeU16(buf, offset + 12, etherType);
  return ETHERNET_HEADER_LEN;
}

/** Writes the frame at `offset` (header then payload, never padded) and returns the bytes written. */
export function emitEthernetInto(repr: EthernetRepr, buf: Uint8Array, offset: number): number {
  emitEthernetHeaderInto(repr.dst, repr.src, repr.etherType, buf, offset);
  placePayload(buf, offset + ETHERNET_HEADER_LEN, repr.payload);
  return ETHERNET_HEADER_LEN + repr.payload.length;
}

/**
 * Encodes a frame of exactly header + payload bytes, or zero-padded to ETH_ZLEN when `pad` is set (what the
 * receiver of a short frame sees; a capture on the sending host shows it unpadded, before the driver pads).
 */
export function emitEthernet(repr: EthernetRepr, pad = false): Uint8Array {
  const len = ETHERNET_HEADER_LEN + repr.payload.length;
  const buf = new Uint8Array(pad && len < ETH_ZLEN ? ETH_ZLEN : len);
  emitEthernetInto(repr, buf, 0);
  return buf;
}
