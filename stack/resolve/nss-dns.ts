/**
 * The "dns" hosts backend (glibc 2.36 resolv/nss_dns/dns-host.c): _nss_dns_gethostbyname4_r (the A/AAAA pair for
 * getaddrinfo), gethostbyname3_r/gethostbyname2_r (one family) and gethostbyaddr2_r (PTR), with 2.36's parsers:
 * - gethostbyname2_r and gethostbyname4_r refuse a name that is not a host name (res_hnok) without a query;
 *   gethostbyname3_r (getaddrinfo with AI_CANONNAME) does not check.
 * - CNAMEs are followed in record order without checking their owner ("based on historic precedent"); an address
 *   counts only when its owner is the current name and its RDATA has the right length; other classes are skipped.
 * - getanswer_r: the question name and each CNAME target that is a host name become the aliases, the last of them
 *   h_name; no address at all is TRYAGAIN with NO_RECOVERY. getanswer_ptr: the first PTR of the (CNAME-followed)
 *   name is h_name; none is TRYAGAIN with NO_RECOVERY.
 * The `need` of an answer is what its alloc_buffer layout takes of the caller's buffer: strings unaligned,
 * addresses 4-aligned, pointer arrays 8-aligned.
 */
import { AF_INET, AF_INET6 } from '../constants.js';
import { Errno } from '../errno.js';
import type { Sys } from '../sys.js';
import { C_IN, NXDOMAIN, T_A, T_AAAA, T_CNAME, T_PTR, hostnameOk, rdataName, readMessage, sameNameText } from './dns-wire.js';
import { resQuery, resSearch, T_QUERY_A_AND_AAAA } from './res-query.js';
import { HOST_NOT_FOUND, NETDB_INTERNAL, NETDB_SUCCESS, NO_RECOVERY, TRY_AGAIN, type ResState } from './res-state.js';
import type { AddrTuple, HostEnt, NssResult, NssStatus } from './nss-types.js';

/** Answer buffer sizes of the nss_dns entry points (dns_packet_buffer in dns-host.c). */
const BUF4 = 2048, BUF3 = 1024;

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/** res_hnok on a presentation-form name: a valid name (empty labels only as the root) of host-name characters. */
function resHnok(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare !== '' && bare.split('.').some((l) => l === '' || l.length > 63)) return false;
  return hostnameOk(bare);
}

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

/** An answer with status and h_errno, and h_errno set in the process state. */
function result<T>(st: ResState, status: NssStatus, hErrno: number, errno = 0, value?: T, need?: number): NssResult<T> {
  st.hErrno = hErrno;
  return { status, hErrno, errno, ...(value === undefined ? {} : { value }), ...(need === undefined ? {} : { need }) };
}

/** One reply's walk for `qtype`: the names (question first, then CNAME targets), the addresses, or malformed. */
function walk(packet: Uint8Array, qtype: number): { qname: string; targets: string[]; addrs: Uint8Array[]; rcode: number } | null {
  const m = readMessage(packet);
  if (m === null) return null;
  const targets: string[] = [];
  const addrs: Uint8Array[] = [];
  let expected = m.question.name;
  const size = qtype === T_A ? 4 : 16;
  for (const rr of m.answers) {
    if (rr.cls !== C_IN) continue;
    if (rr.type === T_CNAME) {
      const target = rdataName(packet, rr);
      if (target === null) return null;
      targets.push(target);
      expected = target;
    } else if (rr.type === qtype && sameNameText(rr.name, expected) && rr.rdata.length === size) {
      addrs.push(rr.rdata.slice());
    }
  }
  return { qname: m.question.name, targets, addrs, rcode: m.header.rcode };
}

/** gaih_getanswer_slice: appends one reply's addresses to `tuples` (the first of all named) and says how it went. */
function gaihSlice(packet: Uint8Array, tuples: AddrTuple[]): NssStatus {
  const m = readMessage(packet);
  if (m === null) return 'UNAVAIL';
  const qtype = m.question.type === T_AAAA ? T_AAAA : T_A;
  if (m.header.ancount === 0 || !resHnok(m.question.name)) return 'NOTFOUND';
  const w = walk(packet, qtype);
  if (w === null) return 'UNAVAIL';
  if (w.addrs.length === 0) return 'NOTFOUND';
  // The canonical name: the last CNAME target that is a host name, else the question name.
  const canon = [w.qname, ...w.targets.filter(resHnok)].pop() as string;
  const named = tuples.length === 0;
  w.addrs.forEach((addr, i) => tuples.push({ name: named && i === 0 ? canon : null, family: qtype === T_A ? AF_INET : AF_INET6, addr, scopeid: 0 }));
  return 'SUCCESS';
}

/** sizeof (struct gaih_addrtuple) on LP64: next, name, family, addr[4], scopeid; alloc_buffer aligns it to 8. */
const ADDRTUPLE_SIZE = 40;

/** What the tuples take of the caller's buffer: each 8-aligned, the canonical name copied after the first. */
function tuplesNeed(tuples: readonly AddrTuple[]): number {
  let at = 0;
  for (const t of tuples) {
    at = align(at, 8) + ADDRTUPLE_SIZE;
    if (t.name !== null) at += t.name.length + 1;
  }
  return at;
}

/**
 * _nss_dns_gethostbyname4_r: the A and AAAA queries in parallel through the search list; addresses in the order the
 * replies arrived (gaih_getanswer: the second reply counts when the first found nothing). The tuples are laid out in
 * the caller's `buflen` bytes; when they do not fit the answer is TRYAGAIN with ERANGE and NETDB_INTERNAL (the
 * resizing protocol), and getaddrinfo asks again, queries and all, with a buffer twice as large.
 */
