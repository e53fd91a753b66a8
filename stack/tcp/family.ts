/**
 * Address-family plumbing for TCP sockets: decoding sockaddr_in / sockaddr_in6 for bind and connect (inet_bind,
 * inet6_bind, tcp_v4_connect, tcp_v6_connect checks), v4-mapped IPv6 addresses (an AF_INET6 socket without
 * IPV6_V6ONLY talks IPv4 through ::ffff:a.b.c.d, RFC 4291 §2.5.5.2), the names getsockname/getpeername return,
 * and which bound addresses overlap (inet_rcv_saddr_equal with dual-stack wildcards).
 */
import { AF_INET, AF_UNSPEC, INADDR_ANY } from '../constants.js';
import { Errno } from '../errno.js';
import { decodeInet4, inet4Bytes } from '../sockaddr.js';
import { decodeInet6, inet6Bytes } from '../sockaddr6.js';
import { IPV6_LOOPBACK, IPV6_UNSPECIFIED, ipv4FromMapped, ipv4Mapped, ipv6Equal } from '../wire/addr.js';
import type { Host } from '../host.js';
import type { IpAddr } from './isn.js';

/** A decoded endpoint: IPv4 (including v4-mapped IPv6) carries a number, IPv6 16 bytes. */
export interface TcpEndpoint {
  v: 4 | 6;
  addr: IpAddr;
  port: number;
  scopeId: number;
}

/** Whether an address is the wildcard (INADDR_ANY or ::). */
export function isAnyAddr(a: IpAddr): boolean {
  if (typeof a === 'number') return a === 0;
  return ipv6Equal(a, IPV6_UNSPECIFIED);
}

/** The wildcard of a socket family. */
export function anyOf(domain: number): IpAddr {
  return domain === AF_INET ? INADDR_ANY : IPV6_UNSPECIFIED;
}

/**
 * Decodes a bind/connect address for a socket of `domain`: -errno on a short address or a wrong family
 * (EINVAL / EAFNOSUPPORT), AF_UNSPEC as the caller's business (returned as null).
 */
export function decodeFor(domain: number, b: Uint8Array): TcpEndpoint | number | null {
  if (domain === AF_INET) {
    const ep = decodeInet4(b);
    if ('errno' in ep) return ep.family === AF_UNSPEC && ep.errno === 0 ? null : -(ep.errno || Errno.EAFNOSUPPORT);
    return { v: 4, addr: ep.addr, port: ep.port, scopeId: 0 };
  }
  const ep = decodeInet6(b);
  if ('errno' in ep) return -ep.errno;
  const v4 = ipv4FromMapped(ep.addr);
  if (v4 !== null) return { v: 4, addr: v4, port: ep.port, scopeId: 0 };
  return { v: 6, addr: ep.addr, port: ep.port, scopeId: ep.scopeId };
}

/** The sockaddr bytes a socket of `domain` reports for an endpoint (v4-mapped on AF_INET6). */
export function sockaddrFor(domain: number, addr: IpAddr, port: number): Uint8Array {
  if (domain === AF_INET) return inet4Bytes(addr as number, port);
  return inet6Bytes(typeof addr === 'number' ? ipv4Mapped(addr) : addr, port);
}

/** The address a connect() to the wildcard reaches: this host (127.0.0.1 or ::1). */
export function selfFor(v: 4 | 6): IpAddr {
  return v === 4 ? 0x7f000001 : IPV6_LOOPBACK.slice();
}

/** Whether addr is assigned to this host. */
export function isLocalAddr(host: Host, addr: IpAddr): boolean {
  return typeof addr === 'number' ? host.ipv4.isLocal(addr) : host.ipv6.isLocal(addr);
}

/** A bound local address as the port table sees it. */
export interface PortBinding {
  domain: number;
  addr: IpAddr;
  v6only: boolean;
}

/**
 * Whether two bindings of one port overlap: equal addresses, or a wildcard that covers the other. An AF_INET6
 * wildcard covers IPv4 too unless IPV6_V6ONLY; an IPv4 wildcard never covers IPv6 addresses.
 */
export function bindingsOverlap(a: PortBinding, b: PortBinding): boolean {
  const a4 = typeof a.addr === 'number', b4 = typeof b.addr === 'number';
  const aAny = isAnyAddr(a.addr), bAny = isAnyAddr(b.addr);
  if (a4 && b4) return aAny || bAny || a.addr === b.addr;
  if (!a4 && !b4) return aAny || bAny || ipv6Equal(a.addr as Uint8Array, b.addr as Uint8Array);
  // One IPv4 (number), one IPv6 (bytes): only a dual-stack IPv6 wildcard meets IPv4.
  const six = a4 ? b : a;
  return isAnyAddr(six.addr) && !six.v6only;
}
