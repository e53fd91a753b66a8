/**
 * getnameinfo(3) as glibc 2.36 implements it (inet/getnameinfo.c), for a simulated process:
 * - flags other than NI_NUMERICHOST, NI_NUMERICSERV, NI_NOFQDN, NI_NAMEREQD, NI_DGRAM (and the IDN bits) are
 *   EAI_BADFLAGS; a short or unknown address is EAI_FAMILY; NI_NAMEREQD without buffers is EAI_NONAME.
 * - the host (when a host buffer is given): gethostbyaddr_r (files, then a PTR query), where TRY_AGAIN is EAI_AGAIN
 *   and a resolver error EAI_SYSTEM; without a name, the numeric form (inet_ntop, "%scope" by interface name for
 *   link-local addresses) unless NI_NAMEREQD. NI_NOFQDN cuts the local domain, found once per process the way
 *   nrl_domainname does (the domain of "localhost", of gethostname(2), or of 127.0.0.1's name).
 * - the service: getservbyport(port, NI_DGRAM ? "udp" : "tcp"), else the decimal port.
 * - a result that does not fit its buffer with its NUL is EAI_OVERFLOW. The host is done before the service.
 */
import { AF_INET, AF_INET6, AF_UNIX } from '../constants.js';
import { encodeSockaddr, type SockAddrArg } from '../sockaddr.js';
import type { Sys } from '../sys.js';
import { EAI_AGAIN, EAI_BADFLAGS, EAI_FAMILY, EAI_NONAME, EAI_OVERFLOW, EAI_SYSTEM } from './gai-errors.js';
import { gethostbyaddr_r, gethostbyname_r } from './gethostby.js';
import { inet_ntop } from './inet.js';
import { DEPRECATED_NI_IDN, NI_DGRAM, NI_IDN, NI_NAMEREQD, NI_NOFQDN, NI_NUMERICHOST, NI_NUMERICSERV } from './netdb-constants.js';
import { NETDB_INTERNAL, TRY_AGAIN, resState } from './res-state.js';
import { getservbyport } from './services.js';

/** getnameinfo's outcome: 0 or an EAI_* code, and the strings written (null where no buffer was given). */
export interface NameInfo {
  ret: number;
  host: string | null;
  serv: string | null;
}

/** sizeof struct sockaddr_in, sockaddr_in6, and offsetof(struct sockaddr_un, sun_path). */
const SIN_LEN = 16, SIN6_LEN = 28, SUN_PATH_OFFSET = 2;

/** checked_copy: the string, or EAI_OVERFLOW when it and its NUL do not fit `len` bytes. */
function fit(text: string, len: number): string | number {
  return text.length + 1 > len ? EAI_OVERFLOW : text;
}

/** A growing-buffer gethostbyaddr_r, as gni_host_inet_name loops on ERANGE with a scratch buffer. */
async function hostByAddr(sys: Sys, addr: Uint8Array, af: number): Promise<{ name: string | null; herrno: number }> {
  for (let buflen = 1024; ; buflen *= 2) {
    const r = await gethostbyaddr_r(sys, addr, addr.length, af, buflen);
    if (r.ret === 34 /* ERANGE */ && r.h_errno === NETDB_INTERNAL) continue;
    return { name: r.result?.h_name ?? null, herrno: r.h_errno };
  }
}

/** nrl_domainname, computed once per process: what follows the first '.' of the first name found. */
async function localDomain(sys: Sys): Promise<string | null> {
  const st = resState(sys);
  if (st.nrlDomain !== undefined) return st.nrlDomain;
  const after = (name: string | null | undefined): string | null => {
    const i = name?.indexOf('.') ?? -1;
    return i >= 0 ? (name as string).slice(i + 1) : null;
  };
  const byName = async (name: string): Promise<string | null> => {
    for (let buflen = 1024; ; buflen *= 2) {
      const r = await gethostbyname_r(sys, name, buflen);
      if (r.ret !== 34) return r.result?.h_name ?? null;
    }
  };
  let domain = after(await byName('localhost'));
  if (domain === null) {
    const hostname = sys.host.name;
    domain = after(hostname);
    if (domain === null) domain = after(await byName(hostname));
    if (domain === null) domain = after((await hostByAddr(sys, Uint8Array.of(127, 0, 0, 1), AF_INET)).name);
  }
  st.nrlDomain = domain;
  return domain;
}

