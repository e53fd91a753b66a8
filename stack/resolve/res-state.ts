/**
 * The per-process resolver state glibc keeps in `_res` (struct __res_state) and in the process: the configuration
 * snapshot res_init(3) took, option bits send_dg sets for good (RES_SNGLKUP, RES_SNGLKUPREOP), the RES_ROTATE
 * offset, the "IPv6 unavailable" flag, and h_errno. It is keyed by the process's Sys object, so it lives and dies
 * with the process, like a thread's `_res`.
 */
import type { Sys } from '../sys.js';
import type { ResolvConf } from '../dns/resolv-conf.js';
import { resolverConfig } from './resolver-config.js';

/** h_errno values (netdb.h). */
export const NETDB_INTERNAL = -1, NETDB_SUCCESS = 0, HOST_NOT_FOUND = 1, TRY_AGAIN = 2, NO_RECOVERY = 3, NO_DATA = 4;

/** One process's resolver state. */
export interface ResState {
  /** The configuration in use (a snapshot of the host's resolv.conf at the last (re)load). */
  conf: ResolvConf;
  /** The host configuration generation the snapshot came from. */
  generation: number;
  /** RES_SNGLKUP set by send_dg after a lost second reply; it stays set (resolv/res_send.c). */
  singleRequest: boolean;
  /** RES_SNGLKUPREOP set the same way. */
  singleRequestReopen: boolean;
  /** glibc's static global_offset for RES_ROTATE (res_send.c nameserver_offset); null until first used. */
  rotateOffset: number | null;
  /** statp->ipv6_unavail: an AF_INET6 socket failed with EAFNOSUPPORT once. */
  ipv6Unavail: boolean;
  /** The thread's h_errno. */
  hErrno: number;
  /** getnameinfo's nrl_domainname, computed once per process (undefined until then; null: no domain). */
  nrlDomain?: string | null;
}

const states = new WeakMap<Sys, ResState>();

/**
 * The process's state, initialised or reloaded as __resolv_context_get's maybe_init does (resolv/resolv_context.c):
 * a changed configuration is picked up unless "options no-reload" is set, or the process's options no longer match
 * the file's because send_dg switched on single-request mode ("do not override those changes").
 */
export function resState(sys: Sys): ResState {
  const config = resolverConfig(sys.host);
  let st = states.get(sys);
  if (st === undefined) {
    st = { conf: config.conf, generation: config.generation, singleRequest: false, singleRequestReopen: false,
      rotateOffset: null, ipv6Unavail: false, hErrno: NETDB_SUCCESS };
    states.set(sys, st);
    return st;
  }
  const modified = (st.singleRequest && st.conf.singleRequest !== true) || (st.singleRequestReopen && st.conf.singleRequestReopen !== true);
  if (st.generation !== config.generation && st.conf.noReload !== true && !modified) {
    st.conf = config.conf;
    st.generation = config.generation;
    st.singleRequest = false;
    st.singleRequestReopen = false;
  }
  return st;
}

/** The 16-bit query ID res_mkquery takes from random_bits(), drawn from the host's stream and recorded. */
export function randomQueryId(sys: Sys): number {
  const stream = sys.host.sim.random.stream(`host:${sys.host.name}:res-id`);
  const id = stream.int(0, 0xffff);
  sys.host.sim.decide(stream.name, 'dns-query-id', id);
  return id;
}
