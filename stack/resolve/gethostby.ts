/**
 * gethostbyname(3), gethostbyname2(3), gethostbyname_r, gethostbyname2_r, gethostbyaddr(3), gethostbyaddr_r and
 * hstrerror(3) as glibc 2.36 implements them: __nss_hostname_digits_dots answers numeric names without a lookup
 * (and refuses all-numeric names that are not addresses), then the hosts sources are asked in nsswitch.conf order.
 *
 * The reentrant forms take the size of the caller's buffer and fail with ERANGE where glibc's layout would not fit
 * in it (each backend reports the bytes it used, see nss-files.ts and nss-dns.ts); the non-reentrant forms grow
 * their buffer and retry, so they never do. h_errno is the
 * process's (resState(sys).hErrno), readable with `h_errno(sys)`.
 */
import { AF_INET, AF_INET6 } from '../constants.js';
import { Errno } from '../errno.js';
import type { Sys } from '../sys.js';
import { inet_aton_exact, inet_pton } from './inet.js';
import { gethostbyaddrFrom, gethostbyname3From, hostsSources } from './nss-hosts.js';
import type { HostEnt, NssResult } from './nss-types.js';
import { HOST_NOT_FOUND, NETDB_INTERNAL, NETDB_SUCCESS, TRY_AGAIN, resState } from './res-state.js';

/** The outcome of a reentrant call: the C return value (0 or an errno), *result, and h_errno. */
export interface HostentR {
  ret: number;
  result: HostEnt | null;
  h_errno: number;
}

/** The h_errno of the process's last lookup. */
export function h_errno(sys: Sys): number {
  return resState(sys).hErrno;
}

/** hstrerror(3): glibc's texts for h_errno values. */
export function hstrerror(err: number): string {
  switch (err) {
    case NETDB_SUCCESS:
      return 'Resolver Error 0 (no error)';
    case HOST_NOT_FOUND:
      return 'Unknown host';
    case TRY_AGAIN:
      return 'Host name lookup failure';
    case 3:
      return 'Unknown server error';
    case 4:
      return 'No address associated with name';
    default:
      return err < 0 ? 'Resolver internal error' : 'Unknown resolver error';
  }
}

/** isxdigit in the C locale. */
const isXdigit = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/**
 * __nss_hostname_digits_dots for the reentrant calls: null when the name is for the hosts sources, else the answer
 * (a hostent for a numeric address, HOST_NOT_FOUND for a numeric-looking name that is not one, ERANGE when the
 * buffer cannot hold the 40 bytes of pointers and address plus the name, a check made for any name starting with a
 * hex digit or ':').
 */
function digitsDots(name: string, af: number, buflen: number): HostentR | null {
  const c0 = name[0];
  if (!(isXdigit(c0) || c0 === ':')) return null;
  const family = af === AF_INET6 ? AF_INET6 : AF_INET;
  if (buflen < 16 + 16 + 8 + name.length + 1) return { ret: Errno.ERANGE, result: null, h_errno: NETDB_INTERNAL };
  const fake = (addr: Uint8Array): HostentR => ({
    ret: 0, h_errno: NETDB_SUCCESS,
    result: { h_name: name, h_aliases: [], h_addrtype: family, h_length: family === AF_INET ? 4 : 16, h_addr_list: [addr] },
  });
  if (/^[0-9]/.test(name) && /^[0-9.]*$/.test(name)) {
    // "disallow names consisting only of digits/dots, unless they end in a dot."
    if (name.endsWith('.')) return null;
    if (family === AF_INET) {
      const s = inet_aton_exact(name);
      if (s !== null) return fake(Uint8Array.of(s & 0xff, (s >>> 8) & 0xff, (s >>> 16) & 0xff, s >>> 24));
    } else {
      const r = inet_pton(AF_INET6, name);
      if (r.ret === 1) return fake(r.addr);
    }
    return { ret: 0, result: null, h_errno: HOST_NOT_FOUND };
  }
  if ((isXdigit(c0) && name.includes(':')) || c0 === ':') {
    if (family === AF_INET) return { ret: 0, result: null, h_errno: HOST_NOT_FOUND };
    const r = inet_pton(AF_INET6, name);
    return r.ret === 1 ? fake(r.addr) : { ret: 0, result: null, h_errno: HOST_NOT_FOUND };
  }
  return null;
}

/**
 * The getXXbyYY_r loop over the hosts sources: stops at SUCCESS, and at a TRYAGAIN/ERANGE (the buffer is too small:
 * the source used more than `buflen`, or `precheck` bytes before it starts) without trying the next source; maps
 * the final status to the C return value (0 also for NOTFOUND, EAGAIN for TRYAGAIN, else errno).
 */
