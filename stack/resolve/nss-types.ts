/**
 * The shapes the NSS "hosts" backends hand back to getaddrinfo and gethostby*: enum nss_status, struct hostent and
 * struct gaih_addrtuple (nss/nss.h, resolv/netdb.h, include/nss.h).
 */
import { AF_INET, AF_INET6 } from '../constants.js';

/** enum nss_status, as a backend reports it. */
export type NssStatus = 'SUCCESS' | 'NOTFOUND' | 'TRYAGAIN' | 'UNAVAIL';

/** struct hostent: addresses are 4 (AF_INET) or 16 (AF_INET6) bytes each. */
export interface HostEnt {
  h_name: string;
  h_aliases: string[];
  h_addrtype: typeof AF_INET | typeof AF_INET6;
  h_length: 4 | 16;
  h_addr_list: Uint8Array[];
}

/** struct gaih_addrtuple: one address of a gethostbyname4_r answer; the first carries the canonical name. */
export interface AddrTuple {
  name: string | null;
  family: typeof AF_INET | typeof AF_INET6;
  addr: Uint8Array;
  scopeid: number;
}

/** A backend's answer: status, h_errno and errno as it leaves them, and the data on success. */
export interface NssResult<T> {
  status: NssStatus;
  hErrno: number;
  errno: number;
  value?: T;
  /** Bytes of the caller's buffer the backend used or would have used (the reentrant calls' ERANGE test). */
  need?: number;
}

/** The address family numbers a family tag stands for. */
export function afOf(family: 4 | 6): typeof AF_INET | typeof AF_INET6 {
  return family === 4 ? AF_INET : AF_INET6;
}
