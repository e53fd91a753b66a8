/**
 * The TCP header (RFC 9293 §3.1) and its options: MSS (RFC 9293 §3.2), window scale and timestamps (RFC 7323),
 * SACK-permitted and SACK (RFC 2018). Option parsing follows Linux's tcp_parse_options(): a malformed option
 * (length < 2 or running past the header) ends option parsing without dropping the segment, and a known kind
 * with the wrong length is kept as 'unknown' (Linux ignores it).
 */

import { WireError } from './errors.js';
import { finishChecksum, onesSum, pseudoSum, type PseudoHeader } from './checksum.js';
import { placePayload, readU16, readU32, writeU16, writeU32 } from './bytes.js';

/** Length of a TCP header without options. */
export const TCP_HEADER_LEN = 20;
/** Longest TCP header: the data offset is 4 bits of 32-bit words. */
export const TCP_MAX_HEADER_LEN = 60;
/** IP protocol number of TCP, used in the pseudo header. */
const PROTO_TCP = 6;

/** FIN flag bit. */
export const TCP_FIN = 0x01;
/** SYN flag bit. */
export const TCP_SYN = 0x02;
/** RST flag bit. */
export const TCP_RST = 0x04;
/** PSH flag bit. */
export const TCP_PSH = 0x08;
/** ACK flag bit. */
export const TCP_ACK = 0x10;
/** URG flag bit. */
export const TCP_URG = 0x20;
/** ECE flag bit (RFC 3168 §6.1). */
export const TCP_ECE = 0x40;
/** CWR flag bit (RFC 3168 §6.1). */
export const TCP_CWR = 0x80;

/** Option kind numbers (IANA "TCP Option Kind Numbers"). */
const OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WSCALE = 3, OPT_SACK_OK = 4, OPT_SACK = 5, OPT_TIMESTAMP = 8;

/** One TCP option, in wire order. 'unknown' also holds known kinds that carry the wrong length. */
export type TcpOption =
  | { kind: 'mss'; mss: number }
  | { kind: 'wscale'; shift: number }
  | { kind: 'sackOk' }
  | { kind: 'sack'; blocks: [number, number][] }
  | { kind: 'timestamp'; tsval: number; tsecr: number }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'unknown'; type: number; data: Uint8Array };

/** A decoded TCP segment; `payload` is a view into the parsed bytes. */
export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Bitmask of TCP_FIN … TCP_CWR. */
  flags: number;
  window: number;
  urgent: number;
  options: TcpOption[];
  payload: Uint8Array;
}

/** Whether `bytes[from, to)` are all zero. */
function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Decodes the options in `bytes[from, to)`. An EOL followed only by zeros up to the header's end is the padding
 * emit writes and is not reported; an EOL followed by anything else is reported as {kind:'eol'}. Either way
 * parsing stops there (RFC 9293 §3.1).
 */
export function parseTcpOptions(bytes: Uint8Array, from: number, to: number): TcpOption[] {
  const opts: TcpOption[] = [];
  let p = from;
  while (p < to) {
    const kind = bytes[p];
    if (kind === OPT_EOL) {
      if (!allZero(bytes, p + 1, to)) opts.push({ kind: 'eol' });
      break;
    }
    if (kind === OPT_NOP) {
      opts.push({ kind: 'nop' });
      p++;
      continue;
    }
    if (p + 2 > to) break;
    const size = bytes[p + 1];
    if (size < 2 || p + size > to) break;
    if (kind === OPT_MSS && size === 4) {
      opts.push({ kind: 'mss', mss: readU16(bytes, p + 2) });
    } else if (kind === OPT_WSCALE && size === 3) {
      opts.push({ kind: 'wscale', shift: bytes[p + 2] });
    } else if (kind === OPT_SACK_OK && size === 2) {
      opts.push({ kind: 'sackOk' });
    } else if (kind === OPT_TIMESTAMP && size === 10) {
      opts.push({ kind: 'timestamp', tsval: readU32(bytes, p + 2), tsecr: readU32(bytes, p + 6) });
    } else if (kind === OPT_SACK && size >= 10 && (size - 2) % 8 === 0) {
      const blocks: [number, number][] = [];
      for (let b = p + 2; b < p + size; b += 8) blocks.push([readU32(bytes, b), readU32(bytes, b + 4)]);
      opts.push({ kind: 'sack', blocks });
    } else {
      opts.push({ kind: 'unknown', type: kind, data: bytes.subarray(p + 2, p + size) });
    }
    p += size;
  }
  return opts;
}

