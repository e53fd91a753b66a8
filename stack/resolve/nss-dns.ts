/**
 * The "dns" hosts backend (glibc 2.36 resolv/nss_dns/dns-host.c): _nss_dns_gethostbyname4_r (the A/AAAA pair for
 * getaddrinfo), _nss_dns_gethostbyname3_r (one family) and _nss_dns_gethostbyaddr2_r (PTR), with the 2.36 answer
 * parsers: CNAMEs are followed in record order without checking their owner ("based on historic precedent"), an
 * address counts only when its owner is the current name and its RDATA has the right length, records of another
 * class are skipped, and a PTR target must be a valid host name.
 */
import { AF_INET, AF_INET6 } from '../constants.js';
import { Errno } from '../errno.js';
import type { Sys } from '../sys.js';
import { C_IN, T_A, T_AAAA, T_CNAME, T_PTR, hostnameOk, rdataName, readMessage, sameNameText } from './dns-wire.js';
import { resQuery, resSearch, T_QUERY_A_AND_AAAA } from './res-query.js';
import { HOST_NOT_FOUND, NETDB_INTERNAL, NETDB_SUCCESS, NO_RECOVERY, TRY_AGAIN, type ResState } from './res-state.js';
import type { AddrTuple, HostEnt, NssResult, NssStatus } from './nss-types.js';

/** Answer buffer sizes of the nss_dns entry points (alloca'd query buffers in dns-host.c). */
const BUF4 = 2048, BUF3 = 1024;

/** The status for a failed res_search, by errno (the switch after __res_context_search in dns-host.c). */
function searchFailure<T>(st: ResState, errno: number): NssResult<T> {
  let status: NssStatus;
  switch (errno) {
    case Errno.ESRCH:
      status = 'TRYAGAIN';
      st.hErrno = TRY_AGAIN;
      break;
    case Errno.EMFILE:
    case Errno.ENFILE:
      st.hErrno = NETDB_INTERNAL;
      status = 'UNAVAIL';
      break;
    case Errno.ECONNREFUSED:
    case Errno.ETIMEDOUT:
      status = 'UNAVAIL';
      break;
    default:
      status = 'NOTFOUND';
  }
  return { status, hErrno: st.hErrno, errno: st.hErrno === TRY_AGAIN ? Errno.EAGAIN : 0 };
}

/** A record parser's failure on a malformed reply: NO_RECOVERY. */
function malformed<T>(): NssResult<T> {
  return { status: 'UNAVAIL', hErrno: NO_RECOVERY, errno: 0 };
}

/** What one reply yielded: its addresses, the names walked (question name, then CNAME targets), or malformed. */
interface Slice {
  addrs: Uint8Array[];
  names: string[];
}

/** Walks one reply's answer section for `qtype` (gaih_getanswer_slice / getanswer_r), or null when malformed. */
function readSlice(packet: Uint8Array, qtype: number): Slice | null {
  const m = readMessage(packet);
  if (m === null) return null;
  const names = [m.question.name];
  const addrs: Uint8Array[] = [];
  const size = qtype === T_A ? 4 : 16;
  for (const rr of m.answers) {
    if (rr.cls !== C_IN) continue;
    if (rr.type === T_CNAME) {
      const target = rdataName(packet, rr);
      if (target === null) return null;
      names.push(target);
    } else if (rr.type === qtype && sameNameText(rr.name, names[names.length - 1]!) && rr.rdata.length === size) {
      addrs.push(rr.rdata.slice());
    }
  }
  return { addrs, names };
}

/** gaih_getanswer_slice: appends one reply's addresses to `tuples` (the first named) and says how it went. */
function gaihSlice(packet: Uint8Array, tuples: AddrTuple[]): NssStatus {
  const m = readMessage(packet);
  if (m === null) return 'UNAVAIL';
  const qtype = m.question.type === T_AAAA ? T_AAAA : T_A;
  const slice = readSlice(packet, qtype);
  if (slice === null) return 'UNAVAIL';
  if (slice.addrs.length === 0) return 'NOTFOUND';
  const canon = slice.names[slice.names.length - 1]!;
  slice.addrs.forEach((addr, i) => tuples.push({ name: i === 0 ? canon : null, family: qtype === T_A ? AF_INET : AF_INET6, addr, scopeid: 0 }));
  return 'SUCCESS';
}

/**
 * _nss_dns_gethostbyname4_r: the A and AAAA queries in parallel through the search list; addresses in the order the
 * replies arrived, the first carrying the canonical name (the last CNAME target, or the question name).
 */
export async function dnsGethostbyname4(sys: Sys, st: ResState, name: string): Promise<NssResult<AddrTuple[]>> {
  const r = await resSearch(sys, st, name, T_QUERY_A_AND_AAAA, BUF4);
  if (!r.ok) return searchFailure(st, r.errno);
  const tuples: AddrTuple[] = [];
  // gaih_getanswer: the second reply is read when the first was a success or NOTFOUND, and its status counts
  // when the first found nothing and the second is not NOTFOUND.
  const [p1, p2] = r.answers;
  let status: NssStatus = p1 !== undefined && p1.length > 0 ? gaihSlice(p1, tuples) : 'NOTFOUND';
  if ((status === 'SUCCESS' || status === 'NOTFOUND') && p2 !== undefined && p2.length > 0) {
    const status2 = gaihSlice(p2, tuples);
    if (status !== 'SUCCESS' && status2 !== 'NOTFOUND') status = status2;
  }
  if (status === 'SUCCESS') {
    st.hErrno = NETDB_SUCCESS;
    return { status, hErrno: NETDB_SUCCESS, errno: 0, value: tuples };
  }
  if (status === 'UNAVAIL') return malformed();
  // "if the resolver sent a result but it only contains a CNAME while we are looking for a T_A or T_AAAA record,
  // we fail with NOTFOUND."
  st.hErrno = HOST_NOT_FOUND;
  return { status: 'NOTFOUND', hErrno: HOST_NOT_FOUND, errno: 0 };
}

