/**
 * The name-resolution calls of netdb.h on the Sys object: thin wrappers over stack/resolve/ (glibc's behaviour:
 * files then DNS through the simulated network), so a process writes `await sys.getaddrinfo(...)` as in C.
 */
import * as netdb from '../resolve/netdb.js';
import type { SockAddrArg } from '../sockaddr.js';
import { Errno } from '../errno.js';
import type { Sys } from '../sys.js';
import { SysNetif } from './netif.js';

const isStrOrNull = (v: unknown) => v === null || v === undefined || typeof v === 'string';
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
const isObjOrNull = (v: unknown) => v === null || v === undefined || typeof v === 'object';

/**
 * The name-resolution group of calls. Arguments of the wrong type (what C would see as a bad pointer) get EFAULT
 * through EAI_SYSTEM / NETDB_INTERNAL instead of reaching the resolver: nothing throws out of the API.
 */
export class SysNetdb extends SysNetif {
  /** The instance as the full Sys (it always is one: Sys is the only concrete class of this chain). */
  private get full(): Sys {
    return this as unknown as Sys;
  }

  /** getaddrinfo(3): `{ ret, res }` with ret 0 or an EAI_* code. */
  async getaddrinfo(node: string | null, service: string | null, hints?: netdb.AddrInfoHints | null): Promise<netdb.GaiResult> {
    if (!isStrOrNull(node) || !isStrOrNull(service) || !isObjOrNull(hints)) return this.badPointer('getaddrinfo', { ret: netdb.EAI_SYSTEM, res: null });
    return netdb.getaddrinfo(this.full, node ?? null, service ?? null, hints ?? null);
  }

  /** getnameinfo(3): `{ ret, host, serv }`. */
  async getnameinfo(sa: SockAddrArg, salen: number | null, hostlen: number, servlen: number, flags: number): Promise<netdb.NameInfo> {
    if (typeof sa !== 'object' || sa === null || !(salen === null || isInt(salen)) || !isInt(hostlen) || !isInt(servlen) || !isInt(flags)) {
      return this.badPointer('getnameinfo', { ret: netdb.EAI_SYSTEM, host: null, serv: null });
    }
    return netdb.getnameinfo(this.full, sa, salen, hostlen, servlen, flags);
  }

  /** gethostbyname(3). */
  async gethostbyname(name: string): Promise<netdb.HostEnt | null> {
    if (typeof name !== 'string') return this.badPointer('gethostbyname', null);
    return netdb.gethostbyname(this.full, name);
  }

  /** gethostbyname_r(3) with a caller buffer of `buflen` bytes (ERANGE when too small). */
  async gethostbyname_r(name: string, buflen: number): Promise<netdb.HostentR> {
    if (typeof name !== 'string' || !isInt(buflen) || buflen < 0) return this.badPointer('gethostbyname_r', { ret: Errno.EFAULT, result: null, h_errno: netdb.NETDB_INTERNAL });
    return netdb.gethostbyname_r(this.full, name, buflen);
  }

  /** gethostbyaddr(3). */
  async gethostbyaddr(addr: Uint8Array, len: number, type: number): Promise<netdb.HostEnt | null> {
    if (!(addr instanceof Uint8Array) || !isInt(len) || !isInt(type)) return this.badPointer('gethostbyaddr', null);
    return netdb.gethostbyaddr(this.full, addr, len, type);
  }

  /** gethostbyaddr_r(3). */
  async gethostbyaddr_r(addr: Uint8Array, len: number, type: number, buflen: number): Promise<netdb.HostentR> {
    if (!(addr instanceof Uint8Array) || !isInt(len) || !isInt(type) || !isInt(buflen) || buflen < 0) {
      return this.badPointer('gethostbyaddr_r', { ret: Errno.EFAULT, result: null, h_errno: netdb.NETDB_INTERNAL });
    }
    return netdb.gethostbyaddr_r(this.full, addr, len, type, buflen);
  }

  /** Records a call refused for a bad argument (errno EFAULT) and returns its failure value. */
  private badPointer<T>(call: string, value: T): T {
    this.done(call, [], -Errno.EFAULT);
    return value;
  }

  /** h_errno after the last gethostby* call. */
  h_errno(): number {
    return netdb.h_errno(this.full);
  }
}
