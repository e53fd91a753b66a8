/**
 * Socket addresses. Programs pass friendly objects (`inet('10.0.0.1', 53)`) or raw `struct sockaddr` bytes; either
 * way the stack decodes the Linux layout with Linux's checks, so short lengths and wrong families get the errno the
 * kernel gives (EINVAL, EAFNOSUPPORT…). Ports are host order in objects and network order in bytes, as in C.
 */
import {
  AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, SIZEOF_SOCKADDR_IN, SIZEOF_SOCKADDR_IN6, SIZEOF_SOCKADDR_STORAGE, UNIX_PATH_MAX,
} from './constants.js';
import { Errno } from './errno.js';
import { ipv4FromString, ipv4ToString, ipv6FromString, ipv6ToString } from './wire/addr.js';

/** struct sockaddr_in as an object. */
export interface SockAddrIn {
  family: typeof AF_INET;
  addr: string;
  port: number;
}

/** struct sockaddr_in6 as an object. */
export interface SockAddrIn6 {
  family: typeof AF_INET6;
  addr: string;
  port: number;
  flowinfo?: number;
  scopeId?: number;
}

/** struct sockaddr_un as an object: a leading "\0" makes it abstract; "" is unnamed. */
export interface SockAddrUn {
  family: typeof AF_UNIX;
  path: string;
}

/** An address with a family socksim does not interpret (reported back as bytes). */
export interface SockAddrOther {
  family: number;
  bytes: Uint8Array;
}

/** Any socket address object. */
export type SockAddr = SockAddrIn | SockAddrIn6 | SockAddrUn | SockAddrOther;

/** What calls accept: an object, or raw sockaddr bytes (length = addrlen). */
export type SockAddrArg = SockAddr | Uint8Array;

/** An IPv4 socket address. */
export function inet(addr: string, port: number): SockAddrIn {
  return { family: AF_INET, addr, port };
}

/** An IPv6 socket address. */
export function inet6(addr: string, port: number, scopeId = 0): SockAddrIn6 {
  return { family: AF_INET6, addr, port, flowinfo: 0, scopeId };
}

/** An AF_UNIX address (path, or "\0name" for the abstract namespace). */
export function unix(path: string): SockAddrUn {
  return { family: AF_UNIX, path };
}

/** Encodes an address object into Linux's struct layout (sockaddr_un is sized to its path, as SUN_LEN). */
export function encodeSockaddr(sa: SockAddr): Uint8Array {
  if ('bytes' in sa) return sa.bytes;
  if (sa.family === AF_INET) {
    const b = new Uint8Array(SIZEOF_SOCKADDR_IN);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, AF_INET, true);
    dv.setUint16(2, sa.port & 0xffff, false);
    dv.setUint32(4, ipv4FromString(sa.addr) ?? 0xffffffff, false);
    return b;
  }
  if (sa.family === AF_INET6) {
    const b = new Uint8Array(SIZEOF_SOCKADDR_IN6);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, AF_INET6, true);
    dv.setUint16(2, sa.port & 0xffff, false);
    dv.setUint32(4, sa.flowinfo ?? 0, false);
    b.set(ipv6FromString(sa.addr) ?? new Uint8Array(16).fill(0xff), 8);
    dv.setUint32(24, sa.scopeId ?? 0, true);
    return b;
  }
  const path = Buffer.from(sa.path, 'latin1');
  const b = new Uint8Array(2 + path.length + (path[0] === 0 || path.length === 0 ? 0 : 1));
  new DataView(b.buffer).setUint16(0, AF_UNIX, true);
  b.set(path, 2);
  return b;
}

/** Raw bytes of an argument. */
export function sockaddrBytes(arg: SockAddrArg): Uint8Array {
  return arg instanceof Uint8Array ? arg : encodeSockaddr(arg);
}

/**
 * Raw bytes of a caller's argument, checked as move_addr_to_kernel does: junk (not bytes, not a well-formed address
 * object) is EFAULT, more than sizeof(struct sockaddr_storage) bytes is EINVAL.
 */
