/**
 * getaddrinfo's destination address sorting (glibc 2.36 sysdeps/posix/getaddrinfo.c, rfc3484_sort with the built-in
 * tables of an absent /etc/gai.conf): RFC 3484 §6 rules 1-10 as glibc implements them, IPv4 addresses compared as
 * IPv4-mapped IPv6 (precedence 10, label 4), IPv4 scopes from glibc's table (127/8 and 169.254/16 link-local).
 *
 * The source address of each destination is found the way glibc finds it, with real system calls: one UDP socket,
 * connect(2) to the destination (AF_UNSPEC in between), getsockname(2). Interface facts (prefix length, index) come
 * from the host's addresses as __check_pf reads them from netlink. Rule 7 (native transport) never decides here:
 * socksim has no tunnel interfaces. The sort is glibc 2.36's qsort_r merge sort (msort.c), so a comparator that is
 * not a total order still gives glibc's result.
 */
import { AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_IP, SOCK_CLOEXEC, SOCK_DGRAM } from '../constants.js';
import { Errno } from '../errno.js';
import { encodeSockaddr, type SockAddr } from '../sockaddr.js';
import type { AddrOut, Sys } from '../sys.js';
import type { Host } from '../host.js';
import { inet_pton } from './inet.js';

/** One result being sorted: its address bytes (4 or 16), family and sockaddr. */
export interface SortEntry {
  readonly family: typeof AF_INET | typeof AF_INET6;
  readonly addr: Uint8Array;
  readonly sockaddr: SockAddr;
}

/** struct sort_result. */
interface SortResult {
  entry: SortEntry;
  source: { family: number; addr: Uint8Array } | null;
  prefixlen: number;
  index: number;
}

/** A v4-mapped view of an address, for the prefix tables (match_prefix). */
function as6(family: number, addr: Uint8Array): Uint8Array {
  if (family === AF_INET6) return addr;
  const m = new Uint8Array(16);
  m[10] = 0xff;
  m[11] = 0xff;
  m.set(addr, 12);
  return m;
}

/** A prefix table entry: prefix bytes, bit length, value. */
type PrefixEntry = readonly [prefix: readonly number[], bits: number, val: number];

/** default_labels (RFC 3484 §2.1 plus glibc's site-local, ULA and Teredo rows). */
const LABELS: readonly PrefixEntry[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 0],
  [[0x20, 0x02], 16, 2],
  [[], 96, 3],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96, 4],
  [[0xfe, 0xc0], 10, 5],
  [[0xfc, 0x00], 7, 6],
  [[0x20, 0x01, 0, 0], 32, 7],
  [[], 0, 1],
];

/** default_precedence (RFC 3484 §2.1). */
const PRECEDENCE: readonly PrefixEntry[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 50],
  [[0x20, 0x02], 16, 30],
  [[], 96, 20],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96, 10],
  [[], 0, 40],
];

/** match_prefix: the value of the first table row whose prefix covers the address. */
function matchPrefix(a: Uint8Array, table: readonly PrefixEntry[]): number {
  for (const [prefix, bits, val] of table) {
    let i = 0;
    let left = bits;
    let ok = true;
    while (left >= 8) {
      if ((prefix[i] ?? 0) !== a[i]) {
        ok = false;
        break;
      }
      i++;
      left -= 8;
    }
    const mask = (0xff00 >> left) & 0xff;
    if (ok && left < 8 && ((prefix[i] ?? 0) & mask) === (a[i]! & mask)) return val;
  }
  throw new Error('prefix table without a default row');
}

/** get_scope: multicast scope bits, link-local/loopback 2, site-local 5, else 14; IPv4 by glibc's scope table. */
function getScope(family: number, a: Uint8Array): number {
  if (family === AF_INET) {
    if (a[0] === 169 && a[1] === 254) return 2;
    if (a[0] === 127) return 2;
    return 14;
  }
  if (a[0] === 0xff) return a[1]! & 0xf;
  const loopback = a.subarray(0, 15).every((b) => b === 0) && a[15] === 1;
  if ((a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) || loopback) return 2;
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0xc0) return 5;
  return 14;
}

/** fls as glibc defines it: the number of leading zero bits of a 32-bit value (32 for 0). */
function fls(x: number): number {
  return Math.clz32(x >>> 0);
}

/** The 32-bit word `i` of an IPv6 address, big-endian. */
function word(a: Uint8Array, i: number): number {
  return ((a[4 * i]! << 24) | (a[4 * i + 1]! << 16) | (a[4 * i + 2]! << 8) | a[4 * i + 3]!) >>> 0;
}

