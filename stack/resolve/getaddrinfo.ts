/**
 * getaddrinfo(3), freeaddrinfo(3) as glibc 2.36 implements them (sysdeps/posix/getaddrinfo.c), for a simulated
 * process. The steps, in glibc's order:
 * - "*" as node or service means none; no node and no service is EAI_NONAME; flag, family and AI_CANONNAME checks.
 * - AI_ADDRCONFIG narrows AF_UNSPEC to the one family the host has non-loopback addresses of (__check_pf), or
 *   fails with EAI_NONAME when the requested family has none.
 * - The service: a decimal number (strtoul, so " 80" and "+80" too; AI_NUMERICSERV rejects anything else) or a name
 *   looked up per protocol in /etc/services; one result per socket type (SOCK_STREAM, SOCK_DGRAM, SOCK_RAW) unless
 *   hints pick one.
 * - The node: no node gives the loopback or wildcard addresses (AI_PASSIVE), IPv6 first; then numeric forms
 *   (__inet_aton_exact, inet_pton AF_INET6 with %scope); then for AF_INET without AI_CANONNAME gethostbyname2_r;
 *   else the hosts sources (files, dns) with gethostbyname4_r for AF_UNSPEC or gethostbyname3_r per family, mapping
 *   IPv4 to IPv6 for AF_INET6 with AI_V4MAPPED (AI_ALL: even when IPv6 addresses were found).
 * - With more than one address, RFC 3484 sorting (gai-sort.ts) using real connect(2)/getsockname(2) calls.
 */
import { AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, SOCK_DGRAM, SOCK_RAW,
  SOCK_SEQPACKET, SOCK_STREAM } from '../constants.js';
import { inet, inet6, type SockAddrIn, type SockAddrIn6 } from '../sockaddr.js';
import type { Sys } from '../sys.js';
import { EAI_ADDRFAMILY, EAI_AGAIN, EAI_BADFLAGS, EAI_FAMILY, EAI_IDN_ENCODE, EAI_NODATA, EAI_NONAME, EAI_SERVICE,
  EAI_SOCKTYPE, EAI_SYSTEM } from './gai-errors.js';
import { gethostbyname2Core } from './gethostby.js';
import { checkPf, rfc3484Sort } from './gai-sort.js';
import { inet_aton_exact, inet_ntop, inet_pton } from './inet.js';
import { AI_ADDRCONFIG, AI_ALL, AI_CANONIDN, AI_CANONNAME, AI_IDN, AI_NUMERICHOST, AI_NUMERICSERV, AI_PASSIVE,
  AI_V4MAPPED, DEPRECATED_AI_IDN, IPPROTO_DCCP, SOCK_DCCP } from './netdb-constants.js';
import { gethostbyname3From, hostsSources, nssGethostbyname4, SCRATCH_BUFFER_SIZE, type ScratchBuffer } from './nss-hosts.js';
import type { AddrTuple, NssStatus } from './nss-types.js';
import { NETDB_INTERNAL, NO_DATA, TRY_AGAIN } from './res-state.js';
import { getservbyname } from './services.js';

/** The hints argument (struct addrinfo with only the four input fields). */
export interface AddrInfoHints {
  ai_flags?: number;
  ai_family?: number;
  ai_socktype?: number;
  ai_protocol?: number;
}

/** struct addrinfo. */
export interface AddrInfo {
  ai_flags: number;
  ai_family: number;
  ai_socktype: number;
  ai_protocol: number;
  ai_addrlen: number;
  ai_addr: SockAddrIn | SockAddrIn6;
  ai_canonname: string | null;
  ai_next: AddrInfo | null;
}

/** getaddrinfo's return: 0 and the list, or an EAI_* code and null. */
export interface GaiResult {
  ret: number;
  res: AddrInfo | null;
}

/** One row of gaih_inet_typeproto: socket type, protocol, flags, whether it is a default, protocol name. */
interface TypeProto {
  readonly socktype: number;
  readonly protocol: number;
  readonly protoany: boolean;
  readonly noservice: boolean;
  readonly isDefault: boolean;
  readonly name: string;
}

