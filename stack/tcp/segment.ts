/**
 * The hot-path view of a TCP segment: one reusable object per TCP layer, filled straight from the wire bytes (no
 * option objects are allocated), and the writer for the option block in Linux's order (tcp_options_write():
 * MSS; SACK-permitted packed with TS, else NOP,NOP,TS; NOP,NOP,SACK-permitted; NOP,wscale; NOP,NOP,SACK blocks).
 * Parsing follows tcp_parse_options(): a malformed option ends option parsing without dropping the segment.
 */
import { fastSum } from './csum.js';
import { TCP_FIN, TCP_SYN } from '../wire/tcp.js';
import { widenFields } from '../../sim/repr.js';

const EMPTY = new Uint8Array(0);

/** Most SACK blocks an option can carry (40 option bytes: 2 + 4 × 8 = 34). */
export const MAX_SACK_BLOCKS = 4;

/** A parsed segment. Fields are overwritten by the next parse: copy what must outlive the input call. */
export class Seg {
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  /** The raw 16-bit window field (unscaled). */
  wnd = 0;
  urp = 0;
  hlen = 20;
  payload: Uint8Array = EMPTY;
  /** MSS option value, 0 when absent. */
  mss = 0;
  /** Window-scale shift, -1 when absent. */
  wscale = -1;
  sackOk = false;
  /** Whether a timestamp option was present. */
  ts = false;
  tsval = 0;
  tsecr = 0;
  /** Number of SACK blocks in `sack` (start, end pairs). */
  nsack = 0;
  readonly sack = new Uint32Array(2 * MAX_SACK_BLOCKS);

  /** Sequence space the segment occupies: payload plus one for SYN and one for FIN. */
  get seqLen(): number {
    return this.payload.length + (this.flags & TCP_SYN ? 1 : 0) + (this.flags & TCP_FIN ? 1 : 0);
  }

  /** SEG.SEQ + SEG.LEN. */
  get end(): number {
    return (this.seq + this.seqLen) >>> 0;
  }
}

// 32-bit sequence numbers and timestamps (sim/repr.ts).
widenFields(new Seg(), ['seq', 'ack', 'tsval', 'tsecr']);

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * Fills `s` from `b`. Returns null when the segment is usable, else the drop reason: 'truncated',
 * 'bad-header-length', 'bad-checksum' (verified against `pseudo`, the pseudo-header sum).
 */
export function parseSeg(b: Uint8Array, pseudo: number, s: Seg): string | null {
  const len = b.length;
  if (len < 20) return 'truncated';
  const hlen = (b[12]! >>> 4) * 4;
  if (hlen < 20) return 'bad-header-length';
  if (hlen > len) return 'truncated';
  if (fastSum(b, pseudo) !== 0xffff) return 'bad-checksum';
  s.sport = (b[0]! << 8) | b[1]!;
  s.dport = (b[2]! << 8) | b[3]!;
  s.seq = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
  s.ack = ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0;
  s.flags = b[13]!;
  s.wnd = (b[14]! << 8) | b[15]!;
  s.urp = (b[18]! << 8) | b[19]!;
  s.hlen = hlen;
  s.payload = hlen === len ? EMPTY : b.subarray(hlen);
  s.mss = 0;
  s.wscale = -1;
  s.sackOk = false;
  s.ts = false;
  s.nsack = 0;
  if (hlen > 20) parseOptions(b, 20, hlen, s);
  return null;
}

