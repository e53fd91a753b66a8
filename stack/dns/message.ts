// Header and record helpers on top of dns-packet's message objects.
//
// dns-packet keeps the whole 15-bit header flag word (minus QR) in `flags`, including OPCODE (bits
// 11-14) and RCODE (bits 0-3) — RFC 1035 §4.1.1 — so these helpers read and write those fields there.

import {
  AUTHORITATIVE_ANSWER,
  RECURSION_AVAILABLE,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
  decode,
} from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet, Question, SoaAnswer } from 'dns-packet';
import { canonicalName } from './names.js';

/** RCODE values (RFC 1035 §4.1.1; BADVERS is the extended RCODE 16 of RFC 6891 §9). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

/** The name of an RCODE this package produces. */
export type RcodeName = keyof typeof RCODE;

/** OPCODE QUERY, the only one served here (RFC 1035 §4.1.1). */
export const OPCODE_QUERY = 0;

/** The 4-bit header OPCODE of a message. */
export function opcodeOf(packet: Packet): number {
  return ((packet.flags ?? 0) >> 11) & 0xf;
}

/** The full RCODE: the header's 4 bits plus the OPT record's upper 8 bits (RFC 6891 §6.1.3). */
export function rcodeOf(packet: Packet): number {
  const opt = findOpt(packet);
  return ((opt?.extendedRcode ?? 0) << 4) | ((packet.flags ?? 0) & 0xf);
}

/** True when a header flag bit (dns-packet's AUTHORITATIVE_ANSWER etc.) is set. */
export function hasFlag(packet: Packet, flag: number): boolean {
  return ((packet.flags ?? 0) & flag) !== 0;
}

/** The EDNS0 OPT pseudo-record of a message, if it carries one (RFC 6891 §6.1.1). */
export function findOpt(packet: Packet): OptAnswer | undefined {
  return (packet.additionals ?? []).find((r): r is OptAnswer => r.type === 'OPT');
}

/** Options for building a response header. */
export interface ResponseHeader {
  /** The RCODE; values above 15 are split into the OPT record (RFC 6891 §6.1.3). */
  readonly rcode: number;
  /** AA: the answer comes from authoritative data (RFC 1035 §4.1.1). */
  readonly authoritative?: boolean;
  /** RA: the server offers recursion (RFC 1035 §4.1.1). */
  readonly recursionAvailable?: boolean;
}

/**
 * A response shell for `query`: same ID and OPCODE, RD copied (RFC 1035 §4.1.1), the question copied,
 * and the RCODE's low 4 bits in the header.
 */
export function responseTo(query: Packet, header: ResponseHeader): Packet {
  let flags = (opcodeOf(query) << 11) | (header.rcode & 0xf) | ((query.flags ?? 0) & RECURSION_DESIRED);
  if (header.authoritative === true) flags |= AUTHORITATIVE_ANSWER;
  if (header.recursionAvailable === true) flags |= RECURSION_AVAILABLE;
  return {
    type: 'response',
    id: query.id ?? 0,
    flags,
    questions: (query.questions ?? []).map((q) => ({ ...q })),
    answers: [],
    authorities: [],
    additionals: [],
  };
}

/** Sets TC (RFC 1035 §4.1.1) on a message's flags. */
export function withTruncation(flags: number | undefined): number {
  return (flags ?? 0) | TRUNCATED_RESPONSE;
}

/** A record's class, defaulting to IN as dns-packet's encoder does. */
export function classOf(record: Answer | Question): string {
  return ('class' in record ? record.class : undefined) ?? 'IN';
}

/** The cache/RRset key of a record or question: canonical owner, type and class (RFC 2181 §5). */
export function rrsetKey(record: Answer | Question): string {
  return `${canonicalName(record.name)}|${record.type}|${classOf(record)}`;
}

/** Splits a section into RRsets: runs of consecutive records with the same owner, type and class. */
export function groupRRsets<T extends Answer>(records: readonly T[]): T[][] {
  const groups: T[][] = [];
  let lastKey = '';
  for (const record of records) {
    const key = rrsetKey(record);
    const last = groups[groups.length - 1];
    if (last !== undefined && key === lastKey) last.push(record);
    else groups.push([record]);
    lastKey = key;
  }
  return groups;
}

/**
 * A copy of a record that encoding cannot alter: dns-packet's TXT encoder replaces strings in the
 * data array with Buffers in place, which would otherwise rewrite zone or cache contents.
 */
export function cloneRecord<T extends Answer>(record: T): T {
  const copy = { ...record };
  if ('data' in copy && Array.isArray(copy.data)) (copy as { data: unknown }).data = [...copy.data];
  return copy;
}

/** The RDATA of a name or address record (A, AAAA, NS, CNAME, PTR), which dns-packet gives as a string. */
export function stringData(record: Answer): string {
  if (!('data' in record) || typeof record.data !== 'string') throw new Error(`${record.type} record without string data`);
  return record.data;
}

/** A record's TTL as a resolver must read it: absent or with the top bit set means 0 (RFC 2181 §8). */
export function ttlOf(record: Answer): number {
  const ttl = 'ttl' in record ? (record.ttl ?? 0) : 0;
  return ttl >= 2 ** 31 || ttl < 0 ? 0 : ttl;
}

/** The TTL negative answers from this SOA may be cached for: min(SOA TTL, MINIMUM) (RFC 2308 §3, §5). */
export function negativeTtl(soa: SoaAnswer): number {
  return Math.min(ttlOf(soa), soa.data.minimum ?? 0);
}

/** Decodes a DNS message, or undefined when dns-packet cannot (the caller drops and counts it). */
export function tryDecode(bytes: Uint8Array): DecodedPacket | undefined {
  try {
    return decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return undefined;
  }
}
