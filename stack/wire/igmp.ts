/**
 * Multicast listener reports as Linux sends them when a host joins or leaves a group: IGMPv3 Membership Reports
 * (RFC 3376 §4.2) to 224.0.0.22 and MLDv2 Listener Reports (RFC 3810 §5.2) to ff02::16. Both carry group records
 * (type, aux data length 0, number of sources, multicast address, sources); socksim only makes records without
 * sources, which is what IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP produce (CHANGE_TO_EXCLUDE_MODE {}), and their leaves
 * (CHANGE_TO_INCLUDE_MODE {}). Also the Router Alert options both reports need (RFC 2113, RFC 2711).
 */
import { finishChecksum, onesSum, pseudoSumV6 } from './checksum.js';
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { WireError } from './errors.js';

/** IGMP type of a version 3 Membership Report (RFC 3376 §4). */
export const IGMPV3_REPORT = 0x22;
/** ICMPv6 type of a Version 2 Multicast Listener Report (RFC 3810 §5). */
export const MLDV2_REPORT = 143;
/** 224.0.0.22, all IGMPv3-capable multicast routers (RFC 3376 §4.2.14). */
export const IGMPV3_ALL_ROUTERS = 0xe0000016;
/** ff02::16, all MLDv2-capable routers (RFC 3810 §5.2.14). */
export const MLDV2_ALL_ROUTERS = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16);
/** Group record types (RFC 3376 §4.2.12, RFC 3810 §5.2.12). */
export const MODE_IS_INCLUDE = 1, MODE_IS_EXCLUDE = 2, CHANGE_TO_INCLUDE_MODE = 3, CHANGE_TO_EXCLUDE_MODE = 4;
/** The IPv4 Router Alert option, value 0 (RFC 2113 §2.1): copied flag, option 20, length 4. */
export const IPV4_ROUTER_ALERT = Uint8Array.of(0x94, 0x04, 0x00, 0x00);
/** Bytes of the report header before the records (type, reserved/code, checksum, reserved, record count). */
const REPORT_HEADER_LEN = 8;

/** One group record without sources. */
export interface GroupRecord<A> {
  readonly type: number;
  readonly group: A;
}

/** Writes the common header and returns the buffer; `recLen` is 8 (IGMPv3) or 20 (MLDv2) bytes per record. */
function reportBody<A>(type: number, records: readonly GroupRecord<A>[], recLen: number, put: (b: Uint8Array, o: number, g: A) => void): Uint8Array {
  const b = new Uint8Array(REPORT_HEADER_LEN + records.length * recLen);
  b[0] = type;
  writeU16(b, 6, records.length);
  records.forEach((r, i) => {
    const o = REPORT_HEADER_LEN + i * recLen;
    b[o] = r.type; // aux data len and number of sources stay 0
    put(b, o + 4, r.group);
  });
  return b;
}

/** An IGMPv3 Membership Report carrying `records`, with its checksum (over the IGMP message only). */
export function emitIgmpv3Report(records: readonly GroupRecord<number>[]): Uint8Array {
  const b = reportBody(IGMPV3_REPORT, records, 8, (buf, o, g) => writeU32(buf, o, g));
  writeU16(b, 2, finishChecksum(onesSum(b)));
  return b;
}

/** An MLDv2 Listener Report (an ICMPv6 message) from src to dst, with its checksum over the IPv6 pseudo header. */
export function emitMldv2Report(records: readonly GroupRecord<Uint8Array>[], src: Uint8Array, dst: Uint8Array): Uint8Array {
  const b = reportBody(MLDV2_REPORT, records, 20, (buf, o, g) => buf.set(g, o));
  writeU16(b, 2, finishChecksum(onesSum(b, 0, b.length, pseudoSumV6(src, dst, 58, b.length))));
  return b;
}

/**
 * A Hop-by-Hop Options header holding Router Alert (MLD, value 0) and a 2-byte PadN (RFC 2711, RFC 8200 §4.3), as
 * Linux's mld_newpack lays it out; `nextHeader` names what follows it.
 */
export function hopByHopRouterAlert(nextHeader: number): Uint8Array {
  return Uint8Array.of(nextHeader, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00);
}

/** Decodes a report's records (sources skipped); throws WireError on a bad type, length or checksum. */
function parseReport<A>(proto: string, type: number, b: Uint8Array, recLen: number, sum: number, get: (o: number) => A): GroupRecord<A>[] {
  if (b.length < REPORT_HEADER_LEN) throw new WireError(proto, 'truncated', 0);
  if (b[0] !== type) throw new WireError(proto, 'bad-type', 0);
  if (finishChecksum(sum) !== 0) throw new WireError(proto, 'bad-checksum', 2);
  const n = readU16(b, 6);
  const out: GroupRecord<A>[] = [];
  let o = REPORT_HEADER_LEN;
  for (let i = 0; i < n; i++) {
    if (o + recLen > b.length) throw new WireError(proto, 'truncated', o);
    const aux = b[o + 1]!, nsrc = readU16(b, o + 2);
    out.push({ type: b[o]!, group: get(o + 4) });
    o += recLen + nsrc * (recLen - 4) + aux * 4;
  }
  if (o > b.length) throw new WireError(proto, 'truncated', b.length);
  return out;
}

/** The records of an IGMPv3 Membership Report. */
export function parseIgmpv3Report(b: Uint8Array): GroupRecord<number>[] {
  return parseReport('igmp', IGMPV3_REPORT, b, 8, onesSum(b), (o) => readU32(b, o));
}

/** The records of an MLDv2 Listener Report sent from src to dst. */
export function parseMldv2Report(b: Uint8Array, src: Uint8Array, dst: Uint8Array): GroupRecord<Uint8Array>[] {
  return parseReport('mld', MLDV2_REPORT, b, 20, onesSum(b, 0, b.length, pseudoSumV6(src, dst, 58, b.length)), (o) => b.slice(o, o + 16));
}