/** gaih_inet_typeproto on Linux (SOCK_DCCP, IPPROTO_UDPLITE and IPPROTO_SCTP are all defined there). */
const TYPEPROTO: readonly TypeProto[] = [
  { socktype: SOCK_STREAM, protocol: IPPROTO_TCP, protoany: false, noservice: false, isDefault: true, name: 'tcp' },
  { socktype: SOCK_DGRAM, protocol: IPPROTO_UDP, protoany: false, noservice: false, isDefault: true, name: 'udp' },
  { socktype: SOCK_DCCP, protocol: IPPROTO_DCCP, protoany: false, noservice: false, isDefault: false, name: 'dccp' },
  { socktype: SOCK_DGRAM, protocol: IPPROTO_UDPLITE, protoany: false, noservice: false, isDefault: false, name: 'udplite' },
  { socktype: SOCK_STREAM, protocol: IPPROTO_SCTP, protoany: false, noservice: false, isDefault: false, name: 'sctp' },
  { socktype: SOCK_SEQPACKET, protocol: IPPROTO_SCTP, protoany: false, noservice: false, isDefault: false, name: 'sctp' },
  { socktype: SOCK_RAW, protocol: 0, protoany: true, noservice: true, isDefault: true, name: 'raw' },
];

/** struct gaih_servtuple. */
interface ServTuple {
  socktype: number;
  protocol: number;
  port: number;
}

/** strtoul(s, &end, 10) as a C int, and whether the whole string was consumed. */
function strtoulInt(s: string): { num: number; whole: boolean } {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(s) as RegExpExecArray;
  if (m[2] === '') return { num: 0, whole: s === '' };
  let v = BigInt(m[2] as string);
  if (v > 0xffffffffffffffffn) v = 0xffffffffffffffffn; // ERANGE: ULONG_MAX
  if (m[1] === '-') v = BigInt.asUintN(64, -v);
  return { num: Number(BigInt.asIntN(32, v)), whole: m[0].length === s.length };
}

/** get_servtuples: the (socktype, protocol, port) rows for the hints and service; port in host order. */
function servTuples(service: { name: string; num: number } | null, req: Required<AddrInfoHints>): ServTuple[] | number {
  let tp: TypeProto | null = null;
  if (req.ai_protocol !== 0 || req.ai_socktype !== 0) {
    tp = TYPEPROTO.find((t) => (req.ai_socktype === 0 || req.ai_socktype === t.socktype)
      && (req.ai_protocol === 0 || t.protoany || req.ai_protocol === t.protocol)) ?? null;
    if (tp === null) return req.ai_socktype !== 0 ? EAI_SOCKTYPE : EAI_SERVICE;
  }
  if (service !== null && tp?.noservice === true) return EAI_SERVICE;
  if (service === null || service.num >= 0) {
    const port = service === null ? 0 : service.num & 0xffff;
    if (tp !== null) return [{ socktype: tp.socktype, protocol: tp.protoany ? req.ai_protocol : tp.protocol, port }];
    return TYPEPROTO.filter((t) => t.isDefault).map((t) => ({ socktype: t.socktype, protocol: t.protocol, port }));
  }
  const lookup = (t: TypeProto): ServTuple | null => {
    const s = getservbyname(service.name, t.name);
    return s === null ? null : { socktype: t.socktype, protocol: t.protoany ? req.ai_protocol : t.protocol, port: ((s.s_port & 0xff) << 8) | (s.s_port >> 8) };
  };
  if (tp !== null) {
    const one = lookup(tp);
    return one === null ? EAI_SERVICE : [one];
  }
  const out: ServTuple[] = [];
  for (const t of TYPEPROTO) {
    if (t.noservice) continue;
    if (req.ai_socktype !== 0 && req.ai_socktype !== t.socktype) continue;
    if (req.ai_protocol !== 0 && !t.protoany && req.ai_protocol !== t.protocol) continue;
    const st = lookup(t);
    if (st !== null) out.push(st);
  }
  return out.length === 0 ? EAI_SERVICE : out;
}