/** rfc3484_sort: negative when a1 goes first. Rules 3, 4 and 7 never decide in socksim (no such address flags). */
function compare(a1: SortResult, a2: SortResult, i1: number, i2: number): number {
  // Rule 1: avoid unusable destinations.
  if (a1.source !== null && a2.source === null) return -1;
  if (a1.source === null && a2.source !== null) return 1;
  const d1 = a1.entry, d2 = a2.entry;
  // Rule 2: prefer matching scope.
  const dscope1 = getScope(d1.family, d1.addr), dscope2 = getScope(d2.family, d2.addr);
  if (a1.source !== null && a2.source !== null) {
    const s1 = getScope(a1.source.family, a1.source.addr), s2 = getScope(a2.source.family, a2.source.addr);
    if (dscope1 === s1 && dscope2 !== s2) return -1;
    if (dscope1 !== s1 && dscope2 === s2) return 1;
    // Rule 5: prefer matching label.
    const dl1 = matchPrefix(as6(d1.family, d1.addr), LABELS), sl1 = matchPrefix(as6(a1.source.family, a1.source.addr), LABELS);
    const dl2 = matchPrefix(as6(d2.family, d2.addr), LABELS), sl2 = matchPrefix(as6(a2.source.family, a2.source.addr), LABELS);
    if (dl1 === sl1 && dl2 !== sl2) return -1;
    if (dl1 !== sl1 && dl2 === sl2) return 1;
  }
  // Rule 6: prefer higher precedence.
  const p1 = matchPrefix(as6(d1.family, d1.addr), PRECEDENCE), p2 = matchPrefix(as6(d2.family, d2.addr), PRECEDENCE);
  if (p1 > p2) return -1;
  if (p1 < p2) return 1;
  // Rule 8: prefer smaller scope.
  if (dscope1 < dscope2) return -1;
  if (dscope1 > dscope2) return 1;
  // Rule 9: use longest matching prefix (IPv4: only within the source's subnet).
  if (a1.source !== null && a2.source !== null && d1.family === d2.family) {
    let bit1 = 0, bit2 = 0;
    if (d1.family === AF_INET) {
      const dst1 = word(d1.addr, 0), src1 = word(a1.source.addr, 0), dst2 = word(d2.addr, 0), src2 = word(a2.source.addr, 0);
      const mask1 = a1.prefixlen === 0 ? 0 : (0xffffffff << (32 - a1.prefixlen)) >>> 0;
      const mask2 = a2.prefixlen === 0 ? 0 : (0xffffffff << (32 - a2.prefixlen)) >>> 0;
      // C's "0xffffffffu << 32" is undefined; x86 shifts by 32 mod 32, i.e. not at all, so prefixlen 0 is all ones.
      const m1 = a1.prefixlen === 0 ? 0xffffffff : mask1, m2 = a2.prefixlen === 0 ? 0xffffffff : mask2;
      if (((src1 & m1) >>> 0) === ((dst1 & m1) >>> 0)) bit1 = fls(dst1 ^ src1);
      if (((src2 & m2) >>> 0) === ((dst2 & m2) >>> 0)) bit2 = fls(dst2 ^ src2);
    } else {
      let i = 0;
      for (; i < 4; i++) {
        if (word(d1.addr, i) !== word(a1.source.addr, i) || word(d2.addr, i) !== word(a2.source.addr, i)) break;
      }
      if (i < 4) {
        bit1 = fls(word(d1.addr, i) ^ word(a1.source.addr, i));
        bit2 = fls(word(d2.addr, i) ^ word(a2.source.addr, i));
      }
    }
    if (bit1 > bit2) return -1;
    if (bit1 < bit2) return 1;
  }
  // Rule 10: leave the order unchanged.
  return i1 < i2 ? -1 : 1;
}

/** glibc 2.36 msort_with_tmp: top-down merge sort, taking from the left run while cmp <= 0. */
function msort(order: number[], cmp: (a: number, b: number) => number): number[] {
  if (order.length <= 1) return order;
  const n1 = order.length >> 1;
  const left = msort(order.slice(0, n1), cmp);
  const right = msort(order.slice(n1), cmp);
  const out: number[] = [];
  let i = 0, j = 0;
  while (i < left.length && j < right.length) out.push(cmp(left[i]!, right[j]!) <= 0 ? left[i++]! : right[j++]!);
  return out.concat(left.slice(i), right.slice(j));
}

/** The IPv6 addresses of an interface (socksim interfaces may not have the field yet). */
function ipv6Of(iface: Host['interfaces'][number]): readonly { addr: Uint8Array; prefixLen: number }[] {
  return (iface as { ipv6?: readonly { addr: Uint8Array; prefixLen: number }[] }).ipv6 ?? [];
}

/**
 * __check_pf's verdict (sysdeps/unix/sysv/linux/check_pf.c): the host has an IPv4 address other than 127.0.0.1,
 * and one of IPv6 other than ::1 (link-local ones count).
 */
export function checkPf(host: Host): { v4: boolean; v6: boolean } {
  let v4 = false, v6 = false;
  for (const iface of host.interfaces) {
    if (iface.ipv4.some((a) => a.addr !== 0x7f000001)) v4 = true;
    if (ipv6Of(iface).some((a) => !(a.addr.subarray(0, 15).every((b) => b === 0) && a.addr[15] === 1))) v6 = true;
  }
  return { v4, v6 };
}