export async function dnsGethostbyname4(sys: Sys, st: ResState, name: string, buflen: number): Promise<NssResult<AddrTuple[]>> {
  if (!resHnok(name)) return result(st, 'NOTFOUND', HOST_NOT_FOUND);
  const r = await resSearch(sys, st, name, T_QUERY_A_AND_AAAA, BUF4);
  if (!r.ok) return searchFailure(st, r.errno);
  const tuples: AddrTuple[] = [];
  const [p1, p2] = r.answers;
  let status: NssStatus = p1 !== undefined && p1.length > 0 ? gaihSlice(p1, tuples) : 'NOTFOUND';
  if ((status === 'SUCCESS' || status === 'NOTFOUND') && p2 !== undefined && p2.length > 0) {
    const status2 = gaihSlice(p2, tuples);
    if (status !== 'SUCCESS' && status2 !== 'NOTFOUND') status = status2;
  }
  const need = tuplesNeed(tuples);
  if (need > buflen) return { ...result<AddrTuple[]>(st, 'TRYAGAIN', NETDB_INTERNAL, Errno.ERANGE), need };
  if (status === 'SUCCESS') return result(st, 'SUCCESS', NETDB_SUCCESS, 0, tuples, need);
  if (status === 'UNAVAIL') return result(st, 'UNAVAIL', NO_RECOVERY);
  return result(st, 'NOTFOUND', HOST_NOT_FOUND);
}

/**
 * _nss_dns_gethostbyname3_r (checkName false) or gethostbyname2_r (checkName true) for AF_INET (A) or AF_INET6
 * (AAAA): h_name is the last name of the chain and h_aliases the names before it.
 */
export async function dnsGethostbyname3(sys: Sys, st: ResState, name: string, af: number, checkName: boolean): Promise<NssResult<HostEnt>> {
  if (checkName && !resHnok(name)) return result(st, 'NOTFOUND', HOST_NOT_FOUND);
  if (af !== AF_INET && af !== AF_INET6) return result(st, 'UNAVAIL', 4 /* NO_DATA */, Errno.EAFNOSUPPORT);
  const qtype = af === AF_INET ? T_A : T_AAAA;
  const r = await resSearch(sys, st, name, qtype, BUF3);
  if (!r.ok) return searchFailure(st, r.errno);
  const w = walk(r.answers[0]!, qtype);
  if (w === null) return result(st, 'UNAVAIL', NO_RECOVERY);
  if (w.rcode === NXDOMAIN || !resHnok(w.qname)) return result(st, 'NOTFOUND', HOST_NOT_FOUND, Errno.ENOENT);
  const names = [w.qname, ...w.targets.filter(resHnok)];
  if (w.addrs.length === 0) return result(st, 'TRYAGAIN', NO_RECOVERY, Errno.ENOENT);
  // Layout: the names, then each address 4-aligned, then h_addr_list and h_aliases (8-aligned).
  let at = names.reduce((n, s) => n + s.length + 1, 0);
  for (const a of w.addrs) at = align(at, 4) + a.length;
  const need = align(at, 8) + 8 * (w.addrs.length + 1) + 8 * names.length;
  const ent: HostEnt = { h_name: names[names.length - 1]!, h_aliases: names.slice(0, -1), h_addrtype: af,
    h_length: af === AF_INET ? 4 : 16, h_addr_list: w.addrs };
  return result(st, 'SUCCESS', NETDB_SUCCESS, 0, ent, need);
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
 * addresses (other than ::1) are looked up as IPv4. The buffer needs 16 bytes of pointers before anything is sent.
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
  if (size === 0 || size > addr.length) return { ...result(st, 'UNAVAIL', NETDB_INTERNAL, Errno.EAFNOSUPPORT), need: 16 };
  addr = addr.subarray(0, size);
  const r = await resQuery(sys, st, reverseName(addr), T_PTR, BUF3);
  // "return errno == ECONNREFUSED ? UNAVAIL : NOTFOUND" runs after errno was restored, so it is NOTFOUND.
  if (!r.ok) return { status: 'NOTFOUND', hErrno: st.hErrno, errno: 0, need: 16 };
  const packet = r.answers[0]!;
  const m = readMessage(packet);
  if (m === null) return { ...result(st, 'UNAVAIL', NO_RECOVERY), need: 16 };
  let expected = m.question.name;
  for (const rr of m.answers) {
    if (rr.cls !== C_IN) continue;
    const target = rdataName(packet, rr);
    if (rr.type === T_CNAME) {
      if (target === null) return { ...result(st, 'UNAVAIL', NO_RECOVERY), need: 16 };
      expected = target;
    } else if (rr.type === T_PTR && sameNameText(rr.name, expected)) {
      if (target === null || !resHnok(expected)) return { ...result(st, 'UNAVAIL', NO_RECOVERY), need: 16 };
      const ent: HostEnt = { h_name: target, h_aliases: [], h_addrtype: family === AF_INET ? AF_INET : AF_INET6,
        h_length: size === 4 ? 4 : 16, h_addr_list: [addr.slice()] };
      return result(st, 'SUCCESS', NETDB_SUCCESS, 0, ent, align(16 + target.length + 1, 4) + size);
    }
  }
  return { ...result(st, 'TRYAGAIN', NO_RECOVERY, Errno.ENOENT), need: 16 };
}
