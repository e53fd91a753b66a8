/**
 * Classic libpcap capture files (pcap-savefile(5)). The writer uses the nanosecond-resolution magic 0xa1b23c4d so
 * virtual time (integer nanoseconds) is stored exactly; fields are little-endian, which every reader accepts
 * because the magic tells the byte order. readPcap() reads both resolutions and both byte orders.
 */

import { WireError } from './errors.js';

/** LINKTYPE_ETHERNET (pcap-linktype(7)). */
export const LINKTYPE_ETHERNET = 1;
/** LINKTYPE_RAW: raw IPv4/IPv6 packets, no link header. */
export const LINKTYPE_RAW = 101;
/** Magic of a microsecond-resolution file, as written in the file's byte order. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** Magic of a nanosecond-resolution file. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Length of the file header. */
const FILE_HEADER_LEN = 24;
/** Length of each record header. */
const RECORD_HEADER_LEN = 16;

/** One captured packet: `data` is at most snaplen bytes of an `origLen`-byte frame. */
export interface PcapRecord {
  timeNs: number;
  origLen: number;
  data: Uint8Array;
}

/** A whole capture file. */
export interface PcapFile {
  linkType: number;
  snaplen: number;
  /** Whether timestamps had nanosecond resolution (magic 0xa1b23c4d). */
  nanosecond: boolean;
  records: PcapRecord[];
}

/** Accumulates packets in one growing buffer and hands out the file bytes. */
export class PcapWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  /** Starts a file for link type `linkType` that keeps at most `snaplen` bytes of each frame. */
  constructor(readonly linkType = LINKTYPE_ETHERNET, readonly snaplen = 262144) {
    this.buf = new Uint8Array(4096);
    this.view = new DataView(this.buf.buffer);
    this.view.setUint32(0, PCAP_MAGIC_NS, true);
    this.view.setUint16(4, 2, true); // Version 2.4, the only one in use.
    this.view.setUint16(6, 4, true);
    this.view.setInt32(8, 0, true); // thiszone: timestamps are UTC (virtual time).
    this.view.setUint32(12, 0, true); // sigfigs: always 0.
    this.view.setUint32(16, snaplen, true);
    this.view.setUint32(20, linkType, true);
    this.len = FILE_HEADER_LEN;
  }

  /** Appends `frame` captured at virtual time `timeNs` (non-negative integer nanoseconds). */
  addPacket(timeNs: number, frame: Uint8Array): void {
    if (!Number.isSafeInteger(timeNs) || timeNs < 0) throw new RangeError(`pcap: bad timestamp ${timeNs}`);
    const incl = Math.min(frame.length, this.snaplen);
    this.reserve(RECORD_HEADER_LEN + incl);
    const sec = Math.floor(timeNs / 1e9);
    const v = this.view;
    const o = this.len;
    v.setUint32(o, sec, true);
    v.setUint32(o + 4, timeNs - sec * 1e9, true);
    v.setUint32(o + 8, incl, true);
    v.setUint32(o + 12, frame.length, true);
    this.buf.set(incl === frame.length ? frame : frame.subarray(0, incl), o + RECORD_HEADER_LEN);
    this.len = o + RECORD_HEADER_LEN + incl;
  }

  /** A copy of the file so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** Grows the buffer (doubling) to fit `more` bytes. */
  private reserve(more: number): void {
    if (this.len + more <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + more) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

/** Parses a classic pcap file. Reasons: 'truncated', 'bad-magic'. Record data are views into `bytes`. */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < FILE_HEADER_LEN) throw new WireError('pcap', 'truncated', bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little: boolean;
  let nanosecond: boolean;
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  if (le === PCAP_MAGIC_NS || le === PCAP_MAGIC_US) {
    little = true;
    nanosecond = le === PCAP_MAGIC_NS;
  } else if (be === PCAP_MAGIC_NS || be === PCAP_MAGIC_US) {
    little = false;
    nanosecond = be === PCAP_MAGIC_NS;
  } else {
    throw new WireError('pcap', 'bad-magic', 0);
  }
  const snaplen = view.getUint32(16, little);
  const linkType = view.getUint32(20, little) & 0xffff; // Upper bits carry FCS info (pcap-savefile(5)).
  const scale = nanosecond ? 1 : 1000;
  const records: PcapRecord[] = [];
  let o = FILE_HEADER_LEN;
  while (o < bytes.length) {
    if (o + RECORD_HEADER_LEN > bytes.length) throw new WireError('pcap', 'truncated', o);
    const sec = view.getUint32(o, little);
    const frac = view.getUint32(o + 4, little);
    const incl = view.getUint32(o + 8, little);
    const origLen = view.getUint32(o + 12, little);
    const start = o + RECORD_HEADER_LEN;
    if (start + incl > bytes.length) throw new WireError('pcap', 'truncated', o + 8);
    records.push({ timeNs: sec * 1e9 + frac * scale, origLen, data: bytes.subarray(start, start + incl) });
    o = start + incl;
  }
  return { linkType, snaplen, nanosecond, records };
}