/**
 * Decodes a segment. Reasons: 'truncated' (under 20 bytes or under the data offset), 'bad-header-length' (data
 * offset < 5, as tcp_v4_rcv() rejects), 'bad-checksum' (only checked when `pseudo` is given).
 */
export function parseTcp(bytes: Uint8Array, pseudo?: PseudoHeader): TcpRepr {
  const len = bytes.length;
  if (len < TCP_HEADER_LEN) throw new WireError('tcp', 'truncated', len);
  const hlen = (bytes[12] >>> 4) * 4;
  if (hlen < TCP_HEADER_LEN) throw new WireError('tcp', 'bad-header-length', 12);
  if (hlen > len) throw new WireError('tcp', 'truncated', len);
  if (pseudo !== undefined && onesSum(bytes, 0, len, pseudoSum(pseudo, PROTO_TCP, len)) !== 0xffff) {
    throw new WireError('tcp', 'bad-checksum', 16);
  }
  return {
    srcPort: readU16(bytes, 0),
    dstPort: readU16(bytes, 2),
    seq: readU32(bytes, 4),
    ack: readU32(bytes, 8),
    flags: bytes[13],
    window: readU16(bytes, 14),
    urgent: readU16(bytes, 18),
    options: hlen > TCP_HEADER_LEN ? parseTcpOptions(bytes, TCP_HEADER_LEN, hlen) : [],
    payload: bytes.subarray(hlen),
  };
}

/** Wire size of one option. */
function optionLen(o: TcpOption): number {
  switch (o.kind) {
    case 'mss': return 4;
    case 'wscale': return 3;
    case 'sackOk': return 2;
    case 'sack': return 2 + 8 * o.blocks.length;
    case 'timestamp': return 10;
    case 'nop': case 'eol': return 1;
    case 'unknown': return 2 + o.data.length;
  }
}

/** Header length (options padded to a multiple of 4) that `options` will be emitted with. */
export function tcpHeaderLen(options: readonly TcpOption[]): number {
  let n = 0;
  for (let i = 0; i < options.length; i++) n += optionLen(options[i]);
  return TCP_HEADER_LEN + ((n + 3) & ~3);
}

/** Writes one option at `p` and returns the position after it. */
function writeOption(o: TcpOption, buf: Uint8Array, p: number): number {
  switch (o.kind) {
    case 'mss':
      buf[p] = OPT_MSS; buf[p + 1] = 4; writeU16(buf, p + 2, o.mss);
      return p + 4;
    case 'wscale':
      buf[p] = OPT_WSCALE; buf[p + 1] = 3; buf[p + 2] = o.shift;
      return p + 3;
    case 'sackOk':
      buf[p] = OPT_SACK_OK; buf[p + 1] = 2;
      return p + 2;
    case 'sack': {
      const size = 2 + 8 * o.blocks.length;
      buf[p] = OPT_SACK; buf[p + 1] = size;
      for (let i = 0; i < o.blocks.length; i++) {
        writeU32(buf, p + 2 + 8 * i, o.blocks[i][0]);
        writeU32(buf, p + 6 + 8 * i, o.blocks[i][1]);
      }
      return p + size;
    }
    case 'timestamp':
      buf[p] = OPT_TIMESTAMP; buf[p + 1] = 10; writeU32(buf, p + 2, o.tsval); writeU32(buf, p + 6, o.tsecr);
      return p + 10;
    case 'nop':
      buf[p] = OPT_NOP;
      return p + 1;
    case 'eol':
      buf[p] = OPT_EOL;
      return p + 1;
    case 'unknown':
      buf[p] = o.type; buf[p + 1] = 2 + o.data.length; buf.set(o.data, p + 2);
      return p + 2 + o.data.length;
  }
}

/**
 * Writes the header for a payload of `payloadLen` bytes at `offset`, options in the given order, zero (EOL)
 * padded to a multiple of 4 as Linux's tcp_options_write() leaves it. The checksum field is left 0: the caller
 * fills it once the payload is in place (emitTcpInto does). Returns the header length.
 */