export function sockaddrArgBytes(arg: unknown): Uint8Array | number {
  let b: Uint8Array;
  if (arg instanceof Uint8Array) b = arg;
  else if (typeof arg !== 'object' || arg === null || typeof (arg as { family?: unknown }).family !== 'number') return -Errno.EFAULT;
  else {
    const sa = arg as Record<string, unknown>;
    const fam = sa.family as number;
    if ('bytes' in sa) {
      if (!(sa.bytes instanceof Uint8Array)) return -Errno.EFAULT;
    } else if (fam === AF_INET || fam === AF_INET6) {
      if (typeof sa.addr !== 'string' || typeof sa.port !== 'number') return -Errno.EFAULT;
    } else if (fam === AF_UNIX) {
      if (typeof sa.path !== 'string') return -Errno.EFAULT;
    } else {
      return -Errno.EFAULT;
    }
    b = encodeSockaddr(arg as SockAddr);
  }
  return b.length > SIZEOF_SOCKADDR_STORAGE ? -Errno.EINVAL : b;
}

/** The family field of raw sockaddr bytes, or -1 when shorter than sa_family. */
export function sockaddrFamily(b: Uint8Array): number {
  return b.length < 2 ? -1 : b[0]! | (b[1]! << 8);
}

/** A decoded IPv4 endpoint. */
export interface Inet4Endpoint {
  addr: number;
  port: number;
}

/**
 * Decodes a sockaddr_in for bind/connect/sendto on an AF_INET socket (net/ipv4/af_inet.c): addrlen below 16 is
 * EINVAL; another family is EAFNOSUPPORT, except AF_UNSPEC which callers treat specially.
 */
export function decodeInet4(b: Uint8Array): Inet4Endpoint | { errno: number; family: number } {
  const family = sockaddrFamily(b);
  if (b.length < SIZEOF_SOCKADDR_IN) return { errno: Errno.EINVAL, family };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (family !== AF_INET) return { errno: family === AF_UNSPEC ? 0 : Errno.EAFNOSUPPORT, family };
  return { addr: dv.getUint32(4, false), port: dv.getUint16(2, false) };
}

/** Decodes kernel-produced sockaddr bytes into an object (getsockname, recvfrom, accept). */
export function decodeSockaddr(b: Uint8Array): SockAddr {
  const family = sockaddrFamily(b);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (family === AF_INET && b.length >= SIZEOF_SOCKADDR_IN) {
    return { family: AF_INET, addr: ipv4ToString(dv.getUint32(4, false)), port: dv.getUint16(2, false) };
  }
  if (family === AF_INET6 && b.length >= SIZEOF_SOCKADDR_IN6) {
    return {
      family: AF_INET6, addr: ipv6ToString(b.subarray(8, 24)), port: dv.getUint16(2, false),
      flowinfo: dv.getUint32(4, false), scopeId: dv.getUint32(24, true),
    };
  }
  if (family === AF_UNIX && b.length <= 2 + UNIX_PATH_MAX) {
    let path = Buffer.from(b.subarray(2)).toString('latin1');
    if (path.length > 0 && path[0] !== '\0') {
      const nul = path.indexOf('\0');
      if (nul >= 0) path = path.slice(0, nul);
    }
    return { family: AF_UNIX, path };
  }
  return { family, bytes: b.slice() };
}

/** Builds sockaddr_in bytes from an endpoint. */
export function inet4Bytes(addr: number, port: number): Uint8Array {
  const b = new Uint8Array(SIZEOF_SOCKADDR_IN);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  dv.setUint32(4, addr >>> 0, false);
  return b;
}

/** A short text form for logs and recordings: "10.0.0.1:53", "[::1]:80", "unix:/tmp/s", "unix:@abstract". */
export function formatSockaddr(sa: SockAddr | null | undefined): string {
  if (!sa) return '-';
  if ('bytes' in sa) return `af${sa.family}:${Buffer.from(sa.bytes).toString('hex')}`;
  if (sa.family === AF_INET) return `${sa.addr}:${sa.port}`;
  if (sa.family === AF_INET6) return `[${sa.addr}]:${sa.port}`;
  return sa.path === '' ? 'unix:(unnamed)' : sa.path[0] === '\0' ? `unix:@${sa.path.slice(1)}` : `unix:${sa.path}`;
}