async function walkR(sys: Sys, buflen: number, ask: (source: 'files' | 'dns') => Promise<NssResult<HostEnt>>,
  precheck: (source: 'files' | 'dns') => number = () => 0): Promise<HostentR> {
  const st = resState(sys);
  let last: NssResult<HostEnt> = { status: 'UNAVAIL', hErrno: NETDB_INTERNAL, errno: Errno.ENOENT };
  const erange = (): HostentR => {
    st.hErrno = NETDB_INTERNAL;
    return { ret: Errno.ERANGE, result: null, h_errno: NETDB_INTERNAL };
  };
  for (const source of hostsSources(sys)) {
    if (buflen < precheck(source)) return erange();
    last = await ask(source);
    if (buflen < (last.need ?? 0)) return erange();
    if (last.status === 'SUCCESS') break;
  }
  st.hErrno = last.hErrno;
  if (last.status === 'SUCCESS') return { ret: 0, result: last.value ?? null, h_errno: last.hErrno };
  if (last.status === 'NOTFOUND') return { ret: 0, result: null, h_errno: last.hErrno };
  if (last.status === 'TRYAGAIN' && last.hErrno !== NETDB_INTERNAL) return { ret: Errno.EAGAIN, result: null, h_errno: last.hErrno };
  return { ret: last.errno, result: null, h_errno: last.hErrno };
}

/** gethostbyname2_r(name, af, buf[buflen]) (getXXbyYY_r.c with HANDLE_DIGITS_DOTS). */
export async function gethostbyname2_r(sys: Sys, name: string, af: number, buflen: number): Promise<HostentR> {
  const st = resState(sys);
  const dd = digitsDots(name, af, buflen);
  if (dd !== null) {
    st.hErrno = dd.h_errno;
    return dd;
  }
  return walkR(sys, buflen, (source) => gethostbyname3From(sys, source, name, af, true));
}

/** gethostbyname_r(name, buf[buflen]): gethostbyname2_r for AF_INET. */
export function gethostbyname_r(sys: Sys, name: string, buflen: number): Promise<HostentR> {
  return gethostbyname2_r(sys, name, AF_INET, buflen);
}

/** The non-reentrant form (getXXbyYY.c): a buffer that doubles from 1024 bytes until ERANGE stops. */
async function growing(call: (buflen: number) => Promise<HostentR>): Promise<HostentR> {
  for (let buflen = 1024; ; buflen *= 2) {
    const r = await call(buflen);
    if (r.ret !== Errno.ERANGE) return r;
  }
}

/** gethostbyname2(3). */
export async function gethostbyname2(sys: Sys, name: string, af: number): Promise<HostEnt | null> {
  return (await growing((n) => gethostbyname2_r(sys, name, af, n))).result;
}

/** gethostbyname(3): IPv4 only (RES_USE_INET6 no longer exists). */
export function gethostbyname(sys: Sys, name: string): Promise<HostEnt | null> {
  return gethostbyname2(sys, name, AF_INET);
}

/** gethostbyaddr_r(addr, len, type, buf[buflen]): `len` must cover the family's address size. */
export async function gethostbyaddr_r(sys: Sys, addr: Uint8Array, len: number, type: number, buflen: number): Promise<HostentR> {
  const st = resState(sys);
  // The NSS wrapper checks nothing; both backends reject a length shorter than the family's address.
  if ((type === AF_INET && len < 4) || (type === AF_INET6 && len < 16) || (type !== AF_INET && type !== AF_INET6)) {
    st.hErrno = NETDB_INTERNAL;
    return { ret: Errno.EAFNOSUPPORT, result: null, h_errno: NETDB_INTERNAL };
  }
  const bytes = addr.subarray(0, Math.min(len, addr.length));
  // nss_dns reserves its two address pointers before it sends anything.
  return walkR(sys, buflen, (source) => gethostbyaddrFrom(sys, source, bytes, type), (source) => (source === 'dns' ? 16 : 0));
}

/** gethostbyaddr(3). */
export async function gethostbyaddr(sys: Sys, addr: Uint8Array, len: number, type: number): Promise<HostEnt | null> {
  return (await growing((n) => gethostbyaddr_r(sys, addr, len, type, n))).result;
}

/** __gethostbyname2_r as getaddrinfo's try_simple_gethostbyname calls it (a growing buffer). */
export async function gethostbyname2Core(sys: Sys, name: string, af: number): Promise<{ rc: number; ent: HostEnt | null; hErrno: number }> {
  const r = await growing((n) => gethostbyname2_r(sys, name, af, n));
  return { rc: r.ret, ent: r.result, hErrno: r.h_errno };
}