/** gni_host for AF_INET/AF_INET6: the name, or the numeric form; an EAI code on failure. */
async function gniHost(sys: Sys, sa: Uint8Array, family: number, hostlen: number, flags: number): Promise<string | number> {
  const addr = family === AF_INET6 ? sa.slice(8, 24) : sa.slice(4, 8);
  if ((flags & NI_NUMERICHOST) === 0) {
    const { name, herrno } = await hostByAddr(sys, addr, family);
    if (name === null && herrno === NETDB_INTERNAL) return EAI_SYSTEM;
    if (name === null && herrno === TRY_AGAIN) return EAI_AGAIN;
    if (name !== null) {
      let host = name;
      if ((flags & NI_NOFQDN) !== 0) {
        const domain = await localDomain(sys);
        const at = domain === null ? -1 : host.indexOf(domain);
        if (at > 0 && host[at - 1] === '.') host = host.slice(0, at - 1);
      }
      return fit(host, hostlen);
    }
  }
  if ((flags & NI_NAMEREQD) !== 0) return EAI_NONAME;
  const text = inet_ntop(family, addr, hostlen);
  if (!('ok' in text)) return EAI_OVERFLOW;
  if (family !== AF_INET6) return text.ok;
  const scope = new DataView(sa.buffer, sa.byteOffset, sa.byteLength).getUint32(24, true);
  if (scope === 0) return text.ok;
  // Link-local unicast and multicast scopes print as the interface's name when it has one (if_indextoname).
  const linkLocal = (addr[0] === 0xfe && (addr[1]! & 0xc0) === 0x80) || (addr[0] === 0xff && (addr[1]! & 0xf) === 2);
  const ifname = linkLocal ? sys.host.interfaces.find((i) => i.index === scope)?.name : undefined;
  return fit(`${text.ok}%${ifname ?? String(scope)}`, hostlen);
}

/**
 * getnameinfo(sa, salen, host[hostlen], serv[servlen], flags). `sa` is an address object or raw sockaddr bytes;
 * `salen` defaults to its encoded length. A zero hostlen or servlen means that buffer is not given (NULL).
 */
export async function getnameinfo(sys: Sys, sa: SockAddrArg, salen: number | null, hostlen: number, servlen: number, flags: number): Promise<NameInfo> {
  const fail = (ret: number): NameInfo => ({ ret, host: null, serv: null });
  if ((flags & ~(NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM | NI_IDN | DEPRECATED_NI_IDN)) !== 0) return fail(EAI_BADFLAGS);
  const raw = sa instanceof Uint8Array ? sa : encodeSockaddr(sa);
  const len = salen ?? raw.length;
  if (len < 2) return fail(EAI_FAMILY);
  const bytes = new Uint8Array(Math.max(len, raw.length));
  bytes.set(raw.subarray(0, Math.min(raw.length, bytes.length)));
  const family = bytes[0]! | (bytes[1]! << 8);
  if ((flags & NI_NAMEREQD) !== 0 && hostlen === 0 && servlen === 0) return fail(EAI_NONAME);
  if ((family === AF_UNIX && len < SUN_PATH_OFFSET) || (family === AF_INET && len < SIN_LEN) || (family === AF_INET6 && len < SIN6_LEN)) return fail(EAI_FAMILY);
  if (family !== AF_UNIX && family !== AF_INET && family !== AF_INET6) return fail(EAI_FAMILY);

  let host: string | null = null;
  if (hostlen > 0) {
    let h: string | number;
    if (family === AF_UNIX) {
      // gni_host_local: the node name (uname(2)), or "localhost" for NI_NUMERICHOST.
      h = (flags & NI_NUMERICHOST) === 0 ? fit(sys.host.name, hostlen) : (flags & NI_NAMEREQD) !== 0 ? EAI_NONAME : fit('localhost', hostlen);
    } else {
      h = await gniHost(sys, bytes, family, hostlen, flags);
    }
    if (typeof h === 'number') return fail(h);
    host = h;
  }
  let serv: string | null = null;
  if (servlen > 0) {
    let s: string | number;
    if (family === AF_UNIX) {
      const path = bytes.subarray(SUN_PATH_OFFSET, len);
      const nul = path.indexOf(0);
      s = fit(String.fromCharCode(...(nul < 0 ? path : path.subarray(0, nul))), servlen);
    } else {
      const port = bytes[2]! | (bytes[3]! << 8); // sin_port as an x86-64 program reads it (network order bytes)
      const ent = (flags & NI_NUMERICSERV) === 0 ? getservbyport(port, (flags & NI_DGRAM) !== 0 ? 'udp' : 'tcp') : null;
      s = fit(ent !== null ? ent.s_name : String(((port & 0xff) << 8) | (port >> 8)), servlen);
    }
    if (typeof s === 'number') return { ret: s, host: null, serv: null };
    serv = s;
  }
  return { ret: 0, host, serv };
}