function parseOptions(b: Uint8Array, p: number, to: number, s: Seg): void {
  // The common case first: NOP, NOP, TS (Linux's aligned timestamp option, tcp_parse_aligned_timestamp).
  if (to - p === 12 && b[p] === 1 && b[p + 1] === 1 && b[p + 2] === 8 && b[p + 3] === 10) {
    s.ts = true;
    s.tsval = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
    s.tsecr = ((b[p + 8]! << 24) | (b[p + 9]! << 16) | (b[p + 10]! << 8) | b[p + 11]!) >>> 0;
    return;
  }
  while (p < to) {
    const kind = b[p]!;
    if (kind === 0) return;
    if (kind === 1) {
      p++;
      continue;
    }
    if (p + 2 > to) return;
    const size = b[p + 1]!;
    if (size < 2 || p + size > to) return;
    switch (kind) {
      case 2:
        if (size === 4) s.mss = u16(b, p + 2);
        break;
      case 3:
        if (size === 3) s.wscale = b[p + 2]!;
        break;
      case 4:
        if (size === 2) s.sackOk = true;
        break;
      case 5:
        if (size >= 10 && (size - 2) % 8 === 0) {
          const n = Math.min((size - 2) >> 3, MAX_SACK_BLOCKS);
          for (let i = 0; i < n; i++) {
            s.sack[2 * i] = u32(b, p + 2 + 8 * i);
            s.sack[2 * i + 1] = u32(b, p + 6 + 8 * i);
          }
          s.nsack = n;
        }
        break;
      case 8:
        if (size === 10) {
          s.ts = true;
          s.tsval = u32(b, p + 2);
          s.tsecr = u32(b, p + 6);
        }
        break;
    }
    p += size;
  }
}

/** Options to put on an outgoing segment. A reusable object: the writer copies what it needs. */
export class OutOpts {
  /** MSS to announce (SYN, SYN-ACK), 0 for none. */
  mss = 0;
  sackOk = false;
  ts = false;
  tsval = 0;
  tsecr = 0;
  /** Window-scale shift to announce, -1 for none. */
  wscale = -1;
  nsack = 0;
  readonly sack = new Uint32Array(2 * MAX_SACK_BLOCKS);

  /** Clears everything. */
  clear(): this {
    this.mss = 0;
    this.sackOk = false;
    this.ts = false;
    this.wscale = -1;
    this.nsack = 0;
    return this;
  }

  /** The option block's length in bytes (always a multiple of 4, as Linux aligns every option). */
  length(): number {
    let n = 0;
    if (this.mss) n += 4;
    if (this.ts) n += 12;
    else if (this.sackOk) n += 4;
    if (this.wscale >= 0) n += 4;
    if (this.nsack > 0) n += 4 + 8 * this.nsack;
    return n;
  }
}

widenFields(new OutOpts(), ['tsval', 'tsecr']);

function w16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

function w32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** Writes the option block at `p` in tcp_options_write() order; returns the position after it. */
export function writeOptions(o: OutOpts, b: Uint8Array, p: number): number {
  if (o.mss) {
    b[p] = 2; b[p + 1] = 4; w16(b, p + 2, o.mss);
    p += 4;
  }
  if (o.ts) {
    if (o.sackOk) {
      b[p] = 4; b[p + 1] = 2;
    } else {
      b[p] = 1; b[p + 1] = 1;
    }
    b[p + 2] = 8; b[p + 3] = 10;
    w32(b, p + 4, o.tsval);
    w32(b, p + 8, o.tsecr);
    p += 12;
  } else if (o.sackOk) {
    b[p] = 1; b[p + 1] = 1; b[p + 2] = 4; b[p + 3] = 2;
    p += 4;
  }
  if (o.wscale >= 0) {
    b[p] = 1; b[p + 1] = 3; b[p + 2] = 3; b[p + 3] = o.wscale;
    p += 4;
  }
  if (o.nsack > 0) {
    b[p] = 1; b[p + 1] = 1; b[p + 2] = 5; b[p + 3] = 2 + 8 * o.nsack;
    p += 4;
    for (let i = 0; i < 2 * o.nsack; i++, p += 4) w32(b, p, o.sack[i]!);
  }
  return p;
}

/** Writes the 20-byte fixed header at offset 0 of `b` (checksum left 0). */
export function writeHeader(b: Uint8Array, sport: number, dport: number, seq: number, ack: number, hlen: number,
  flags: number, wnd: number, urp: number): void {
  w16(b, 0, sport);
  w16(b, 2, dport);
  w32(b, 4, seq);
  w32(b, 8, ack);
  b[12] = (hlen >>> 2) << 4;
  b[13] = flags;
  w16(b, 14, wnd);
  b[16] = 0;
  b[17] = 0;
  w16(b, 18, urp);
}
