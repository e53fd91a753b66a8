/**
 * The "hosts" database of the Name Service Switch (glibc nss/nsswitch.c with the host's nsswitch.conf order):
 * each lookup asks the configured sources in turn and stops at the first SUCCESS, which is the default action;
 * NOTFOUND, UNAVAIL and TRYAGAIN continue with the next source. The result is the last source's answer.
 */
import { Errno } from '../errno.js';
import type { Sys } from '../sys.js';
import { dnsGethostbyaddr2, dnsGethostbyname3, dnsGethostbyname4 } from './nss-dns.js';
import { filesGethostbyaddr, filesGethostbyname3, filesGethostbyname4 } from './nss-files.js';
import type { AddrTuple, HostEnt, NssResult } from './nss-types.js';
import { resolverConfig, type HostsSource } from './resolver-config.js';
import { NETDB_INTERNAL, resState } from './res-state.js';

/** Runs `fn` for each hosts source until one succeeds; with no source at all, UNAVAIL (no module). */
async function walk<T>(sys: Sys, fn: (source: HostsSource) => Promise<NssResult<T>>): Promise<NssResult<T>> {
  let last: NssResult<T> = { status: 'UNAVAIL', hErrno: -1, errno: 0 };
  for (const source of resolverConfig(sys.host).hostsOrder) {
    last = await fn(source);
    if (last.status === 'SUCCESS') break;
  }
  resState(sys).hErrno = last.hErrno;
  return last;
}

/** The initial size of getaddrinfo's scratch buffer (struct scratch_buffer's inline space). */
export const SCRATCH_BUFFER_SIZE = 1024;

/** A caller's buffer that grows (scratch_buffer_grow doubles it) and stays grown for later calls. */
export interface ScratchBuffer {
  length: number;
}

/**
 * gethostbyname4_r over the sources (getaddrinfo with AF_UNSPEC). As get_nss_addresses does, a source that answers
 * TRYAGAIN with ERANGE and NETDB_INTERNAL is asked again with `scratch` doubled (scratch_buffer_grow).
 */
export function nssGethostbyname4(sys: Sys, name: string, scratch: ScratchBuffer = { length: SCRATCH_BUFFER_SIZE }): Promise<NssResult<AddrTuple[]>> {
  return walk(sys, async (source) => {
    if (source === 'files') return filesGethostbyname4(resolverConfig(sys.host), name);
    for (;;) {
      const r = await dnsGethostbyname4(sys, resState(sys), name, scratch.length);
      if (r.status !== 'TRYAGAIN' || r.errno !== Errno.ERANGE || r.hErrno !== NETDB_INTERNAL) return r;
      scratch.length *= 2;
    }
  });
}

/** gethostbyname2_r for one family over the sources. */
export function nssGethostbyname3(sys: Sys, name: string, af: number): Promise<NssResult<HostEnt>> {
  return walk(sys, (source) => gethostbyname3From(sys, source, name, af, true));
}

/** The configured hosts sources, in nsswitch.conf order (for callers that walk them themselves, like getaddrinfo). */
export function hostsSources(sys: Sys): readonly HostsSource[] {
  return resolverConfig(sys.host).hostsOrder;
}

/**
 * gethostbyname3_r of one source (`checkName` true: gethostbyname2_r, whose dns backend first refuses names that
 * are not host names); sets h_errno.
 */
export async function gethostbyname3From(sys: Sys, source: HostsSource, name: string, af: number, checkName: boolean): Promise<NssResult<HostEnt>> {
  const r = source === 'files'
    ? filesGethostbyname3(resolverConfig(sys.host), name, af)
    : await dnsGethostbyname3(sys, resState(sys), name, af, checkName);
  resState(sys).hErrno = r.hErrno;
  return r;
}

/** gethostbyaddr2_r over the sources. */
export function nssGethostbyaddr(sys: Sys, addr: Uint8Array, af: number): Promise<NssResult<HostEnt>> {
  return walk(sys, (source) => gethostbyaddrFrom(sys, source, addr, af));
}

/** gethostbyaddr2_r of one source; sets h_errno. */
export async function gethostbyaddrFrom(sys: Sys, source: HostsSource, addr: Uint8Array, af: number): Promise<NssResult<HostEnt>> {
  const r = source === 'files' ? filesGethostbyaddr(resolverConfig(sys.host), addr, af) : await dnsGethostbyaddr2(sys, resState(sys), addr, af);
  resState(sys).hErrno = r.hErrno;
  return r;
}