/** A tuple from numeric text (text_to_binary_address): 0 when not numeric, a negative EAI code on error. */
function numericHost(sys: Sys, name: string, req: Required<AddrInfoHints>): { tuple: AddrTuple | null; error: number } {
  const s4 = inet_aton_exact(name);
  if (s4 !== null) {
    const b = Uint8Array.of(s4 & 0xff, (s4 >>> 8) & 0xff, (s4 >>> 16) & 0xff, s4 >>> 24);
    if (req.ai_family === AF_UNSPEC || req.ai_family === AF_INET) return { tuple: { name: null, family: AF_INET, addr: b, scopeid: 0 }, error: 0 };
    if (req.ai_family === AF_INET6 && (req.ai_flags & AI_V4MAPPED) !== 0) return { tuple: { name: null, family: AF_INET6, addr: mapped(b), scopeid: 0 }, error: 0 };
    return { tuple: null, error: EAI_ADDRFAMILY };
  }
  const pct = name.indexOf('%');
  const r = inet_pton(AF_INET6, pct < 0 ? name : name.slice(0, pct));
  if (r.ret === 1) {
    let tuple: AddrTuple;
    if (req.ai_family === AF_UNSPEC || req.ai_family === AF_INET6) tuple = { name: null, family: AF_INET6, addr: r.addr, scopeid: 0 };
    else if (req.ai_family === AF_INET && isMapped(r.addr)) tuple = { name: null, family: AF_INET, addr: r.addr.slice(12), scopeid: 0 };
    else return { tuple: null, error: EAI_ADDRFAMILY };
    if (pct >= 0) {
      const scope = scopeId(sys, tuple.addr, name.slice(pct + 1));
      if (scope === null) return { tuple: null, error: EAI_NONAME };
      tuple.scopeid = scope;
    }
    return { tuple, error: 0 };
  }
  return { tuple: null, error: (req.ai_flags & AI_NUMERICHOST) !== 0 ? EAI_NONAME : 0 };
}

/**
 * __inet6_scopeid_pton: for link-local unicast and node- or link-local multicast addresses an interface name
 * (if_nametoindex), else (or when no interface has that name) a decimal number that fits 32 bits.
 */
function scopeId(sys: Sys, addr: Uint8Array, text: string): number | null {
  const linkLocal = (addr[0] === 0xfe && (addr[1]! & 0xc0) === 0x80) || (addr[0] === 0xff && ((addr[1]! & 0xf) === 1 || (addr[1]! & 0xf) === 2));
  if (linkLocal) {
    const iface = sys.host.interfaces.find((i) => i.name === text);
    if (iface !== undefined) return iface.index;
  }
  if (!/^[0-9]+$/.test(text)) return null;
  const v = Number(text);
  return v > 0xffffffff ? null : v;
}

/** The IPv4-mapped IPv6 form of 4 bytes. */
function mapped(b: Uint8Array): Uint8Array {
  const m = new Uint8Array(16);
  m[10] = 0xff;
  m[11] = 0xff;
  m.set(b, 12);
  return m;
}

