/**
 * The "files" hosts backend (glibc 2.36 nss/nss_files/files-hosts.c) over the host's /etc/hosts: gethostbyname4_r
 * (every matching line, any family, for getaddrinfo), gethostbyname3_r (one family; with host.conf "multi on" every
 * matching line is merged into one hostent) and gethostbyaddr2_r (the first line with the address). Names match
 * the canonical name or an alias, ignoring ASCII case (strcasecmp).
 */
import { AF_INET, AF_INET6 } from '../constants.js';
import type { HostsEntry } from '../dns/resolv-conf.js';
import { inet_pton } from './inet.js';
import { HOST_NOT_FOUND, NETDB_SUCCESS } from './res-state.js';
import type { ResolverConfig } from './resolver-config.js';
import { afOf, type AddrTuple, type HostEnt, type NssResult } from './nss-types.js';
import { Errno } from '../errno.js';

/** The address bytes of a hosts line. */
function bytesOf(e: HostsEntry): Uint8Array {
  const r = inet_pton(afOf(e.family), e.address);
  if (r.ret !== 1) throw new Error(`hosts entry with a bad address ${e.address}`);
  return r.addr;
}

/** NOTFOUND with HOST_NOT_FOUND and ENOENT, as internal_getent leaves them at the end of the file. */
function notFound<T>(): NssResult<T> {
  return { status: 'NOTFOUND', hErrno: HOST_NOT_FOUND, errno: Errno.ENOENT };
}

/** _nss_files_gethostbyname4_r: every line naming `name`, in file order; the first tuple carries its canonical name. */
export function filesGethostbyname4(cfg: ResolverConfig, name: string): NssResult<AddrTuple[]> {
  const lines = cfg.hosts.lookupName(name);
  if (lines.length === 0) return notFound();
  const tuples = lines.map((e, i): AddrTuple => ({ name: i === 0 ? e.canonical : null, family: afOf(e.family), addr: bytesOf(e), scopeid: 0 }));
  return { status: 'SUCCESS', hErrno: NETDB_SUCCESS, errno: 0, value: tuples };
}

/**
 * _nss_files_gethostbyname3_r for one family: the first matching line, and with "multi on" the addresses of the
 * later ones (duplicates skipped) with their names added as aliases (gethostbyname3_multi).
 */
export function filesGethostbyname3(cfg: ResolverConfig, name: string, af: number): NssResult<HostEnt> {
  const family = af === AF_INET6 ? 6 : 4;
  const lines = cfg.hosts.lookupName(name, family);
  const first = lines[0];
  if (first === undefined) return notFound();
  const ent: HostEnt = {
    h_name: first.canonical, h_aliases: [...first.aliases], h_addrtype: af === AF_INET6 ? AF_INET6 : AF_INET,
    h_length: family === 4 ? 4 : 16, h_addr_list: [bytesOf(first)],
  };
  if (cfg.multi) {
    for (const e of lines.slice(1)) {
      const addr = bytesOf(e);
      if (!ent.h_addr_list.some((a) => a.every((b, i) => b === addr[i]))) ent.h_addr_list.push(addr);
      for (const n of [e.canonical, ...e.aliases]) {
        if (n.toLowerCase() !== ent.h_name.toLowerCase() && !ent.h_aliases.some((a) => a.toLowerCase() === n.toLowerCase())) ent.h_aliases.push(n);
      }
    }
  }
  return { status: 'SUCCESS', hErrno: NETDB_SUCCESS, errno: 0, value: ent };
}

/** _nss_files_gethostbyaddr2_r: the first line whose address equals `addr` in family `af`. */
export function filesGethostbyaddr(cfg: ResolverConfig, addr: Uint8Array, af: number): NssResult<HostEnt> {
  const family = af === AF_INET6 ? 6 : 4;
  for (const e of cfg.hosts.entries) {
    if (e.family !== family) continue;
    const b = bytesOf(e);
    if (b.length !== addr.length || !b.every((x, i) => x === addr[i])) continue;
    return {
      status: 'SUCCESS', hErrno: NETDB_SUCCESS, errno: 0,
      value: { h_name: e.canonical, h_aliases: [...e.aliases], h_addrtype: af === AF_INET6 ? AF_INET6 : AF_INET, h_length: family === 4 ? 4 : 16, h_addr_list: [b] },
    };
  }
  return notFound();
}
