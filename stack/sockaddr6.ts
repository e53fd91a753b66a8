/**
 * struct sockaddr_in6 in bytes (x86-64 Linux layout: family, port, flowinfo, address, scope id), with the checks
 * net/ipv6 applies to addresses passed in: shorter than SIN6_LEN_RFC2133 (24 bytes) is EINVAL, another family
 * EAFNOSUPPORT. A 24-byte address (RFC 2133, without sin6_scope_id) is accepted with scope id 0.
 */
import { AF_INET6, SIZEOF_SOCKADDR_IN6 } from './constants.js';
import { Errno } from './errno.js';
import { sockaddrFamily } from './sockaddr.js';

/** sizeof the RFC 2133 sockaddr_in6, without sin6_scope_id. */
export const SIN6_LEN_RFC2133 = 24;

/** A decoded IPv6 endpoint. */
export interface Inet6Endpoint {
  addr: Uint8Array;
  port: number;
  flowinfo: number;
  scopeId: number;
}

/** Decodes sockaddr_in6 bytes; errors: EINVAL (too short) or EAFNOSUPPORT (other family; `family` says which). */
export function decodeInet6(b: Uint8Array, minLen = SIN6_LEN_RFC2133): Inet6Endpoint | { errno: number; family: number } {
  const family = sockaddrFamily(b);
  if (b.length < minLen) return { errno: Errno.EINVAL, family };
  if (family !== AF_INET6) return { errno: Errno.EAFNOSUPPORT, family };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    addr: b.slice(8, 24), port: dv.getUint16(2, false), flowinfo: dv.getUint32(4, false),
    scopeId: b.length >= SIZEOF_SOCKADDR_IN6 ? dv.getUint32(24, true) : 0,
  };
}

/** Builds sockaddr_in6 bytes. */
export function inet6Bytes(addr: Uint8Array, port: number, scopeId = 0, flowinfo = 0): Uint8Array {
  const b = new Uint8Array(SIZEOF_SOCKADDR_IN6);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_INET6, true);
  dv.setUint16(2, port, false);
  dv.setUint32(4, flowinfo, false);
  b.set(addr, 8);
  dv.setUint32(24, scopeId, true);
  return b;
}
