/**
 * The name-resolution API a simulated process calls (netdb.h, resolv.h, arpa/inet.h), in one place: getaddrinfo,
 * freeaddrinfo, gai_strerror, getnameinfo, gethostbyname(_r), gethostbyname2(_r), gethostbyaddr(_r), h_errno,
 * hstrerror, getservbyname/port, getprotobyname/number, res_query, res_search, the address conversions, and the
 * per-host configuration (resolv.conf, /etc/hosts). Each call that looks something up takes the process's Sys.
 */
export { addrinfoList, freeaddrinfo, getaddrinfo, type AddrInfo, type AddrInfoHints, type GaiResult } from './getaddrinfo.js';
export { getnameinfo, type NameInfo } from './getnameinfo.js';
export { gethostbyaddr, gethostbyaddr_r, gethostbyname, gethostbyname2, gethostbyname2_r, gethostbyname_r, h_errno, hstrerror,
  type HostentR } from './gethostby.js';
export type { HostEnt } from './nss-types.js';
export { res_query, res_search, type ResResult } from './res-query.js';
export * from './gai-errors.js';
export * from './netdb-constants.js';
export { getprotobyname, getprotobynumber, getservbyname, getservbyport, type ProtoEnt, type ServEnt } from './services.js';
export { htonl, htons, inet_addr, inet_aton, inet_ntoa, inet_ntop, inet_pton, ntohl, ntohs } from './inet.js';
export { HOST_NOT_FOUND, NETDB_INTERNAL, NETDB_SUCCESS, NO_DATA, NO_RECOVERY, TRY_AGAIN } from './res-state.js';
export { DEFAULT_HOSTS_TEXT, resolverConfig, type ResolverConfig } from './resolver-config.js';