/**
 * _nss_dns_gethostbyname3_r for AF_INET (A) or AF_INET6 (AAAA): h_name is the last name of the CNAME chain and
 * h_aliases the names before it (the question name first), h_addr_list the matching addresses in record order.
 */
export async function dnsGethostbyname3(sys: Sys, st: ResState, name: string, af: number): Promise<NssResult<HostEnt>> {
  if (af !== AF_INET && af !== AF_INET6) {
    st.hErrno = NETDB_INTERNAL;
    return { status: 'UNAVAIL', hErrno: NETDB_INTERNAL, errno: Errno.EAFNOSUPPORT };
  }
  const qtype = af === AF_INET ? T_A : T_AAAA;
  const r = await resSearch(sys, st, name, qtype, BUF3);
  if (!r.ok) return searchFailure(st, r.errno);
  const slice = readSlice(r.answers[0]!, qtype);
  if (slice === null) return malformed();
  if (slice.addrs.length === 0) {
    st.hErrno = HOST_NOT_FOUND;
    return { status: 'NOTFOUND', hErrno: HOST_NOT_FOUND, errno: 0 };
  }
  st.hErrno = NETDB_SUCCESS;
  const hName = slice.names[slice.names.length - 1]!;
  return {
    status: 'SUCCESS', hErrno: NETDB_SUCCESS, errno: 0,
    value: { h_name: hName, h_aliases: slice.names.slice(0, -1), h_addrtype: af, h_length: af === AF_INET ? 4 : 16, h_addr_list: slice.addrs },
  };
}

/** The reverse-lookup name of an address: d.c.b.a.in-addr.arpa, or the nibbles under ip6.arpa (RFC 3596 §2.5). */
export function reverseName(addr: Uint8Array): string {
  if (addr.length === 4) return `${addr[3]}.${addr[2]}.${addr[1]}.${addr[0]}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) nibbles.push((addr[i]! & 0xf).toString(16), (addr[i]! >> 4).toString(16));
  return `${nibbles.join('.')}.ip6.arpa`;
}

/**
 * _nss_dns_gethostbyaddr2_r: a PTR query (no search list) for the address; IPv4-mapped and IPv4-compatible IPv6
 * addresses (other than ::1) are looked up as IPv4. The first PTR for the name (after CNAMEs, RFC 2317) is h_name.
 */
export async function dnsGethostbyaddr2(sys: Sys, st: ResState, addrIn: Uint8Array, af: number): Promise<NssResult<HostEnt>> {
  let addr = addrIn;
  let family = af;
  if (family === AF_INET6 && addr.length === 16 && addr.subarray(0, 10).every((b) => b === 0)) {
    const mapped = addr[10] === 0xff && addr[11] === 0xff;
    const compat = addr[10] === 0 && addr[11] === 0 && !(addr[12] === 0 && addr[13] === 0 && addr[14] === 0 && addr[15] === 1);
    if (mapped || compat) {
      addr = addr.subarray(12, 16);
      family = AF_INET;
    }
  }
  const size = family === AF_INET ? 4 : family === AF_INET6 ? 16 : 0;
  if (size === 0 || size > addr.length) {
    st.hErrno = NETDB_INTERNAL;
    return { status: 'UNAVAIL', hErrno: NETDB_INTERNAL, errno: Errno.EAFNOSUPPORT };
  }
  addr = addr.subarray(0, size);
  const r = await resQuery(sys, st, reverseName(addr), T_PTR, BUF3);
  if (!r.ok) return { status: 'NOTFOUND', hErrno: st.hErrno, errno: 0 };
  const m = readMessage(r.answers[0]!);
  if (m === null) return malformed();
  let expected = m.question.name;
  for (const rr of m.answers) {
    if (rr.cls !== C_IN) continue;
    const target = rdataName(r.answers[0]!, rr);
    if (rr.type === T_CNAME) {
      if (target === null) return malformed();
      expected = target;
    } else if (rr.type === T_PTR && sameNameText(rr.name, expected)) {
      if (target === null || !hostnameOk(target)) return malformed();
      st.hErrno = NETDB_SUCCESS;
      return {
        status: 'SUCCESS', hErrno: NETDB_SUCCESS, errno: 0,
        value: { h_name: target, h_aliases: [], h_addrtype: family === AF_INET ? AF_INET : AF_INET6, h_length: size === 4 ? 4 : 16, h_addr_list: [addr.slice()] },
      };
    }
  }
  st.hErrno = HOST_NOT_FOUND;
  return { status: 'NOTFOUND', hErrno: HOST_NOT_FOUND, errno: Errno.ENOENT };
}