/** IN6_IS_ADDR_V4MAPPED. */
function isMapped(a: Uint8Array): boolean {
  return a.subarray(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff;
}

/** The result of the name lookups: tuples, canonical name, whether IPv6 addresses were found, or an EAI code. */
interface Lookup {
  tuples: AddrTuple[];
  canon: string | null;
  gotIpv6: boolean;
}

/** get_nss_addresses: the hosts sources in order; statuses and h_errno combined as glibc does. */
async function nssAddresses(sys: Sys, name: string, req: Required<AddrInfoHints>): Promise<Lookup | number> {
  // gaih_inet's struct scratch_buffer: 1024 bytes, doubled on each ERANGE, and kept grown for the later calls.
  const scratch: ScratchBuffer = { length: SCRATCH_BUFFER_SIZE };
  if (req.ai_family === AF_UNSPEC) {
    const r = await nssGethostbyname4(sys, name, scratch);
    if (r.status === 'SUCCESS') {
      const tuples = r.value ?? [];
      return { tuples, canon: (req.ai_flags & AI_CANONNAME) !== 0 ? (tuples[0]?.name ?? null) : null, gotIpv6: false };
    }
    if ((r.status === 'TRYAGAIN' || r.status === 'UNAVAIL') && r.hErrno === NETDB_INTERNAL) return EAI_SYSTEM;
    const noData = r.hErrno === TRY_AGAIN ? EAI_AGAIN : r.hErrno === NO_DATA ? 1 : 0;
    return noData === 0 ? EAI_NONAME : noData === EAI_AGAIN ? EAI_AGAIN : EAI_NODATA;
  }
  // Each source is asked for IPv6 then IPv4 (as the flags require) before the walk moves on to the next source.
  const out: Lookup = { tuples: [], canon: null, gotIpv6: false };
  const last = { status: 'UNAVAIL' as NssStatus, hErrno: 0 };
  let noData = 0, noInet6Data = 0;
  for (const source of hostsSources(sys)) {
    out.tuples = [];
    out.canon = null;
    out.gotIpv6 = false;
    noData = 0;
    let inet6Status: NssStatus = 'UNAVAIL';
    const gethosts = async (af: number): Promise<void> => {
      // gethosts(): an answer that does not fit the scratch buffer (ERANGE) is asked for again, queries and all,
      // with the buffer doubled.
      let r = await gethostbyname3From(sys, source, name, af, (req.ai_flags & AI_CANONNAME) === 0);
      while (r.status === 'SUCCESS' && r.need !== undefined && r.need > scratch.length) {
        scratch.length *= 2;
        r = await gethostbyname3From(sys, source, name, af, (req.ai_flags & AI_CANONNAME) === 0);
      }
      last.status = r.status;
      last.hErrno = r.hErrno;
      noData = 0;
      if (r.status === 'SUCCESS' && r.value !== undefined) {
        const ent = r.value;
        ent.h_addr_list.forEach((a, i) => {
          const tuple: AddrTuple = af === AF_INET && req.ai_family === AF_INET6
            ? { name: null, family: AF_INET6, addr: mapped(a), scopeid: 0 }
            : { name: null, family: af === AF_INET ? AF_INET : AF_INET6, addr: a, scopeid: 0 };
          if (i === 0) tuple.name = ent.h_name;
          out.tuples.push(tuple);
        });
        if (ent.h_addr_list.length > 0) out.gotIpv6 = af === AF_INET6;
        if ((req.ai_flags & AI_CANONNAME) !== 0 && out.canon === null) out.canon = ent.h_name;
      } else if (r.status !== 'SUCCESS') {
        noData = r.hErrno === TRY_AGAIN ? EAI_AGAIN : r.hErrno === NO_DATA ? 1 : 0;
      }
    };
    if (req.ai_family === AF_INET6) {
      await gethosts(AF_INET6);
      noInet6Data = noData;
      inet6Status = last.status;
    }
    if (req.ai_family === AF_INET || ((req.ai_flags & AI_V4MAPPED) !== 0 && ((req.ai_flags & AI_ALL) !== 0 || !out.gotIpv6))) {
      await gethosts(AF_INET);
      if (req.ai_family === AF_INET) {
        noInet6Data = noData;
        inet6Status = last.status;
      }
    }
    if (inet6Status === 'SUCCESS' || last.status === 'SUCCESS') return out;
    // "We can have different states for AF_INET and AF_INET6.  Try to find a useful one for both."
    if (inet6Status === 'TRYAGAIN') last.status = 'TRYAGAIN';
    else if (last.status === 'UNAVAIL' && inet6Status !== 'UNAVAIL') last.status = inet6Status;
  }
  if ((last.status === 'TRYAGAIN' || last.status === 'UNAVAIL') && last.hErrno === NETDB_INTERNAL) return EAI_SYSTEM;
  if (noData !== 0 && noInet6Data !== 0) return noData === EAI_AGAIN && noInet6Data === EAI_AGAIN ? EAI_AGAIN : EAI_NODATA;
  return EAI_NONAME;
}

/** gaih_inet: the tuples for the node (and hints), or an EAI code. */
async function gaihInet(sys: Sys, name: string | null, req: Required<AddrInfoHints>): Promise<Lookup | number> {
  if (name === null) {
    // get_local_addresses: IPv6 first for AF_UNSPEC; the wildcard with AI_PASSIVE, else loopback.
    const passive = (req.ai_flags & AI_PASSIVE) !== 0;
    const tuples: AddrTuple[] = [];
    if (req.ai_family === AF_UNSPEC || req.ai_family === AF_INET6) {
      const a = new Uint8Array(16);
      if (!passive) a[15] = 1;
      tuples.push({ name: null, family: AF_INET6, addr: a, scopeid: 0 });
    }
    if (req.ai_family === AF_UNSPEC || req.ai_family === AF_INET) {
      tuples.push({ name: null, family: AF_INET, addr: passive ? new Uint8Array(4) : Uint8Array.of(127, 0, 0, 1), scopeid: 0 });
    }
    return { tuples, canon: null, gotIpv6: false };
  }
  // AI_IDN: libidn2 turns a non-ASCII name into its A-label; socksim has no IDNA tables, so only ASCII passes.
  if ((req.ai_flags & AI_IDN) !== 0 && /[^\x00-\x7f]/.test(name)) return EAI_IDN_ENCODE;
  const num = numericHost(sys, name, req);
  if (num.error !== 0) return num.error;
  if (num.tuple !== null) return { tuples: [num.tuple], canon: (req.ai_flags & AI_CANONNAME) !== 0 ? name : null, gotIpv6: false };
  if ((req.ai_flags & AI_NUMERICHOST) !== 0) return EAI_NONAME;
  if (req.ai_family === AF_INET && (req.ai_flags & AI_CANONNAME) === 0) {
    // try_simple_gethostbyname
    const r = await gethostbyname2Core(sys, name, AF_INET);
    if (r.rc === 0) {
      if (r.ent !== null) return { tuples: r.ent.h_addr_list.map((a, i) => ({ name: i === 0 ? r.ent!.h_name : null, family: AF_INET, addr: a, scopeid: 0 })), canon: null, gotIpv6: false };
      return r.hErrno === NO_DATA ? EAI_NODATA : EAI_NONAME;
    }
    if (r.hErrno === NETDB_INTERNAL) return EAI_SYSTEM;
    if (r.hErrno === TRY_AGAIN) return EAI_AGAIN;
    return EAI_NODATA;
  }
  const found = await nssAddresses(sys, name, req);
  if (typeof found === 'number') return found;
  if (found.tuples.length === 0) return EAI_NONAME;
  return found;
}

/**
 * getaddrinfo(node, service, hints): 0 with the result list, or an EAI_* code (gai-errors.ts). Lookups are real
 * simulated traffic: /etc/hosts, then DNS queries over UDP (and TCP) as glibc's stub resolver sends them.
 */
export async function getaddrinfo(sys: Sys, node: string | null, service: string | null, hints?: AddrInfoHints | null): Promise<GaiResult> {
  const name = node === '*' ? null : node;
  const serv = service === '*' ? null : service;
  if (name === null && serv === null) return { ret: EAI_NONAME, res: null };
  let req: Required<AddrInfoHints> = { ai_flags: hints?.ai_flags ?? 0, ai_family: hints?.ai_family ?? AF_UNSPEC,
    ai_socktype: hints?.ai_socktype ?? 0, ai_protocol: hints?.ai_protocol ?? 0 };
  if (hints === null || hints === undefined) req = { ...req, ai_flags: AI_V4MAPPED | AI_ADDRCONFIG }; // AI_DEFAULT
  const known = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_ADDRCONFIG | AI_V4MAPPED | AI_IDN | AI_CANONIDN | DEPRECATED_AI_IDN | AI_NUMERICSERV | AI_ALL;
  if ((req.ai_flags & ~known) !== 0) return { ret: EAI_BADFLAGS, res: null };
  if ((req.ai_flags & AI_CANONNAME) !== 0 && name === null) return { ret: EAI_BADFLAGS, res: null };
  if (req.ai_family !== AF_UNSPEC && req.ai_family !== AF_INET && req.ai_family !== AF_INET6) return { ret: EAI_FAMILY, res: null };
  if ((req.ai_flags & AI_ADDRCONFIG) !== 0) {
    const seen = checkPf(sys.host);
    if (req.ai_family === AF_UNSPEC && (seen.v4 || seen.v6)) {
      if (seen.v4 !== seen.v6) req = { ...req, ai_family: seen.v4 ? AF_INET : AF_INET6 };
    } else if ((req.ai_family === AF_INET && !seen.v4) || (req.ai_family === AF_INET6 && !seen.v6)) {
      return { ret: EAI_NONAME, res: null };
    }
  }
  let pservice: { name: string; num: number } | null = null;
  if (serv !== null && serv !== '') {
    const n = strtoulInt(serv);
    if (!n.whole && (req.ai_flags & AI_NUMERICSERV) !== 0) return { ret: EAI_NONAME, res: null };
    pservice = { name: serv, num: n.whole ? n.num : -1 };
  }
  const st = servTuples(pservice, req);
  if (typeof st === 'number') return { ret: st, res: null };
  const found = await gaihInet(sys, name, req);
  if (typeof found === 'number') return { ret: found, res: null };

  // generate_addrinfo: per address, one entry per service tuple; the canonical name on the first.
  const entries: { ai: AddrInfo; family: typeof AF_INET | typeof AF_INET6; addr: Uint8Array; sockaddr: SockAddrIn | SockAddrIn6 }[] = [];
  let canon = (req.ai_flags & AI_CANONNAME) !== 0 ? (found.canon ?? name) : null;
  let naddrs = 0;
  for (const at of found.tuples) {
    if (at.family === AF_INET6 && found.gotIpv6 && (req.ai_flags & (AI_V4MAPPED | AI_ALL)) === AI_V4MAPPED && isMapped(at.addr)) continue;
    for (const s of st) {
      const text = (inet_ntop(at.family, at.addr, 64) as { ok: string }).ok;
      const sockaddr = at.family === AF_INET6 ? inet6(text, s.port, at.scopeid) : inet(text, s.port);
      const ai: AddrInfo = { ai_flags: req.ai_flags, ai_family: at.family, ai_socktype: s.socktype, ai_protocol: s.protocol,
        ai_addrlen: at.family === AF_INET6 ? 28 : 16, ai_addr: sockaddr, ai_canonname: canon, ai_next: null };
      canon = null;
      entries.push({ ai, family: at.family, addr: at.addr, sockaddr });
    }
    naddrs++;
  }
  let ordered = entries;
  if (naddrs > 1) {
    ordered = await rfc3484Sort(sys, entries);
    // "Fill in the canonical name into the new first entry."
    const c = entries.find((e) => e.ai.ai_canonname !== null)?.ai.ai_canonname ?? null;
    for (const e of entries) e.ai.ai_canonname = null;
    if (ordered[0] !== undefined) ordered[0].ai.ai_canonname = c;
  }
  for (let i = 0; i < ordered.length; i++) ordered[i]!.ai.ai_next = ordered[i + 1]?.ai ?? null;
  const head = ordered[0]?.ai ?? null;
  return head === null ? { ret: EAI_NONAME, res: null } : { ret: 0, res: head };
}

/** freeaddrinfo(3): the list is garbage-collected memory in socksim; this walks it as glibc does and unlinks it. */
export function freeaddrinfo(res: AddrInfo | null): void {
  let p = res;
  while (p !== null) {
    const next = p.ai_next;
    p.ai_next = null;
    p = next;
  }
}

/** The entries of a result list as an array (a convenience for callers written in JS). */
export function addrinfoList(res: AddrInfo | null): AddrInfo[] {
  const out: AddrInfo[] = [];
  for (let p = res; p !== null; p = p.ai_next) out.push(p);
  return out;
}