/**
 * __check_pf's address list: every interface address (IPv4 as mapped) with its prefix length and index. glibc
 * returns it only when the host has IPv6 (check_pf.c: "if (seen_ipv6 && in6ailist != NULL)"), so on an IPv4-only
 * host rule 9 compares nothing and rule 10 keeps the order.
 */
function interfaceAddresses(host: Host): { addr: Uint8Array; prefixlen: number; index: number }[] {
  const out: { addr: Uint8Array; prefixlen: number; index: number }[] = [];
  if (!checkPf(host).v6) return out;
  for (const iface of host.interfaces) {
    for (const a of iface.ipv4) {
      const b = Uint8Array.of(a.addr >>> 24, (a.addr >>> 16) & 0xff, (a.addr >>> 8) & 0xff, a.addr & 0xff);
      out.push({ addr: as6(AF_INET, b), prefixlen: a.prefixLen, index: iface.index });
    }
    for (const a of ipv6Of(iface)) {
      out.push({ addr: a.addr, prefixlen: a.prefixLen, index: iface.index });
    }
  }
  return out;
}

/** The address bytes of a sockaddr object glibc's getsockname filled in. */
function sockaddrBytes(sa: SockAddr | null): { family: number; addr: Uint8Array } | null {
  if (sa === null || !('addr' in sa) || (sa.family !== AF_INET && sa.family !== AF_INET6)) return null;
  const r = inet_pton(sa.family, sa.addr);
  return r.ret === 1 ? { family: sa.family, addr: r.addr } : null;
}

/** try_connect: connect then getsockname; an AF_INET destination on an IPv6-only socket retries with AF_INET. */
async function tryConnect(sys: Sys, sock: { fd: number; af: number }, dest: SortEntry): Promise<{ family: number; addr: Uint8Array } | null> {
  for (;;) {
    if (sock.fd !== -1 && (await sys.connect(sock.fd, dest.sockaddr)) === 0) {
      const out: AddrOut = { addr: null };
      if ((await sys.getsockname(sock.fd, out)) === 0) return sockaddrBytes(out.addr);
    }
    if (sys.errno === Errno.EAFNOSUPPORT && sock.af === AF_INET6 && dest.family === AF_INET) {
      if (sock.fd !== -1) await sys.close(sock.fd);
      sock.af = AF_INET;
      sock.fd = await sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_IP);
      continue;
    }
    return null;
  }
}

/** Sorts getaddrinfo results (more than one address) as glibc does; returns the new order of `entries`. */
export async function rfc3484Sort<T extends SortEntry>(sys: Sys, entries: readonly T[]): Promise<T[]> {
  const ifaddrs = interfaceAddresses(sys.host);
  const results: SortResult[] = [];
  const sock = { fd: -1, af: AF_UNSPEC as number };
  let last: SortEntry | null = null;
  for (const q of entries) {
    const prev = results[results.length - 1];
    if (last !== null && prev !== undefined && sameSockaddr(last.sockaddr, q.sockaddr)) {
      results.push({ ...prev, entry: q });
    } else {
      const r: SortResult = { entry: q, source: null, prefixlen: 0, index: 0xffffffff };
      if (sock.fd === -1 || (sock.af === AF_INET && q.family === AF_INET6)) {
        if (sock.fd !== -1) await sys.close(sock.fd);
        sock.af = q.family;
        sock.fd = await sys.socket(sock.af, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_IP);
      } else {
        await sys.connect(sock.fd, { family: AF_UNSPEC, bytes: new Uint8Array(16) }); // "Reset the connection."
      }
      const src = await tryConnect(sys, sock, q);
      if (src !== null) {
        // An IPv4 destination through an IPv6 socket reports a mapped source; glibc converts it back.
        const v4 = q.family === AF_INET && src.family === AF_INET6 ? { family: AF_INET, addr: src.addr.subarray(12) } : src;
        r.source = v4;
        let key = as6(v4.family, v4.addr);
        // "Special case for lo interface, the source address being possibly different than the interface address."
        if (v4.family === AF_INET && v4.addr[0] === 127) key = as6(AF_INET, Uint8Array.of(127, 0, 0, 1));
        const found = ifaddrs.find((x) => x.addr.every((b, i) => b === key[i]));
        if (found !== undefined) {
          r.prefixlen = found.prefixlen;
          r.index = found.index;
        }
      }
      results.push(r);
    }
    last = q;
  }
  if (sock.fd !== -1) await sys.close(sock.fd);
  const order = msort(results.map((_, i) => i), (x, y) => compare(results[x]!, results[y]!, x, y));
  return order.map((i) => entries[i]!);
}

/** memcmp of two sockaddrs as glibc compares consecutive results (family, port and address). */
function sameSockaddr(a: SockAddr, b: SockAddr): boolean {
  const x = encodeSockaddr(a), y = encodeSockaddr(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