export function emitTcpHeaderInto(repr: TcpRepr, buf: Uint8Array, offset: number): number {
  const hlen = tcpHeaderLen(repr.options);
  if (hlen > TCP_MAX_HEADER_LEN) throw new RangeError(`tcp: options too long (${hlen - TCP_HEADER_LEN} bytes)`);
  writeU16(buf, offset, repr.srcPort);
  writeU16(buf, offset + 2, repr.dstPort);
  writeU32(buf, offset + 4, repr.seq);
  writeU32(buf, offset + 8, repr.ack);
  buf[offset + 12] = (hlen >>> 2) << 4;
  buf[offset + 13] = repr.flags;
  writeU16(buf, offset + 14, repr.window);
  writeU16(buf, offset + 16, 0);
  writeU16(buf, offset + 18, repr.urgent);
  let p = offset + TCP_HEADER_LEN;
  for (let i = 0; i < repr.options.length; i++) p = writeOption(repr.options[i], buf, p);
  buf.fill(0, p, offset + hlen);
  return hlen;
}

/** Writes the segment at `offset`, checksum over the `pseudo` header included, and returns its length. */
export function emitTcpInto(repr: TcpRepr, buf: Uint8Array, offset: number, pseudo: PseudoHeader): number {
  const hlen = emitTcpHeaderInto(repr, buf, offset);
  const len = hlen + repr.payload.length;
  placePayload(buf, offset + hlen, repr.payload);
  writeU16(buf, offset + 16, finishChecksum(onesSum(buf, offset, offset + len, pseudoSum(pseudo, PROTO_TCP, len))));
  return len;
}

/** Encodes the segment into a buffer of exactly header + payload bytes, checksum included. */
export function emitTcp(repr: TcpRepr, pseudo: PseudoHeader): Uint8Array {
  const buf = new Uint8Array(tcpHeaderLen(repr.options) + repr.payload.length);
  emitTcpInto(repr, buf, 0, pseudo);
  return buf;
}

/** Flags in packetdrill's (and tcpdump's) order and letters: `S`, `S.`, `P.`, `F.`, `R`, `R.`, `SEW`…; '' for none. */
export function tcpFlagsToString(flags: number): string {
  let s = '';
  if (flags & TCP_FIN) s += 'F';
  if (flags & TCP_SYN) s += 'S';
  if (flags & TCP_RST) s += 'R';
  if (flags & TCP_PSH) s += 'P';
  if (flags & TCP_ACK) s += '.';
  if (flags & TCP_URG) s += 'U';
  if (flags & TCP_ECE) s += 'E';
  if (flags & TCP_CWR) s += 'W';
  return s;
}

/** The options Linux may put on a segment; each is included when present. */
export interface LinuxTcpOptionSet {
  mss?: number;
  sackOk?: boolean;
  timestamp?: { tsval: number; tsecr: number };
  wscale?: number;
  sackBlocks?: [number, number][];
}

/**
 * The option list in the order and with the NOP alignment of Linux's tcp_options_write() (net/ipv4/tcp_output.c):
 * MSS; SACK-permitted+TS packed together, else NOP,NOP,TS; NOP,NOP,SACK-permitted without TS; NOP,wscale;
 * NOP,NOP,SACK blocks. The result needs no padding.
 */
export function linuxTcpOptions(o: LinuxTcpOptionSet): TcpOption[] {
  const opts: TcpOption[] = [];
  if (o.mss !== undefined) opts.push({ kind: 'mss', mss: o.mss });
  if (o.timestamp !== undefined) {
    if (o.sackOk) opts.push({ kind: 'sackOk' });
    else opts.push({ kind: 'nop' }, { kind: 'nop' });
    opts.push({ kind: 'timestamp', tsval: o.timestamp.tsval, tsecr: o.timestamp.tsecr });
  } else if (o.sackOk) {
    opts.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOk' });
  }
  if (o.wscale !== undefined) opts.push({ kind: 'nop' }, { kind: 'wscale', shift: o.wscale });
  if (o.sackBlocks !== undefined && o.sackBlocks.length > 0) {
    opts.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: o.sackBlocks });
  }
  return opts;
}

/**
 * A Linux SYN's options: `mss, sackOK, TS, nop, wscale` with everything on (what tcpdump shows as
 * `mss 1460,sackOK,TS val … ecr 0,nop,wscale 7`), fewer when sysctls turn SACK, timestamps or scaling off.
 */
export function linuxSynOptions(mss: number, sackOk: boolean, timestamp: { tsval: number; tsecr: number } | undefined,
  wscale: number | undefined): TcpOption[] {
  return linuxTcpOptions({ mss, sackOk, timestamp, wscale });
}
